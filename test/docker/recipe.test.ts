// Proves the Dockerfile's recipe without a Docker engine: its build stage is performed in a clean
// folder (the COPY lines, then `npm ci` and `npm prune` as written), its runtime stage is assembled
// in another exactly as its COPY lines say, and the server is started there with the image's CMD,
// as the image's user. Slow (npm ci compiles the SQLite driver): minutes, not seconds.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/server-process.js";
import { dockerignoreMatcher, instructions, parseDockerfile } from "./dockerfile.js";
import { exec, performStage, start, type StageResult } from "./recipe.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const stages = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8"));
const build = stages[0]!;
const runtime = stages.at(-1)!;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
// The official node images create the `node` user as uid/gid 1000.
const IMAGE_USERS: Record<string, number> = { node: 1000 };
const asRoot = process.getuid?.() === 0;

const work = mkdtempSync(join(tmpdir(), "cargohold-docker-"));
chmodSync(work, 0o755); // the image's user must reach /app and /data inside it
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What RUN lines see besides the stage's ENV: enough to find tools and reach the npm registry. */
function baseEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]!]])));
}

describe("the Dockerfile", () => {
  it("declares two stages, and a runtime that runs as a non-root user with /data, 0.0.0.0:3000 and a health check", () => {
    expect(stages).toHaveLength(2);
    expect(build.name).toBe("build");
    expect(runtime.image).toBe(build.image);
    const text = (op: string) => instructions(runtime, op).map((i) => i.args);
    expect(text("ENV").join(" ")).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(text("USER")).toEqual(["node"]);
    expect(text("VOLUME")).toEqual(["/data"]);
    expect(text("EXPOSE")).toEqual(["3000"]);
    expect(text("HEALTHCHECK").join(" ")).toContain("/health");
    // No build tools in the runtime: nothing is installed there, and only the build stage's output is copied.
    expect(text("RUN").join(" ")).not.toMatch(/apt-get|npm/);
    expect(text("COPY").filter((c) => c.startsWith("--from=")).every((c) => c.startsWith("--from=build "))).toBe(true);
  });

  it(
    "builds in a clean folder, installs production dependencies only, and serves /health and the index",
    async () => {
      const ignored = dockerignoreMatcher(existsSync(join(root, ".dockerignore")) ? readFileSync(join(root, ".dockerignore"), "utf8") : "");
      const previous = new Map<string, StageResult>();
      const options = { contextDir: root, ignored, previous, baseEnv: baseEnv() };
      previous.set("build", await performStage(build, { ...options, hostDir: join(work, "build") }));
      const app = await performStage(runtime, { ...options, hostDir: join(work, "app") });

      // The runtime holds exactly what its COPY lines name, and no development dependency.
      expect(readdirSync(app.dir).sort()).toEqual([...app.copied].sort());
      expect(app.copied.sort()).toEqual(["bin", "dist", "migrations", "node_modules", "package.json", "public", "views"]);
      const installed = (name: string) => existsSync(join(app.dir, "node_modules", name, "package.json"));
      expect(Object.keys(pkg.devDependencies).filter(installed)).toEqual([]);
      expect(["vitest", "typescript", "supertest", "playwright-core", "tsx"].filter(installed)).toEqual([]);
      const types = existsSync(join(app.dir, "node_modules/@types")) ? readdirSync(join(app.dir, "node_modules/@types")) : [];
      expect(types.filter((t) => installed(`@types/${t}`))).toEqual([]);
      expect(existsSync(join(app.dir, "node_modules/better-sqlite3/build/Release/better_sqlite3.node"))).toBe(true);

      await serve(app);
    },
    20 * 60_000,
  );
});

/** Starts the image's CMD in the assembled runtime as the image's user, and checks it serves. */
async function serve(app: StageResult): Promise<void> {
  const dataDir = join(work, "data");
  mkdirSync(dataDir);
  const uid = asRoot ? IMAGE_USERS[app.user!] : undefined;
  if (asRoot && uid === undefined) throw new Error(`unknown image user ${app.user}; add its uid to IMAGE_USERS`);
  if (uid !== undefined) chownSync(dataDir, uid, uid);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The image's ENV, with the container's address, port and volume replaced by this machine's.
  const env = { PATH: process.env.PATH ?? "", ...app.env, HOST: "127.0.0.1", PORT: String(port), DATA_DIR: dataDir, PUBLIC_URL: url };
  const as = { cwd: app.dir, env, uid, gid: uid };
  const [file, ...args] = app.cmd!;
  const server = start(file!, args, { ...as, timeoutMs: 5 * 60_000 });
  try {
    await waitForHealth(url, server.child);
    // The admin CLI works in the image's layout too (bin/ + dist/ + migrations/).
    const cli = (argv: string[], input?: string) => exec("node", ["bin/cargohold.js", ...argv], { ...as, timeoutMs: 60_000, input });
    const user = await cli(["user", "add", "admin", "--admin", "--password-stdin"], "a long password for the image\n");
    expect(user.code, user.output).toBe(0);
    const token = await cli(["token", "create", "admin", "--name", "docker"]);
    expect(token.code, token.output).toBe(0);
    const config = await fetch(`${url}/index/config.json`, { headers: { Authorization: token.stdout.trim() } });
    expect(config.status).toBe(200);
    expect(await config.json()).toEqual({ dl: `${url}/api/v1/crates`, api: url, "auth-required": true });
    // The pages render from views/ and the static files come from public/.
    const login = await fetch(`${url}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("<form");
    for (const file of readdirSync(join(app.dir, "public")).filter((f) => !f.startsWith("."))) {
      expect((await fetch(`${url}/static/${file}`)).status, `/static/${file}`).toBe(200);
    }
    const healthcheck = await exec("sh", ["-c", app.healthcheck!], { ...as, timeoutMs: 30_000 });
    expect(healthcheck.code, `HEALTHCHECK ${app.healthcheck}\n${healthcheck.output}`).toBe(0);
  } finally {
    await stop(server.child, server.done);
  }
  // docker stop sends SIGTERM: the server must shut down cleanly on it.
  const { code, output } = await server.done;
  expect(code, output).toBe(0);
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("the server exited before answering /health");
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("/health did not answer 200 within 30 s");
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGTERM (what `docker stop` sends), then SIGKILL if it lingers: no test leaves it running. */
async function stop(child: ChildProcess, done: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const lingering = await Promise.race([done.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 30_000))]);
  if (lingering) child.kill("SIGKILL");
}
