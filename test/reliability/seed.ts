// Shared set-up for the reliability tests: the run size (normal or CARGOHOLD_LONG_TESTS), a seeded
// random source, a data folder with users and tokens made before the server starts, and the RSS of
// a child process.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateToken, hashToken } from "../../src/auth/tokens.js";
import type { EndpointScope } from "../../src/auth/scopes.js";
import { loadConfig } from "../../src/config.js";
import { createContext } from "../../src/context.js";
import { silentLogger } from "../../src/logger.js";

/** True when the long variants were asked for (`CARGOHOLD_LONG_TESTS=1`). */
export const LONG = ["1", "true", "yes"].includes((process.env.CARGOHOLD_LONG_TESTS ?? "").toLowerCase());

/** The seed of every random choice; fixed unless CARGOHOLD_TEST_SEED is set, and printed with the figures. */
export const SEED = Number(process.env.CARGOHOLD_TEST_SEED ?? 20260711) >>> 0;

/** Environment for a server process that must not rate-limit the tests' publishes. */
export const UNLIMITED_PUBLISH_ENV = { NEW_CRATE_BURST: "0", PUBLISH_BURST: "0" };

/** A seeded pseudo-random source (mulberry32). */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** `length` bytes that gzip cannot shrink, so a `.crate` really is that large. */
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i += 4) {
      let word = (this.next() * 4294967296) >>> 0;
      for (let j = i; j < Math.min(i + 4, length); j++, word >>>= 8) out[j] = word & 0xff;
    }
    return out;
  }
}

export interface SeededToken {
  login: string;
  userId: number;
  tokenId: number;
  token: string;
}

export const ALL_SCOPES: EndpointScope[] = ["publish-new", "publish-update", "yank", "change-owners"];

/**
 * Makes a fresh data folder holding the given users, each with `tokensPerUser` all-scope tokens,
 * written straight to the database (the server is not running yet).
 */
export function seedDataDir(logins: string[], tokensPerUser = 1): { dataDir: string; tokens: SeededToken[] } {
  const dataDir = mkdtempSync(join(tmpdir(), "cargohold-reliability-"));
  const ctx = createContext(loadConfig({ DATA_DIR: dataDir, LOG_FORMAT: "silent" }), { logger: silentLogger });
  const tokens: SeededToken[] = [];
  try {
    for (const login of logins) {
      const userId = ctx.db.users.create({ login, name: null, email: null, passwordHash: "x", isAdmin: false, createdAt: "2026-01-01T00:00:00Z" });
      for (let i = 0; i < tokensPerUser; i++) {
        const token = generateToken();
        const tokenId = ctx.db.tokens.create({
          userId,
          name: `${login} token ${i}`,
          tokenHash: hashToken(token),
          endpointScopes: ALL_SCOPES,
          crateScopes: null,
          createdAt: "2026-01-01T00:00:00Z",
          expiresAt: null,
        });
        tokens.push({ login, userId, tokenId, token });
      }
    }
  } finally {
    ctx.db.close();
  }
  return { dataDir, tokens };
}

/** Resident set size of a process in bytes, from /proc (undefined once it has exited or off Linux). */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const mib = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
