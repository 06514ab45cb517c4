// Load generation with wrk (a native HTTP benchmarking tool, so the client is not the bottleneck).
// A Lua script rotates over a list of request paths, optionally with a token and per-path
// If-None-Match, and reports exact counts and latency percentiles as one JSON line.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpuPlan, pinned } from "./procs.js";

const SCRIPT = `-- args: requests file (path TAB etag per line), authorization file ("" for none), "1" to send If-None-Match
local reqs = {}
local i = 0
function init(args)
  local auth = nil
  local f = io.open(args[2], "r")
  if f then auth = f:read("*l"); f:close() end
  if auth == "" then auth = nil end
  for line in io.lines(args[1]) do
    local path, etag = line:match("^([^\\t]+)\\t?(.*)$")
    local headers = {}
    if auth then headers["Authorization"] = auth end
    if args[3] == "1" then headers["If-None-Match"] = etag end
    reqs[#reqs + 1] = wrk.format("GET", path, headers)
  end
  i = math.random(#reqs)
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"durationUs":%d,"bytes":%d,"errors":%d,"non2xx3xx":%d,"p50Us":%d,"p99Us":%d,"meanUs":%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
`;

export interface WrkResult {
  requests: number;
  durationUs: number;
  bytes: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** Responses with a status other than 2xx/3xx. */
  non2xx3xx: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  rps: number;
  mbps: number;
}

export interface WrkOptions {
  baseUrl: string;
  /** Request targets, each with the ETag to send when `conditional`. */
  targets: { path: string; etag?: string }[];
  authorization?: string;
  conditional?: boolean;
  connections: number;
  seconds: number;
  workDir: string;
  label: string;
}

/** Runs wrk once and returns its figures; throws if wrk fails or prints no result line. */
export async function runWrk(opts: WrkOptions): Promise<WrkResult> {
  const script = join(opts.workDir, "rotate.lua");
  writeFileSync(script, SCRIPT);
  const targetsFile = join(opts.workDir, `${opts.label}.targets`);
  writeFileSync(targetsFile, opts.targets.map((t) => `${t.path}\t${t.etag ?? ""}`).join("\n") + "\n");
  const authFile = join(opts.workDir, `${opts.label}.auth`);
  writeFileSync(authFile, `${opts.authorization ?? ""}\n`, { mode: 0o600 });
  const threads = Math.min(opts.connections, cpuPlan.loadThreads);
  const args = ["-t", String(threads), "-c", String(opts.connections), "-d", `${opts.seconds}s`, "--timeout", "10s", "-s", script, opts.baseUrl, "--", targetsFile, authFile, opts.conditional ? "1" : "0"];
  const [cmd, argv] = pinned(cpuPlan.load, "wrk", args);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), (opts.seconds + 30) * 1000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`wrk exited with ${code}: ${out}`));
    });
  });
  const line = /^WRKJSON (.+)$/m.exec(output);
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  const r = JSON.parse(line[1]!) as Omit<WrkResult, "rps" | "mbps">;
  const seconds = r.durationUs / 1e6;
  return { ...r, rps: r.requests / seconds, mbps: r.bytes / seconds / 1024 ** 2 };
}
