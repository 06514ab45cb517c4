// Races on a real socket: simultaneous publishes of one version (exactly one wins, its bytes are the
// ones stored and indexed), simultaneous publishes of many crates and versions (all stored, index
// consistent), and yank/unyank storms (index line, ETag and database agree afterwards).
// CARGOHOLD_LONG_TESTS=1 repeats the one-version race and the yank storms ten times.
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { indexUrl } from "../helpers/api.js";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { heldUpload, listen, type ListeningApp } from "./app-server.js";
import { keepAliveAgent, send, type HttpResult } from "./http-client.js";
import { crateFilePath, sha256 } from "./integrity.js";
import { LONG, Random, SEED } from "./seed.js";

const OFF = { burst: 0, refillSeconds: 1 };
const ROUNDS = LONG ? 10 : 1;

let t: TestApp;
let server: ListeningApp;
beforeEach(async () => {
  t = createTestApp({ config: { publishLimits: { "new-crate": OFF, "new-version": OFF } } });
  server = await listen(t.app);
});
afterEach(async () => {
  await server.close();
  t.close();
});

interface Racer {
  name: string;
  vers: string;
  token: string;
  crate: Buffer;
  body: Buffer;
}

async function racer(name: string, vers: string, token: string, i: number): Promise<Racer> {
  // Different bytes for each racer, and enough of them that inspection takes a moment.
  const builder = new CrateBuilder(name, vers).file("src/lib.rs", `// racer ${i}\n`).file("pad.bin", new Random(SEED + i).bytes(64 * 1024));
  return { name, vers, token, crate: await builder.crateFile(), body: await builder.publishBody() };
}

/** Lines every upload up with all but its last bytes sent, then releases them together. */
async function race(racers: Racer[]) {
  const held = await Promise.all(racers.map((r) => heldUpload(`${server.url}/api/v1/crates/new`, { Authorization: r.token }, r.body)));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const results = await Promise.all(held.map((h) => h.finish()));
  return results.map((res, i) => ({ ...res, racer: racers[i]!, detail: detailOf(res.body) }));
}

function detailOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { errors?: { detail: string }[] }).errors?.[0]?.detail;
  } catch {
    return undefined;
  }
}

async function getIndex(name: string, token: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await send(`${server.url}${indexUrl(name)}`, { headers: { Authorization: token, ...headers } });
  if (res.failed) throw new Error(res.error);
  return res;
}

const tmpFiles = () => readdirSync(t.ctx.store.tmpDir);

describe("20 simultaneous publishes of one crate version", () => {
  it("by one user: exactly one is stored, the others are told it is already uploaded", async () => {
    const token = t.createToken(t.createUser("alice")).token;
    for (let round = 0; round < ROUNDS; round++) {
      const vers = `1.0.${round}`;
      const results = await race(await Promise.all(Array.from({ length: 20 }, (_, i) => racer("racer", vers, token, i))));
      const winners = results.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      for (const loser of results.filter((r) => r.status !== 200)) {
        expect(loser.status).toBe(400);
        expect(loser.detail).toBe(`crate version \`${vers}\` is already uploaded`);
      }
      const winner = winners[0]!.racer;
      expect(readFileSync(crateFilePath(t.dataDir, "racer", vers)).equals(winner.crate)).toBe(true);
      const lines = (await getIndex("racer", token)).body.toString().trimEnd().split("\n").map((l) => JSON.parse(l));
      expect(lines.at(-1)).toMatchObject({ vers, cksum: sha256(winner.crate) });
    }
    expect(t.rowCounts()).toMatchObject({ crates: 1, versions: ROUNDS, owners: 1 });
    expect(t.storedFiles()).toHaveLength(ROUNDS);
    expect(tmpFiles()).toEqual([]);
  });

  it("by 20 users racing to create it: one owns it, the others are refused as non-owners or duplicates", async () => {
    const users = Array.from({ length: 20 }, (_, i) => t.createUser(`user${i}`));
    const racers = await Promise.all(users.map((u, i) => racer("contested", "0.1.0", t.createToken(u).token, i)));
    const results = await race(racers);
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r.status !== 200)) {
      expect([400, 403]).toContain(loser.status);
      expect(loser.detail).toMatch(/^(you are not an owner of crate `contested`|crate version `0\.1\.0` is already uploaded)$/);
    }
    const winnerIndex = results.indexOf(winners[0]!);
    const crate = t.ctx.db.crates.findByCanonicalName("contested")!;
    expect(t.ctx.db.crates.isOwner(crate.id, users[winnerIndex]!.id)).toBe(true);
    expect(t.rowCounts()).toMatchObject({ crates: 1, versions: 1, owners: 1 });
    expect(readFileSync(crateFilePath(t.dataDir, "contested", "0.1.0")).equals(winners[0]!.racer.crate)).toBe(true);
    expect(tmpFiles()).toEqual([]);
  });

  it("differing only in build metadata or in the spelling of the name: still exactly one", async () => {
    const token = t.createToken(t.createUser("alice")).token;
    const builds = await race(await Promise.all(Array.from({ length: 20 }, (_, i) => racer("buildy", `2.0.0+b${i}`, token, i))));
    expect(builds.filter((r) => r.status === 200)).toHaveLength(1);
    for (const loser of builds.filter((r) => r.status !== 200)) expect(loser.detail).toMatch(/^crate version `2\.0\.0\+b\d+` is already uploaded$/);

    const spellings = ["Spelled-Name", "spelled_name", "SPELLED-NAME", "spelled-name", "Spelled_Name"];
    const names = await race(await Promise.all(Array.from({ length: 20 }, (_, i) => racer(spellings[i % spellings.length]!, "1.0.0", token, i))));
    const winners = names.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    const stored = winners[0]!.racer.name;
    for (const loser of names.filter((r) => r.status !== 200)) {
      expect(loser.status).toBe(400);
      expect(loser.detail).toMatch(new RegExp(`^(crate was previously named \`${stored}\`.*|crate version \`1\\.0\\.0\` is already uploaded)$`));
    }
    expect(t.rowCounts()).toMatchObject({ crates: 2, versions: 2 });
    const lower = stored.toLowerCase();
    expect(t.storedFiles()).toEqual([`buildy/buildy-${builds.find((r) => r.status === 200)!.racer.vers}.crate`, `${lower}/${lower}-1.0.0.crate`].sort());
    expect(tmpFiles()).toEqual([]);
  });
});

describe("50 simultaneous publishes", () => {
  it("of different crates by one user all succeed, and the index has each one", async () => {
    const token = t.createToken(t.createUser("alice")).token;
    const racers = await Promise.all(Array.from({ length: 50 }, (_, i) => racer(`crate-${i}`, "1.0.0", token, i)));
    const results = await race(racers);
    expect(results.map((r) => r.status)).toEqual(racers.map(() => 200));
    for (const r of racers) {
      const index = await getIndex(r.name, token);
      expect(index.headers.etag).toBe(`"${sha256(index.body)}"`);
      expect(JSON.parse(index.body.toString())).toMatchObject({ name: r.name, vers: "1.0.0", cksum: sha256(r.crate), yanked: false });
      expect(readFileSync(crateFilePath(t.dataDir, r.name, "1.0.0")).equals(r.crate)).toBe(true);
    }
    expect(t.rowCounts()).toMatchObject({ crates: 50, versions: 50, owners: 50 });
    expect(tmpFiles()).toEqual([]);
  });

  it("of different versions of a crate that does not exist yet all succeed, in one index file", async () => {
    const token = t.createToken(t.createUser("alice")).token;
    const racers = await Promise.all(Array.from({ length: 50 }, (_, i) => racer("many-versions", `0.${i}.0`, token, i)));
    // Index reads while the versions land: each must be self-consistent, and none may leave a stale copy behind.
    const reads: Promise<HttpResult>[] = [];
    const reading = setInterval(() => reads.push(getIndex("many-versions", token)), 2);
    const results = await race(racers);
    clearInterval(reading);
    for (const read of await Promise.all(reads)) {
      if (read.status === 404) continue;
      expect(read.status).toBe(200);
      expect(read.headers.etag).toBe(`"${sha256(read.body)}"`);
    }
    expect(reads.length).toBeGreaterThan(5);
    expect(results.map((r) => `${r.racer.vers} ${r.status} ${r.detail ?? ""}`)).toEqual(racers.map((r) => `${r.vers} 200 `));
    const index = await getIndex("many-versions", token);
    expect(index.headers.etag).toBe(`"${sha256(index.body)}"`);
    const lines = index.body.toString().trimEnd().split("\n").map((l) => JSON.parse(l) as { vers: string; cksum: string });
    expect(lines).toHaveLength(50);
    const byVersion = new Map(lines.map((l) => [l.vers, l.cksum]));
    for (const r of racers) expect(byVersion.get(r.vers)).toBe(sha256(r.crate));
    expect(t.rowCounts()).toMatchObject({ crates: 1, versions: 50, owners: 1 });
    expect(t.storedFiles()).toHaveLength(50);
    expect(tmpFiles()).toEqual([]);
  });
});

describe("yank and unyank races", () => {
  it("leave the index line, its ETag and the database in agreement", async () => {
    const user = t.createUser("alice");
    const token = t.createToken(user).token;
    const agent = keepAliveAgent(32);
    const versions = ["1.0.0", "1.0.1", "2.0.0-beta.1"];
    for (const vers of versions) {
      const res = await send(`${server.url}/api/v1/crates/new`, { method: "PUT", headers: { Authorization: token }, body: await new CrateBuilder("yo-yo", vers).publishBody(), agent });
      expect(res.status).toBe(200);
    }
    const random = new Random(SEED);
    const storms = LONG ? 10 : 3;
    for (let storm = 0; storm < storms; storm++) {
      const before = await getIndex("yo-yo", token);
      const requests: Promise<unknown>[] = [];
      const reads: Promise<HttpResult>[] = [];
      for (let i = 0; i < 200; i++) {
        if (random.next() < 0.2) {
          reads.push(getIndex("yo-yo", token));
          continue;
        }
        const vers = random.pick(versions);
        const yank = random.next() < 0.5;
        const path = `/api/v1/crates/yo-yo/${vers}/${yank ? "yank" : "unyank"}`;
        requests.push(
          send(`${server.url}${path}`, { method: yank ? "DELETE" : "PUT", headers: { Authorization: token }, agent }).then((res) => {
            expect(res.failed ? res.error : `${res.status} ${res.body}`).toBe('200 {"ok":true}');
          }),
        );
      }
      await Promise.all(requests);
      // Every index response served during the storm matched its own ETag.
      for (const read of await Promise.all(reads)) {
        expect(read.status).toBe(200);
        expect(read.headers.etag).toBe(`"${sha256(read.body)}"`);
      }

      const after = await getIndex("yo-yo", token);
      expect(after.headers.etag).toBe(`"${sha256(after.body)}"`);
      const lines = after.body.toString().trimEnd().split("\n").map((l) => JSON.parse(l) as { vers: string; yanked: boolean });
      const crate = t.ctx.db.crates.findByCanonicalName("yo_yo")!;
      const dbFlags = Object.fromEntries(t.ctx.db.versions.listForCrate(crate.id).map((v) => [v.num, v.yanked]));
      expect(Object.fromEntries(lines.map((l) => [l.vers, l.yanked]))).toEqual(dbFlags);
      expect(lines.map((l) => l.vers)).toEqual(versions);

      // The audit log flips each version alternately, and its last entry is the current state.
      for (const vers of versions) {
        const actions = (
          t.ctx.db.sqlite.prepare(`SELECT action FROM audit_log WHERE crate_name = 'yo-yo' AND version = ? AND action IN ('yank', 'unyank') ORDER BY id`).all(vers) as { action: string }[]
        ).map((a) => a.action);
        actions.forEach((action, i) => expect(action).toBe(i % 2 === 0 ? "yank" : "unyank"));
        expect(actions.length % 2 === 1).toBe(dbFlags[vers]);
      }

      const etag = after.headers.etag as string;
      const notModified = await getIndex("yo-yo", token, { "If-None-Match": etag });
      expect(notModified.status).toBe(304);
      expect(notModified.body.length).toBe(0);
      const stale = await getIndex("yo-yo", token, { "If-None-Match": before.headers.etag as string });
      expect(stale.status).toBe(before.body.equals(after.body) ? 304 : 200);

      // One more change moves the ETag on, and the next conditional GET sees it.
      const target = versions[storm % versions.length]!;
      const flip = dbFlags[target] ? "unyank" : "yank";
      await send(`${server.url}/api/v1/crates/yo-yo/${target}/${flip}`, { method: flip === "yank" ? "DELETE" : "PUT", headers: { Authorization: token }, agent });
      const changed = await getIndex("yo-yo", token, { "If-None-Match": etag });
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      expect(changed.headers.etag).toBe(`"${sha256(changed.body)}"`);
      const line = changed.body.toString().trimEnd().split("\n").map((l) => JSON.parse(l) as { vers: string; yanked: boolean }).find((l) => l.vers === target)!;
      expect(line.yanked).toBe(flip === "yank");
    }
    agent.destroy();
  });
});
