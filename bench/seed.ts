// Seeds a realistic registry straight into the database and the crate store, through the app's own
// modules (createContext, the query objects, CrateStore paths), and exports the identical index
// files for nginx. Thousands of crates take seconds this way instead of thousands of HTTP publishes.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildIndexFile } from "../src/api/index-files.js";
import { generateToken, hashToken } from "../src/auth/tokens.js";
import { loadConfig } from "../src/config.js";
import { createContext, type AppContext } from "../src/context.js";
import type { IndexDependency } from "../src/registry/index-entry.js";
import { indexPath } from "../src/registry/index-path.js";
import { canonicalName } from "../src/registry/names.js";
import { silentLogger } from "../src/logger.js";
import { isoSeconds } from "../src/time.js";
import { libraryCrate, sha256 } from "./crate-files.js";

export interface Shape {
  /** Ordinary crates have this many versions. */
  versions: number;
  /** Every `bigEvery`-th crate is a big one: `bigVersions` versions with `bigDeps` dependencies each. */
  bigEvery: number;
  bigVersions: number;
  bigDeps: number;
}

export const WORDS = (
  "async tokio serde json yaml toml http hyper tower axum actix web net tls rustls crypto hash sha blake rand " +
  "log trace metrics time chrono uuid regex parse nom pest syn quote proc macro derive error anyhow thiserror " +
  "cli clap args config env fs path io buf bytes stream future channel sync lock atomic pool cache lru map set " +
  "tree graph vec array matrix num float int big decimal image png jpeg audio video codec zip gzip tar compress " +
  "db sql sqlite postgres redis mongo kv store queue grpc proto rpc client server util core common types test mock"
).split(" ");

// A small deterministic PRNG, so two runs seed the same registry.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function openRegistry(dataDir: string, publicUrl = "http://127.0.0.1"): AppContext {
  return createContext(loadConfig({}, { dataDir, publicUrl, logFormat: "silent" }), { logger: silentLogger });
}

/** A user with a token of every scope; returns the token's plaintext. */
export function seedUser(ctx: AppContext): { token: string; userId: number } {
  const now = isoSeconds(new Date());
  const passwordHash = "$2b$04$iQlPgY7MmZMRLGni11h20uqTXR8PtL9qciD8jz38FeO/Gey6GaoRu";
  const userId = ctx.db.users.create({ login: "bench", name: "Bench", email: null, passwordHash, isAdmin: true, createdAt: now });
  const token = generateToken();
  const scopes = ["publish-new", "publish-update", "yank", "change-owners"];
  ctx.db.tokens.create({ userId, name: "bench", tokenHash: hashToken(token), endpointScopes: scopes, crateScopes: null, createdAt: now, expiresAt: null });
  return { token, userId };
}

interface VersionSpec {
  num: string;
  deps: IndexDependency[];
  features: Record<string, string[]>;
  /** Extra files in the .crate (a big payload for the download test). */
  files?: Record<string, Buffer>;
}

const dep = (name: string, req: string, extra: Partial<IndexDependency> = {}): IndexDependency => ({
  name,
  req,
  features: [],
  optional: false,
  default_features: true,
  target: null,
  kind: "normal",
  registry: null,
  package: null,
  ...extra,
});

const startTime = Date.UTC(2024, 0, 1) / 1000;

/**
 * Inserts one crate with its versions, owned by `userId`. With `writeFiles`, each version gets a real
 * .crate in the store and its true checksum; without, a synthetic checksum (index and search only).
 */
export function insertCrate(ctx: AppContext, userId: number, name: string, description: string, keywords: string[], versions: VersionSpec[], writeFiles: boolean): void {
  const created = isoSeconds(new Date((startTime + ctx.db.crates.count() * 60) * 1000));
  const crateId = ctx.db.crates.create({ name, canonicalName: canonicalName(name), description, keywords, now: created });
  ctx.db.crates.addOwner(crateId, userId, created);
  versions.forEach((v, i) => {
    let checksum = sha256(`${name}-${v.num}`);
    let size = 8_000;
    if (writeFiles) {
      const file = libraryCrate(name, v.num, v.files);
      const path = ctx.store.pathFor(name, v.num);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file);
      checksum = sha256(file);
      size = file.length;
    }
    ctx.db.versions.create({
      crateId, num: v.num, numNoBuild: v.num, deps: v.deps, features: v.features, links: null, rustVersion: "1.70",
      checksum, size, description, license: "MIT OR Apache-2.0", licenseFile: null, homepage: null, documentation: null,
      repository: `https://example.com/${name}`, readme: null, keywords, categories: [], authors: [],
      publishedBy: userId, publishedWithToken: null, createdAt: isoSeconds(new Date((startTime + i * 86_400) * 1000)),
    });
  });
}

/**
 * Adds crates named from a word list until the registry holds `total` (counting those already there).
 * Ordinary crates get `shape.versions` versions and 0–6 dependencies on earlier crates; big ones get
 * `shape.bigVersions` versions with `shape.bigDeps` dependencies each. Returns the new crates' names.
 */
export function seedCrates(ctx: AppContext, userId: number, total: number, shape: Shape, writeFiles: boolean, seed = 1): string[] {
  const random = prng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const names: string[] = [];
  const taken = new Set<string>();
  let n = ctx.db.crates.count();
  const insertBatch = (count: number) =>
    ctx.db.transaction(() => {
      for (let k = 0; k < count && n < total; k++, n++) {
        let name = `${pick(WORDS)}-${pick(WORDS)}`;
        if (taken.has(name) || ctx.db.crates.findByCanonicalName(canonicalName(name))) name = `${name}-${n}`;
        taken.add(name);
        const big = shape.bigEvery > 0 && n % shape.bigEvery === 0;
        const count = big ? shape.bigVersions : shape.versions;
        const depCount = big ? shape.bigDeps : Math.floor(random() * 7);
        const depNames = names.length ? Array.from({ length: Math.min(depCount, names.length) }, () => pick(names)) : [];
        const deps = [...new Set(depNames)].map((d, i) =>
          dep(d, `^${1 + (i % 3)}.${i % 10}`, i % 5 === 4 ? { kind: "dev" } : i % 7 === 6 ? { optional: true, features: ["std"] } : {}),
        );
        const features: Record<string, string[]> = { default: ["std"], std: [] };
        for (const d of deps) if (d.optional) features[`with-${d.name}`] = [`dep:${d.name}`];
        const versions = Array.from({ length: count }, (_, i) => ({
          num: big ? `${Math.floor(i / 20)}.${Math.floor((i % 20) / 5)}.${i % 5}` : `1.${i}.0`,
          deps,
          features,
        }));
        const description = `${pick(WORDS)} ${pick(WORDS)} support for ${pick(WORDS)} and ${pick(WORDS)} applications`;
        insertCrate(ctx, userId, name, description, [pick(WORDS), pick(WORDS)], versions, writeFiles);
        names.push(name);
      }
    });
  while (n < total) insertBatch(500);
  return names;
}

/**
 * A dependency graph of `count` real crates (`graph-000` …) for the cargo test: each has three
 * versions and depends on its two children in a binary tree plus one cross edge, so depending on
 * `graph-000` pulls in all of them. Returns the root's name.
 */
export function seedCargoGraph(ctx: AppContext, userId: number, count: number): string {
  const name = (i: number) => `graph-${String(i).padStart(3, "0")}`;
  ctx.db.transaction(() => {
    // Leaves first, so every dependency exists when its dependent is inserted.
    for (let i = count - 1; i >= 0; i--) {
      const children = [2 * i + 1, 2 * i + 2, i + 7].filter((c, k, all) => c < count && all.indexOf(c) === k);
      const deps = children.map((c) => dep(name(c), "^1"));
      const versions = ["1.0.0", "1.1.0", "1.2.0"].map((num) => ({ num, deps, features: {} }));
      insertCrate(ctx, userId, name(i), `graph crate ${i}`, ["graph"], versions, true);
    }
  });
  return name(0);
}

/** One crate whose single version carries `bytes` of incompressible data (the download test). */
export function seedDownloadCrate(ctx: AppContext, userId: number, bytes: number): { name: string; vers: string; size: number } {
  const name = "bench-download";
  ctx.db.transaction(() =>
    insertCrate(ctx, userId, name, "a large crate", ["bench"], [{ num: "1.0.0", deps: [], features: {}, files: { "data.bin": randomBytes(bytes) } }], true),
  );
  const size = ctx.db.versions.findByNum(ctx.db.crates.findByCanonicalName(canonicalName(name))!.id, "1.0.0")!.size;
  return { name, vers: "1.0.0", size };
}

/** Writes the index files of `names` under `root/index/` exactly as the registry builds them. */
export function exportIndexFiles(ctx: AppContext, root: string, names: string[]): void {
  for (const name of names) {
    const crate = ctx.db.crates.findByCanonicalName(canonicalName(name));
    if (!crate) throw new Error(`seeded crate ${name} not found`);
    const path = join(root, "index", indexPath(name));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, buildIndexFile(ctx, crate).body);
  }
}

/** nginx's config.json: downloads straight from the store's folder layout (seeded names are lowercase). */
export function writeStaticConfig(root: string, url: string): void {
  mkdirSync(join(root, "index"), { recursive: true });
  writeFileSync(join(root, "index", "config.json"), JSON.stringify({ dl: `${url}/crates/{crate}/{crate}-{version}.crate`, api: url }));
}
