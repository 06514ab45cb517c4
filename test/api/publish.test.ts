import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CrateBuilder, frameBody } from "../helpers/crate-builder.js";
import { indexLines, publish, putPublish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

let t: TestApp;
let token: string;
beforeEach(() => {
  t = createTestApp({ config: { maxUploadBytes: 64 * 1024, maxUnpackedBytes: 256 * 1024 } });
  token = t.createToken(t.createUser("alice")).token;
});
afterEach(() => t.close());

describe("PUT /api/v1/crates/new", () => {
  it("stores the crate, makes the publisher its owner and shows the version in the index at once", async () => {
    const builder = new CrateBuilder("Demo-Crate", "1.2.3+build.5").description("A demo").license("MIT").feature("default", ["std"]).feature("std", []);
    const res = await putPublish(t, token, await builder.publishBody());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ warnings: { invalid_categories: [], invalid_badges: [], other: [] } });

    const { lines } = await indexLines(t, token, "Demo-Crate");
    const crateFile = await builder.crateFile();
    expect(lines).toEqual([
      {
        name: "Demo-Crate",
        vers: "1.2.3+build.5",
        deps: [],
        cksum: createHash("sha256").update(crateFile).digest("hex"),
        features: { default: ["std"], std: [] },
        yanked: false,
        links: null,
        rust_version: null,
        pubtime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
    ]);
    expect(t.storedFiles()).toEqual(["demo-crate/demo-crate-1.2.3+build.5.crate"]);
    const owners = await t.request().get("/api/v1/crates/demo_crate/owners").set("Authorization", token);
    expect(owners.body).toEqual({ users: [{ id: 1, login: "alice", name: null }] });
  });

  it("maps dependencies to the index form: alias in name, real name in package, req, registry", async () => {
    await publish(t, token, "base", "0.8.1");
    await publish(t, token, "app", "0.1.0", (b) =>
      b
        .dependency({ name: "base", version_req: "^0.8", explicit_name_in_toml: "base2" })
        .dependency({ name: "serde", version_req: "^1", registry: "https://github.com/rust-lang/crates.io-index", kind: "dev" })
        .feature("extra", ["dep:base2", "base2?/std"])
        .feature("plain", []),
    );
    const { lines } = await indexLines(t, token, "app");
    expect(lines[0]).toMatchObject({
      deps: [
        { name: "base2", package: "base", req: "^0.8", registry: null, kind: "normal", optional: false, default_features: true, features: [], target: null },
        { name: "serde", package: null, req: "^1", registry: "https://github.com/rust-lang/crates.io-index", kind: "dev" },
      ],
      features: { plain: [] },
      features2: { extra: ["dep:base2", "base2?/std"] },
      v: 2,
    });
  });

  it("answers a new version of an existing crate and keeps publish order in the index", async () => {
    await publish(t, token, "foo", "0.2.0");
    await publish(t, token, "foo", "0.1.0");
    const { lines } = await indexLines(t, token, "foo");
    expect(lines.map((l) => l.vers)).toEqual(["0.2.0", "0.1.0"]);
  });
});

describe("rejected publishes store nothing", () => {
  const rejects: [string, () => Promise<Buffer>, number, string | RegExp][] = [
    ["an empty body", async () => Buffer.alloc(0), 400, "the request was missing a body"],
    ["a truncated length", async () => Buffer.from([1, 0]), 400, /invalid metadata length/],
    ["a metadata length past the end", async () => Buffer.from([100, 0, 0, 0, 123]), 400, /invalid metadata length/],
    ["invalid JSON", async () => frameBody("{nope", await new CrateBuilder("foo", "1.0.0").crateFile()), 400, /invalid upload request/],
    ["a name starting with a digit", async () => new CrateBuilder("1abc", "1.0.0").publishBody(), 400, /cannot start with a digit/],
    ["a reserved name", async () => new CrateBuilder("std", "1.0.0").publishBody(), 400, "cannot upload a crate with a reserved name"],
    ["an invalid version", async () => new CrateBuilder("foo", "1.0").publishBody(), 400, /invalid semver version/],
    ["a crate that is not gzip", async () => frameBody(JSON.stringify(new CrateBuilder("foo", "1.0.0").metadata()), Buffer.from("plain text")), 400, /not a gzip/],
    ["a path outside the crate folder", async () => new CrateBuilder("foo", "1.0.0").withEntry({ name: "foo-1.0.0/../evil", content: "x" }).publishBody(), 400, /invalid path/],
    ["a symlink", async () => new CrateBuilder("foo", "1.0.0").withEntry({ name: "foo-1.0.0/link", type: "symlink", linkname: "/etc/passwd" }).publishBody(), 400, /link/],
    ["a missing Cargo.toml", async () => new CrateBuilder("foo", "1.0.0").withoutCargoToml().publishBody(), 400, /Cargo\.toml/],
    ["a manifest with another name", async () => new CrateBuilder("foo", "1.0.0").manifestName("bar").publishBody(), 400, "metadata name `foo` does not match manifest name `bar`"],
    ["an invalid dependency requirement", async () => new CrateBuilder("foo", "1.0.0").dependency({ name: "bar", version_req: "latest" }).publishBody(), 400, /invalid version requirement/],
    ["a decompression bomb", async () => new CrateBuilder("foo", "1.0.0").file("zeros.bin", Buffer.alloc(2 * 1024 * 1024)).publishBody(), 400, /too large when decompressed/],
    ["an upload over the limit", async () => new CrateBuilder("foo", "1.0.0").gzipLevel(0).file("big.bin", Buffer.alloc(100 * 1024, 7)).publishBody(), 413, "max upload size is: 65536"],
  ];

  it.each(rejects)("refuses %s with a cargo-style message", async (_what, body, status, detail) => {
    const res = await putPublish(t, token, await body());
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(res.body.errors[0].detail).toEqual(typeof detail === "string" ? detail : expect.stringMatching(detail));
    expect(t.rowCounts()).toMatchObject({ crates: 0, versions: 0, owners: 0 });
    expect(t.storedFiles()).toEqual([]);
  });

  it("refuses a duplicate version, also when only build metadata differs, and keeps the first file", async () => {
    await publish(t, token, "foo", "1.0.0");
    const before = t.storedFiles();
    for (const vers of ["1.0.0", "1.0.0+other"]) {
      const res = await putPublish(t, token, await new CrateBuilder("foo", vers).file("x", "different").publishBody());
      expect(res.status).toBe(400);
      expect(res.body.errors[0].detail).toBe("crate version `1.0.0` is already uploaded");
    }
    expect(t.storedFiles()).toEqual(before);
    expect(t.rowCounts().versions).toBe(1);
  });

  it("refuses a name that differs only in case or -/_ from an existing crate", async () => {
    await publish(t, token, "foo-bar", "1.0.0");
    const res = await putPublish(t, token, await new CrateBuilder("Foo_Bar", "2.0.0").publishBody());
    expect(res.status).toBe(400);
    expect(res.body.errors[0].detail).toMatch(/previously named `foo-bar`/);
    expect(t.rowCounts()).toMatchObject({ crates: 1, versions: 1 });
  });

  it("refuses a new version from a user who does not own the crate", async () => {
    await publish(t, token, "foo", "1.0.0");
    const other = t.createToken(t.createUser("mallory")).token;
    const res = await putPublish(t, other, await new CrateBuilder("foo", "1.1.0").publishBody());
    expect(res.status).toBe(403);
    expect(res.body.errors[0].detail).toBe("you are not an owner of crate `foo`");
    expect(t.storedFiles()).toEqual(["foo/foo-1.0.0.crate"]);
  });

  it("answers 413 before reading a body whose Content-Length is over the limit", async () => {
    const res = await t.request().put("/api/v1/crates/new").set("Authorization", token).set("Content-Length", String(10 * 1024 * 1024)).send(Buffer.alloc(16));
    expect(res.status).toBe(413);
    expect(res.body.errors[0].detail).toBe("max upload size is: 65536");
  });

  it("leaves no temp file behind after a refusal", async () => {
    await putPublish(t, token, await new CrateBuilder("foo", "1.0.0").manifestName("bar").publishBody());
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(t.ctx.store.tmpDir)).toEqual([]);
  });
});
