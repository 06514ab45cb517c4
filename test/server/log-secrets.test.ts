// The server's log of a whole session of use never contains a secret: not the API tokens (good,
// mistyped or unknown), not the password, not the session cookie, not the CSRF token.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import supertest from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { generateToken } from "../../src/auth/tokens.js";
import { loadConfig } from "../../src/config.js";
import { createContext } from "../../src/context.js";
import { silentLogger } from "../../src/logger.js";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { startServerProcess, type ServerProcess } from "../helpers/server-process.js";
import { csrfFrom, PASSWORD, sessionFor } from "../helpers/web.js";

const dataDir = mkdtempSync(join(tmpdir(), "cargohold-logs-"));
let server: ServerProcess | undefined;
afterAll(() => {
  server?.child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the request log", () => {
  it("records who did what without ever writing a secret", async () => {
    const ctx = createContext(loadConfig({ DATA_DIR: dataDir, LOG_FORMAT: "silent" }), { logger: silentLogger });
    // bcrypt of PASSWORD at cost 4, as in test/helpers/test-app.ts
    ctx.db.users.create({ login: "alice", name: null, email: null, passwordHash: "$2b$04$iQlPgY7MmZMRLGni11h20uqTXR8PtL9qciD8jz38FeO/Gey6GaoRu", isAdmin: true, createdAt: "2026-01-01T00:00:00Z" });
    ctx.db.close();
    server = await startServerProcess({ DATA_DIR: dataDir, LOG_FORMAT: "json" });
    const http = supertest(server.url);

    // A browser session makes a token on the New API Token page.
    const { cookie, csrf } = await sessionFor(server.url, "alice");
    const sessionId = cookie.split("=")[1]!;
    const form = await http.get("/settings/tokens/new").set("Cookie", cookie).expect(200);
    const created = await http
      .post("/settings/tokens")
      .set("Cookie", cookie)
      .type("form")
      .send(`csrf=${csrfFrom(form.text)}&nonce=${/name="nonce" value="([^"]*)"/.exec(form.text)![1]}&name=ci&expiry=30&scope=publish-new&scope=publish-update&scope=yank`);
    const token = /cargohold_[0-9A-Za-z]{38}/.exec(created.text)![0];

    // cargo's requests with it, and with a mistyped and an unknown token.
    await http.put("/api/v1/crates/new").set("Authorization", token).send(await new CrateBuilder("logged", "1.0.0").publishBody()).expect(200);
    await http.get("/index/lo/gg/logged").set("Authorization", token).expect(200);
    await http.get("/api/v1/crates/logged/1.0.0/download").set("Authorization", `Bearer ${token}`).expect(200);
    await http.delete("/api/v1/crates/logged/1.0.0/yank").set("Authorization", token).expect(200);
    const mistyped = `${token.slice(0, -2)}zz`;
    const unknown = generateToken();
    await http.get("/index/config.json").set("Authorization", mistyped).expect(401);
    await http.delete("/api/v1/crates/logged/1.0.0/yank").set("Authorization", unknown).expect(403);
    // A failed sign-in with a wrong password, and a sign-out.
    const login = await http.get("/login");
    const anonymous = (login.headers["set-cookie"] as unknown as string[])[0]!.split(";")[0]!;
    await http.post("/login").set("Cookie", anonymous).type("form").send({ csrf: csrfFrom(login.text), login: "alice", password: "wrong password 123" });
    await http.post("/logout").set("Cookie", cookie).type("form").send({ csrf });

    server.child.kill("SIGTERM");
    await server.exited;
    const log = server.output();
    const lines = log.split("\n").filter((l) => l.startsWith("{"));
    expect(lines.length).toBeGreaterThan(10);
    const requests = lines.map((l) => JSON.parse(l)).filter((e) => e.msg === "request");
    expect(requests.find((e) => e.path === "/api/v1/crates/new")).toMatchObject({ status: 200, userId: 1, tokenId: 1, method: "PUT" });
    expect(requests.find((e) => e.status === 401)).toMatchObject({ authFailure: "malformed" });
    for (const [what, secret] of Object.entries({ token, mistyped, unknown, password: PASSWORD, wrongPassword: "wrong password 123", sessionId, csrf })) {
      expect(log.includes(secret), `${what} appears in the log`).toBe(false);
    }
  });
});
