import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogFields, Logger } from "../../src/logger.js";
import { OtherConnectionCommits } from "../../src/db/change-watch.js";
import { CrateFileCache } from "../../src/storage/crate-file-cache.js";
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
  // Files up to 256 KiB are read in one call, larger ones asynchronously, and both are then kept in
  // memory; files over the cache's largest size (made 1 MiB here) are streamed in 1 MiB reads.
  it.each([
    ["a small crate", 1_000],
    ["a crate just over the one-call size", 300 * 1024],
    ["a crate too large to keep in memory, of several read chunks", 2.5 * 1024 * 1024],
  ])("send %s byte for byte, with its length and headers, twice", async (_what, dataBytes) => {
    t.ctx.crateFileCache = new CrateFileCache(t.ctx.db.sqlite, new OtherConnectionCommits(t.ctx.db.sqlite), 64 * 1024 * 1024, 1024 * 1024);
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
    const again = await download("/api/v1/crates/foo/1.0.0/download");
    expect((again.body as Buffer).equals(expected)).toBe(true);
    expect(again.headers["content-length"]).toBe(String(expected.length));
    expect(t.ctx.crateFileCache.size.files).toBe(expected.length <= 1024 * 1024 ? 1 : 0);
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

describe("a download the client abandons", () => {
  it("stops streaming and logs no error", async () => {
    t.ctx.crateFileCache = new CrateFileCache(t.ctx.db.sqlite, new OtherConnectionCommits(t.ctx.db.sqlite), 64 * 1024 * 1024, 1024 * 1024);
    await publish(t, token, "foo", "1.0.0", () => new CrateBuilder("foo", "1.0.0").file("data.bin", randomBytes(4 * 1024 * 1024)).gzipLevel(0));
    const server = t.app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        const req = httpGet({ host: "127.0.0.1", port, path: "/api/v1/crates/foo/1.0.0/download", headers: { Authorization: token } }, (res) => {
          expect(res.statusCode).toBe(200);
          res.once("data", () => {
            req.destroy();
            resolve();
          });
        });
        req.on("error", (error) => ((error as NodeJS.ErrnoException).code === "ECONNRESET" ? resolve() : reject(error)));
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(errors).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("downloaded files kept in memory", () => {
  const path = "/api/v1/crates/foo/1.0.0/download";

  it("serve the second download from memory, even with the file gone from the disk", async () => {
    await publish(t, token, "foo", "1.0.0");
    const first = await download(path);
    expect(t.ctx.crateFileCache.size.files).toBe(1);
    rmSync(t.ctx.store.pathFor("foo", "1.0.0"));
    const second = await download(path);
    expect(second.status).toBe(200);
    expect((second.body as Buffer).equals(first.body as Buffer)).toBe(true);
    expect(t.ctx.db.sqlite.prepare("SELECT sum(downloads) FROM version_downloads").pluck().get()).toBe(2);
  });

  it("are dropped the moment their version's row is deleted, whatever code deletes it", async () => {
    await publish(t, token, "foo", "1.0.0");
    await publish(t, token, "foo", "1.1.0");
    await download(path);
    await download("/api/v1/crates/foo/1.1.0/download");
    expect(t.ctx.crateFileCache.size.files).toBe(2);
    t.ctx.db.sqlite.prepare("DELETE FROM version_downloads").run();
    t.ctx.db.sqlite.prepare("DELETE FROM versions WHERE num = '1.0.0'").run();
    expect(t.ctx.crateFileCache.size.files).toBe(1);
    expect((await download(path)).status).toBe(404);
  });

  it("are all dropped when another connection commits, and read again from the disk", async () => {
    await publish(t, token, "foo", "1.0.0");
    await download(path);
    // The file changes on disk behind the server's back, and another process commits.
    writeFileSync(t.ctx.store.pathFor("foo", "1.0.0"), "changed");
    const other = new Database(join(t.dataDir, "cargohold.sqlite3"));
    try {
      other.prepare("UPDATE users SET name = 'Alice Other'").run();
    } finally {
      other.close();
    }
    const res = await download(path);
    expect((res.body as Buffer).toString()).toBe("changed");
  });
});
