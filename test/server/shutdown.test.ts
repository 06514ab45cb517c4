// SIGTERM lets an in-flight publish finish (or, past the grace period, drops it without a trace).
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateToken, hashToken } from "../../src/auth/tokens.js";
import { loadConfig } from "../../src/config.js";
import { createContext } from "../../src/context.js";
import { silentLogger } from "../../src/logger.js";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { startServerProcess, type ServerProcess } from "../helpers/server-process.js";

let dataDir: string;
let server: ServerProcess | undefined;
afterEach(() => {
  server?.child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

/** A user and a token made directly in a fresh data folder, before the server starts. */
function seed(): string {
  dataDir = mkdtempSync(join(tmpdir(), "cargohold-shutdown-"));
  const ctx = createContext(loadConfig({ DATA_DIR: dataDir, LOG_FORMAT: "silent" }), { logger: silentLogger });
  const userId = ctx.db.users.create({ login: "alice", name: null, email: null, passwordHash: "x", isAdmin: false, createdAt: "2026-01-01T00:00:00Z" });
  const token = generateToken();
  ctx.db.tokens.create({ userId, name: "t", tokenHash: hashToken(token), endpointScopes: ["publish-new"], crateScopes: null, createdAt: "2026-01-01T00:00:00Z", expiresAt: null });
  ctx.db.close();
  return token;
}

/** Starts a publish and sends the first half of its body; `finish()` sends the rest and resolves with the response. */
async function startUpload(url: string, token: string, body: Buffer) {
  const req = request(`${url}/api/v1/crates/new`, { method: "PUT", headers: { Authorization: token, "Content-Length": body.length } });
  const response = new Promise<{ status: number; body: string } | Error>((resolve) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", resolve);
  });
  req.write(body.subarray(0, body.length / 2));
  await new Promise((r) => setTimeout(r, 200));
  return { finish: () => (req.end(body.subarray(body.length / 2)), response), response };
}

function storedVersions(): string[] {
  const ctx = createContext(loadConfig({ DATA_DIR: dataDir, LOG_FORMAT: "silent" }), { logger: silentLogger });
  try {
    return ctx.db.versions.listAllFiles().map((v) => `${v.crateName}@${v.num}`);
  } finally {
    ctx.db.close();
  }
}

describe("graceful shutdown", () => {
  it("lets an in-flight publish complete, refuses new connections, and exits 0", async () => {
    const token = seed();
    server = await startServerProcess({ DATA_DIR: dataDir });
    const upload = await startUpload(server.url, token, await new CrateBuilder("late", "1.0.0").file("pad", "x".repeat(50_000)).publishBody());
    server.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    const res = await upload.finish();
    expect(res).toMatchObject({ status: 200 });
    expect(await server.exited).toBe(0);
    expect(storedVersions()).toEqual(["late@1.0.0"]);
    expect(server.output()).toContain('"msg":"stopped"');
  });

  it("drops a publish that outlasts the grace period, leaving nothing behind", async () => {
    const token = seed();
    server = await startServerProcess({ DATA_DIR: dataDir, SHUTDOWN_GRACE_SECONDS: "1" });
    const upload = await startUpload(server.url, token, await new CrateBuilder("stuck", "1.0.0").publishBody());
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(await upload.response).toBeInstanceOf(Error);
    expect(storedVersions()).toEqual([]);
    expect(readdirSync(join(dataDir, "tmp"))).toEqual([]);
    expect(readdirSync(join(dataDir, "crates"))).toEqual([]);
  });
});
