import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogFields, Logger } from "../../src/logger.js";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

let t: TestApp;
let token: string;
let errors: Array<{ msg: string } & LogFields>;
beforeEach(() => {
  errors = [];
  const quiet = () => undefined;
  const logger: Logger = { debug: quiet, info: quiet, warn: quiet, error: (msg, fields) => void errors.push({ msg, ...fields }), flush: quiet };
  t = createTestApp({ logger });
  token = t.createToken(t.createUser("alice")).token;
});
afterEach(() => t.close());

const download = (path: string) =>
  t.request().get(path).set("Authorization", token).buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on("data", (c: Buffer) => chunks.push(c));
    r.on("end", () => done(null, Buffer.concat(chunks)));
  });

describe("downloads of small and large files", () => {
  // Files up to 256 KiB are read whole; larger ones are streamed in 1 MiB reads.
  it.each([
    ["a small crate", 1_000],
    ["a crate just over the whole-file size", 300 * 1024],
    ["a crate of several read chunks", 2.5 * 1024 * 1024],
  ])("send %s byte for byte, with its length and headers", async (_what, dataBytes) => {
    const builder = new CrateBuilder("foo", "1.0.0").file("data.bin", randomBytes(dataBytes)).gzipLevel(1);
    await publish(t, token, "foo", "1.0.0", () => builder);
    const expected = await builder.crateFile();
    const res = await download("/api/v1/crates/foo/1.0.0/download");
    expect(res.status).toBe(200);
    expect((res.body as Buffer).equals(expected)).toBe(true);
    expect(res.headers).toMatchObject({
      "content-type": "application/octet-stream",
      "content-length": String(expected.length),
      "content-disposition": 'attachment; filename="foo-1.0.0.crate"',
      "cache-control": "private, max-age=31536000, immutable",
    });
    expect(res.headers["content-encoding"]).toBeUndefined();
  });

  it("answer 404 naming the version when its file is missing, and log it", async () => {
    await publish(t, token, "foo", "1.0.0");
    rmSync(t.ctx.store.pathFor("foo", "1.0.0"));
    const res = await download("/api/v1/crates/foo/1.0.0/download");
    expect(res.status).toBe(404);
    expect(JSON.parse((res.body as Buffer).toString())).toEqual({
      errors: [{ detail: "the file of `foo` 1.0.0 is missing on the server; tell the registry administrator" }],
    });
    expect(errors).toEqual([{ msg: "crate file missing", crate: "foo", version: "1.0.0" }]);
    expect(t.ctx.db.sqlite.prepare("SELECT count(*) FROM version_downloads").pluck().get()).toBe(0);
  });
});
