import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IndexCache } from "../../src/api/index-cache.js";
import { findIndexFile } from "../../src/api/index-files.js";
import { OtherConnectionCommits } from "../../src/db/change-watch.js";
import { indexLines, indexUrl, publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

let t: TestApp;
let token: string;
beforeEach(() => {
  t = createTestApp();
  token = t.createToken(t.createUser("alice")).token;
});
afterEach(() => t.close());

const get = (path: string, etag?: string) => {
  const req = t.request().get(path).set("Authorization", token);
  return etag ? req.set("If-None-Match", etag) : req;
};

describe("cached index files", () => {
  it("show a new version on the very next request after its publish returns", async () => {
    await publish(t, token, "foo", "0.1.0");
    const before = await indexLines(t, token, "foo");
    expect(t.ctx.indexCache.size.files).toBe(1);
    await publish(t, token, "foo", "0.2.0");
    const after = await indexLines(t, token, "foo");
    expect(after.lines.map((l) => l.vers)).toEqual(["0.1.0", "0.2.0"]);
    expect(after.etag).not.toBe(before.etag);
    expect((await get(indexUrl("foo"), before.etag)).status).toBe(200);
    expect((await get(indexUrl("foo"), after.etag)).status).toBe(304);
  });

  it("change line and ETag on the request after a yank, and get the old ETag back on unyank", async () => {
    await publish(t, token, "foo", "0.1.0");
    const first = await indexLines(t, token, "foo");
    expect((await t.request().delete("/api/v1/crates/foo/0.1.0/yank").set("Authorization", token)).status).toBe(200);
    const yanked = await indexLines(t, token, "foo");
    expect(yanked.lines[0]!.yanked).toBe(true);
    expect(yanked.etag).not.toBe(first.etag);
    expect((await get(indexUrl("foo"), first.etag)).status).toBe(200);
    expect((await t.request().put("/api/v1/crates/foo/0.1.0/unyank").set("Authorization", token)).status).toBe(200);
    const unyanked = await indexLines(t, token, "foo");
    expect(unyanked.text).toBe(first.text);
    expect(unyanked.etag).toBe(first.etag);
  });

  it("are dropped by any change of the crate's versions on this connection, whatever code makes it", async () => {
    await publish(t, token, "foo", "0.1.0");
    await indexLines(t, token, "foo");
    t.ctx.db.sqlite.prepare("UPDATE versions SET yanked = 1").run();
    expect((await indexLines(t, token, "foo")).lines[0]!.yanked).toBe(true);
    t.ctx.db.sqlite.prepare("UPDATE versions SET checksum = ?").run("0".repeat(64));
    expect((await indexLines(t, token, "foo")).lines[0]!.cksum).toBe("0".repeat(64));
  });

  it("are all dropped after another connection (the CLI, a second server) commits", async () => {
    await publish(t, token, "foo", "0.1.0");
    const before = await indexLines(t, token, "foo");
    const other = new Database(join(t.dataDir, "cargohold.sqlite3"));
    try {
      other.prepare("UPDATE versions SET yanked = 1").run();
    } finally {
      other.close();
    }
    const after = await indexLines(t, token, "foo");
    expect(after.lines[0]!.yanked).toBe(true);
    expect(after.etag).not.toBe(before.etag);
  });

  it("only cache what was found: other spellings stay 404 and a new crate appears at once", async () => {
    await publish(t, token, "my-crate", "0.1.0");
    expect((await get("/index/my/_c/my_crate")).status).toBe(404);
    expect((await get("/index/ne/w-/new-crate")).status).toBe(404);
    await publish(t, token, "new-crate", "1.0.0");
    expect((await get("/index/ne/w-/new-crate")).status).toBe(200);
    expect((await get("/index/my/-c/my-crate")).status).toBe(200);
    expect((await get("/index/my/_c/my_crate")).status).toBe(404);
  });

  it("serve the same bytes and ETag as a freshly built file", async () => {
    await publish(t, token, "foo", "0.1.0", (b) => b.dependency({ name: "bar", version_req: "^2" }).feature("std", []));
    const cold = await indexLines(t, token, "foo");
    const warm = await indexLines(t, token, "foo");
    expect(warm.text).toBe(cold.text);
    expect(warm.etag).toBe(cold.etag);
  });
});

describe("IndexCache", () => {
  it("stores nothing built inside a transaction, whose rows might still roll back", async () => {
    await publish(t, token, "foo", "0.1.0");
    t.ctx.db.transaction(() => expect(findIndexFile(t.ctx, "foo")).toBeDefined());
    expect(t.ctx.indexCache.size.files).toBe(0);
    findIndexFile(t.ctx, "foo");
    expect(t.ctx.indexCache.size.files).toBe(1);
  });

  it("keeps within its byte budget by dropping the least recently used files", () => {
    const cache = new IndexCache(t.ctx.db.sqlite, new OtherConnectionCommits(t.ctx.db.sqlite), 100);
    const file = (crateId: number, bytes: number) => ({ crateId, body: Buffer.alloc(bytes), etag: `"${crateId}"` });
    cache.set("a", file(1, 40));
    cache.set("b", file(2, 40));
    expect(cache.get("a")).toBeDefined();
    cache.set("c", file(3, 40));
    expect([cache.get("a"), cache.get("b"), cache.get("c")].map((f) => f?.crateId)).toEqual([1, undefined, 3]);
    expect(cache.size).toEqual({ files: 2, bytes: 80 });
    cache.set("huge", file(4, 101));
    expect(cache.get("huge")).toBeUndefined();
    cache.invalidate(1);
    expect(cache.size).toEqual({ files: 1, bytes: 40 });
  });
});
