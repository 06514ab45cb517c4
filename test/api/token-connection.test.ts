// Several tokens on one keep-alive connection, as behind a proxy: the connection's memory of the
// last token's hash must never let one token stand for another, nor outlive a revocation.
import { request as httpRequest, Agent, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

let t: TestApp;
let server: Server;
let agent: Agent;
let connections: number;

beforeEach(async () => {
  t = createTestApp({ config: { authRequired: true } });
  server = t.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  connections = 0;
  server.on("connection", () => connections++);
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
});
afterEach(async () => {
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
  t.close();
});

/** Sends one request over the shared keep-alive connection; resolves with status and body text. */
function send(method: string, path: string, token: string): Promise<{ status: number; text: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, agent, headers: { Authorization: token } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("tokens sharing one connection", () => {
  it("each act as their own user, and a revoked one is refused on its next request", async () => {
    const alice = t.createUser("alice");
    const bob = t.createUser("bob");
    const aliceToken = t.createToken(alice).token;
    const bobToken = t.createToken(bob).token;
    await publish(t, aliceToken, "foo", "0.1.0");

    expect((await send("GET", "/index/3/f/foo", aliceToken)).status).toBe(200);
    const bobYank = await send("DELETE", "/api/v1/crates/foo/0.1.0/yank", bobToken);
    expect(bobYank.status).toBe(403);
    expect(bobYank.text).toContain("you are not an owner of crate `foo`");
    expect((await send("DELETE", "/api/v1/crates/foo/0.1.0/yank", aliceToken)).status).toBe(200);
    expect((await send("DELETE", "/api/v1/crates/foo/0.1.0/yank", bobToken)).status).toBe(403);

    expect((await send("DELETE", "/api/v1/tokens/current", aliceToken)).status).toBe(204);
    const afterRevoke = await send("GET", "/index/3/f/foo", aliceToken);
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.text).toContain("this token was revoked on");
    expect((await send("GET", "/index/3/f/foo", bobToken)).status).toBe(200);
    expect(connections).toBe(1);
  });

  it("refuses a same-length token that differs in one character from the last one", async () => {
    const aliceToken = t.createToken(t.createUser("alice")).token;
    await publish(t, aliceToken, "foo", "0.1.0");
    expect((await send("GET", "/index/3/f/foo", aliceToken)).status).toBe(200);
    const changed = aliceToken.slice(0, 20) + (aliceToken[20] === "a" ? "b" : "a") + aliceToken.slice(21);
    const res = await send("GET", "/index/3/f/foo", changed);
    expect(res.status).toBe(401);
    expect(res.text).toContain("checksum does not match");
    expect(connections).toBe(1);
  });
});
