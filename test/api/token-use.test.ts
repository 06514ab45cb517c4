import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TokenCache } from "../../src/auth/token-cache.js";
import { OtherConnectionCommits } from "../../src/db/change-watch.js";
import type { ApiToken } from "../../src/db/tokens.js";
import { isoSeconds } from "../../src/time.js";
import { indexUrl, publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

let t: TestApp;
let clock: Date;
let token: string;
let id: number;
beforeEach(async () => {
  clock = new Date("2030-03-01T10:00:00Z");
  t = createTestApp({ now: () => clock });
  ({ token, id } = t.createToken(t.createUser("alice")));
  await publish(t, token, "foo", "0.1.0");
});
afterEach(() => t.close());

const read = () => t.request().get(indexUrl("foo")).set("Authorization", token);
const lastUsed = () => t.ctx.db.tokens.findById(id)!.lastUsedAt;

describe("a token in use", () => {
  it("is refused on the very next request after it revokes itself", async () => {
    expect((await read()).status).toBe(200);
    expect((await t.request().delete("/api/v1/tokens/current").set("Authorization", token)).status).toBe(204);
    const res = await read();
    expect(res.status).toBe(401);
    expect(res.body.errors[0].detail).toMatch(/^this token was revoked on /);
  });

  it("is accepted bare, after `Bearer` or with spaces around it, before and after it is remembered", async () => {
    for (const header of [`Bearer ${token}`, token, ` ${token} `, `bearer  ${token}`, token]) {
      const res = await t.request().get(indexUrl("foo")).set("Authorization", header);
      expect(res.status, header.replace(token, "<token>")).toBe(200);
    }
    expect(t.ctx.tokenCache.size).toBe(1);
  });

  it("once remembered, does not vouch for a same-length header that differs from it", async () => {
    expect((await read()).status).toBe(200);
    const last = token.at(-1) === "A" ? "B" : "A";
    const res = await t.request().get(indexUrl("foo")).set("Authorization", token.slice(0, -1) + last);
    expect(res.status).toBe(401);
    expect(res.body.errors[0].detail).toBe("this API token's checksum does not match: it was mistyped or changed");
  });

  it("is remembered after its first use and forgotten by any write to its row, whatever code makes it", async () => {
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(200);
    expect(t.ctx.tokenCache.size).toBe(1);
    t.ctx.db.sqlite.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?").run(isoSeconds(clock), id);
    expect(t.ctx.tokenCache.size).toBe(0);
    expect((await read()).status).toBe(401);
  });

  it("is refused on the very next request after another connection revokes it", async () => {
    expect((await read()).status).toBe(200);
    const other = new Database(join(t.dataDir, "cargohold.sqlite3"));
    try {
      other.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?").run(isoSeconds(clock), id);
    } finally {
      other.close();
    }
    expect((await read()).status).toBe(401);
  });

  it("is refused from the second it expires", async () => {
    t.ctx.db.sqlite.prepare("UPDATE api_tokens SET expires_at = ? WHERE id = ?").run("2030-03-01T10:00:30Z", id);
    clock = new Date("2030-03-01T10:00:29Z");
    expect((await read()).status).toBe(200);
    clock = new Date("2030-03-01T10:00:30Z");
    const res = await read();
    expect(res.status).toBe(401);
    expect(res.body.errors[0].detail).toMatch(/^this token expired on 2030-03-01T10:00:30Z/);
  });

  it("is refused on the next request once its user is disabled", async () => {
    expect((await read()).status).toBe(200);
    t.ctx.db.users.setDisabled(t.ctx.db.users.findByLogin("alice")!.id, isoSeconds(clock));
    expect((await read()).status).toBe(401);
  });
});

describe("last use of a token", () => {
  it("is recorded on first use, then at most once a minute", async () => {
    expect(lastUsed()).toBe("2030-03-01T10:00:00Z");
    clock = new Date("2030-03-01T10:00:59Z");
    await read();
    expect(lastUsed()).toBe("2030-03-01T10:00:00Z");
    clock = new Date("2030-03-01T10:01:01Z");
    await read();
    expect(lastUsed()).toBe("2030-03-01T10:01:01Z");
  });

  it("is returned as recorded to the caller", () => {
    const found = t.ctx.db.tokens.useActiveByHash(t.ctx.db.sqlite.prepare("SELECT token_hash FROM api_tokens WHERE id = ?").pluck().get(id) as string, "2030-03-01T11:00:00Z");
    expect(found?.lastUsedAt).toBe("2030-03-01T11:00:00Z");
    expect(lastUsed()).toBe("2030-03-01T11:00:00Z");
  });
});

describe("TokenCache", () => {
  const credential = (tokenId: number, token: Partial<ApiToken> = {}) => ({
    token: { id: tokenId, userId: 1, name: "t", endpointScopes: [], crateScopes: null, createdAt: "2030-01-01T00:00:00Z", lastUsedAt: "2030-03-01T10:00:00Z", expiresAt: null, revokedAt: null, ...token },
    user: t.ctx.db.users.findByLogin("alice")!,
  });

  it("keeps at most its number of entries, dropping the oldest", () => {
    const cache = new TokenCache(t.ctx.db.sqlite, new OtherConnectionCommits(t.ctx.db.sqlite), 2);
    for (const id of [1, 2, 3]) cache.remember(`hash${id}`, credential(id));
    expect(["hash1", "hash2", "hash3"].map((h) => cache.find(h, "2030-03-01T10:00:10Z")?.token.id)).toEqual([undefined, 2, 3]);
  });

  it("answers only while the token is unexpired and its last use needs no writing", () => {
    const cache = new TokenCache(t.ctx.db.sqlite, new OtherConnectionCommits(t.ctx.db.sqlite));
    cache.remember("a", credential(1, { expiresAt: "2030-03-01T10:00:30Z" }));
    expect(cache.find("a", "2030-03-01T10:00:29Z")).toBeDefined();
    expect(cache.find("a", "2030-03-01T10:00:30Z")).toBeUndefined();
    cache.remember("b", credential(2));
    expect(cache.find("b", "2030-03-01T10:01:00Z")).toBeDefined();
    expect(cache.find("b", "2030-03-01T10:01:01Z")).toBeUndefined();
  });
});
