// The server refuses to start on an unusable data folder or a bad setting, saying which and why,
// and touches nothing.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs src/main.ts with `env` and resolves with its exit code and output once it stops. */
function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", LOG_FORMAT: "json", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("starting the server", () => {
  it("refuses a DATA_DIR that is a file, naming it, and leaves the file as it was", async () => {
    dir = mkdtempSync(join(tmpdir(), "cargohold-start-"));
    const file = join(dir, "not-a-folder");
    writeFileSync(file, "keep me");
    const { code, output } = await start({ DATA_DIR: file });
    expect(code).toBe(1);
    expect(output).toContain(`cargohold: DATA_DIR ${file} is not a folder`);
    expect(readFileSync(file, "utf8")).toBe("keep me");
    expect(readdirSync(dir)).toEqual(["not-a-folder"]);
  });

  it("refuses a bad setting with exit code 2, naming the variable, and creates nothing", async () => {
    dir = mkdtempSync(join(tmpdir(), "cargohold-start-"));
    const dataDir = join(dir, "data");
    const { code, output } = await start({ DATA_DIR: dataDir, AUTH_REQUIRED: "maybe", PUBLIC_URL: "ftp://x" });
    expect(code).toBe(2);
    expect(output).toContain('AUTH_REQUIRED must be true or false (got "maybe")');
    expect(output).toContain("PUBLIC_URL must start with http:// or https://");
    expect(readdirSync(dir)).toEqual([]);
  });
});
