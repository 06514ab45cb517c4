// The registry's configuration: defaults, parsing of environment variables and validation.
// Pure: the caller passes the environment in (only src/main.ts reads process.env).
import { resolve } from "node:path";

export type LogFormat = "json" | "pretty" | "silent";

export interface Config {
  port: number;
  host: string;
  /** Absolute path of the folder holding the database and the crate files. */
  dataDir: string;
  /** Base URL people and cargo reach the registry at, without a trailing slash. */
  publicUrl: string;
  /** When true (the default) every read needs a valid token or a web session. */
  authRequired: boolean;
  /** Largest accepted `.crate` file, in bytes. */
  maxUploadBytes: number;
  /** Largest accepted publish metadata JSON, in bytes (crates.io: 1 MiB). */
  maxMetadataBytes: number;
  /** Largest accepted decompressed size of a `.crate` file (crates.io: 512 MiB). */
  maxUnpackedBytes: number;
  /** Name used for this registry in the snippets shown to users (`--registry NAME`). */
  registryName: string;
  bcryptCost: number;
  logFormat: LogFormat;
  /** Publish rate limits per user (a burst, then one more every `refillSeconds`); burst 0 turns a limit off. */
  publishLimits: { "new-crate": { burst: number; refillSeconds: number }; "new-version": { burst: number; refillSeconds: number } };
  /** Trust `X-Forwarded-For` from a reverse proxy in front (for client addresses in rate limits and logs). */
  trustProxy: boolean;
  /** How long in-flight requests may run on after SIGTERM/SIGINT before their connections are closed. */
  shutdownGraceSeconds: number;
  /** Bearer secret for /metrics; metrics are off when unset. */
  metricsToken: string | undefined;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const MIB = 1024 * 1024;

/**
 * Builds the configuration from environment variables, then applies `overrides` (used by tests).
 * Throws ConfigError naming every bad variable and what it expects.
 */
export function loadConfig(env: Record<string, string | undefined>, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const port = parseInteger(env, "PORT", 3000, 0, 65535, problems);
  const publicUrlRaw = env.PUBLIC_URL ?? `http://localhost:${port}`;
  const config: Config = {
    port,
    host: nonEmpty(env, "HOST", "127.0.0.1", problems),
    dataDir: resolve(nonEmpty(env, "DATA_DIR", "./data", problems)),
    publicUrl: parsePublicUrl(publicUrlRaw, problems),
    authRequired: parseBoolean(env, "AUTH_REQUIRED", true, problems),
    maxUploadBytes: parseSize(env, "MAX_UPLOAD_SIZE", 10 * MIB, problems),
    maxMetadataBytes: MIB,
    maxUnpackedBytes: parseSize(env, "MAX_UNPACKED_SIZE", 512 * MIB, problems),
    registryName: parseRegistryName(env.REGISTRY_NAME ?? "cargohold", problems),
    bcryptCost: parseInteger(env, "BCRYPT_COST", 12, 4, 31, problems),
    logFormat: parseLogFormat(env.LOG_FORMAT ?? "json", problems),
    metricsToken: parseMetricsToken(env.METRICS_TOKEN, problems),
    trustProxy: parseBoolean(env, "TRUST_PROXY", false, problems),
    shutdownGraceSeconds: parseInteger(env, "SHUTDOWN_GRACE_SECONDS", 25, 0, 3600, problems),
    publishLimits: {
      "new-crate": {
        burst: parseInteger(env, "NEW_CRATE_BURST", 50, 0, 1_000_000, problems),
        refillSeconds: parseInteger(env, "NEW_CRATE_REFILL_SECONDS", 60, 1, 86_400, problems),
      },
      "new-version": {
        burst: parseInteger(env, "PUBLISH_BURST", 200, 0, 1_000_000, problems),
        refillSeconds: parseInteger(env, "PUBLISH_REFILL_SECONDS", 5, 1, 86_400, problems),
      },
    },
    ...overrides,
  };
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return config;
}

function nonEmpty(env: Record<string, string | undefined>, key: string, fallback: string, problems: string[]): string {
  const value = env[key];
  if (value === undefined) return fallback;
  if (value.trim() === "") problems.push(`${key} must not be empty`);
  return value;
}

function parseInteger(
  env: Record<string, string | undefined>,
  key: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[key];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${key} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return Number(raw);
}

function parseBoolean(env: Record<string, string | undefined>, key: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[key];
  if (raw === undefined) return fallback;
  const value = raw.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(value)) return true;
  if (["false", "0", "no", "off"].includes(value)) return false;
  problems.push(`${key} must be true or false (got "${raw}")`);
  return fallback;
}

/** Accepts a byte count with an optional unit: 10485760, 512KiB, 10MiB, 1GiB (also KB/MB/GB, meaning the same powers of 1024). */
export function parseByteSize(raw: string): number | undefined {
  const match = /^\s*(\d+)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$/i.exec(raw);
  if (!match) return undefined;
  const unit = (match[2] ?? "b").toLowerCase()[0];
  const factor = unit === "k" ? 1024 : unit === "m" ? MIB : unit === "g" ? 1024 * MIB : 1;
  const bytes = Number(match[1]) * factor;
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

function parseSize(env: Record<string, string | undefined>, key: string, fallback: number, problems: string[]): number {
  const raw = env[key];
  if (raw === undefined) return fallback;
  const bytes = parseByteSize(raw);
  // The publish body frames the crate with a u32 length, so 4 GiB is the hard cap.
  if (bytes === undefined || bytes >= 2 ** 32) {
    problems.push(`${key} must be a size such as 10485760 or 10MiB, below 4GiB (got "${raw}")`);
    return fallback;
  }
  return bytes;
}

function parsePublicUrl(raw: string, problems: string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`PUBLIC_URL must be an absolute http(s) URL such as https://crates.example.com (got "${raw}")`);
    return raw;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    problems.push(`PUBLIC_URL must start with http:// or https:// (got "${raw}")`);
  }
  if (url.username || url.password) problems.push("PUBLIC_URL must not contain a user name or password");
  if (url.search || url.hash) problems.push(`PUBLIC_URL must not have a query or fragment (got "${raw}")`);
  // No trailing slash: cargo appends `/api/v1/...` to `api` verbatim, and `//api` would not route.
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

function parseRegistryName(raw: string, problems: string[]): string {
  if (!/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(raw)) {
    problems.push(`REGISTRY_NAME must be a cargo registry name such as my-company (got "${raw}")`);
  }
  return raw;
}

function parseMetricsToken(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (raw.length < 16) problems.push("METRICS_TOKEN must be at least 16 characters long");
  return raw;
}

function parseLogFormat(raw: string, problems: string[]): LogFormat {
  if (raw === "json" || raw === "pretty" || raw === "silent") return raw;
  problems.push(`LOG_FORMAT must be json, pretty or silent (got "${raw}")`);
  return "json";
}
