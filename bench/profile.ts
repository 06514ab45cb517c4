// Where cargohold's time goes while it serves index files: a separate server process runs under
// `node --cpu-prof`, is warmed up, takes one wrk run with a token, and its profile is summarised by
// where each sample's own (self) time was spent.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { collectTargets, type LoadBench } from "./measure-http.js";
import { fmt } from "./report.js";
import { startCargohold } from "./servers.js";
import { runWrk } from "./wrk.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// Responses go out through writev (headers and body together); the access log's lines through
// writeBuffer (stdout is a file here: one synchronous write per request) or writeUtf8String (a pipe).
const NATIVE_SOCKET = new Set(["writev", "writeLatin1String", "shutdown"]);
const NATIVE_LOG = new Set(["writeBuffer", "writeUtf8String"]);
const NATIVE_SQLITE = new Set(["get", "run", "all", "iterate", "pluck"]);
const NATIVE_CRYPTO = new Set(["Hash", "digest", "update", "crc32"]);

/** The bucket a frame's self time belongs to. */
function category({ functionName: fn, url }: ProfileNode["callFrame"]): string {
  if (fn === "(idle)") return "idle (waiting for the network)";
  if (fn === "(garbage collector)") return "garbage collection";
  if (!url) {
    if (NATIVE_SOCKET.has(fn)) return "socket writes (the kernel copying responses)";
    if (NATIVE_LOG.has(fn)) return "access log, metrics and request identity";
    if (NATIVE_SQLITE.has(fn)) return "SQLite (better-sqlite3)";
    if (NATIVE_CRYPTO.has(fn)) return "token hashing and checksum";
    return "other native code";
  }
  if (url.includes("node_modules/prom-client")) return "metrics (prom-client)";
  if (url.includes("node_modules/better-sqlite3")) return "SQLite (better-sqlite3)";
  if (url.includes("node_modules/express") || url.includes("node_modules/router")) return "Express";
  if (url.startsWith("node:internal/crypto") || url === "node:zlib") return "token hashing and checksum";
  if (url.startsWith("node:")) return "Node.js HTTP, streams and events";
  if (/dist\/(logger|access-log|metrics|request-identity)\.js/.test(url)) return "access log, metrics and request identity";
  if (url.includes("dist/db/change-watch")) return "change checks (PRAGMA data_version, once per turn)";
  if (/dist\/(auth\/|db\/tokens)/.test(url)) return "authentication (token check and cache)";
  if (url.includes("/dist/")) return "registry code (routing, index cache, handlers)";
  return "other JavaScript";
}

/** Self time per category and the busiest functions, as Markdown lines, leaving out the first `skipMs` of the profile. */
export function summariseProfile(file: string, skipMs = 0): string[] {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const perCategory = new Map<string, number>();
  const perFunction = new Map<string, number>();
  let total = 0;
  let elapsedUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    elapsedUs += dt;
    if (elapsedUs < skipMs * 1000) return;
    const frame = byId.get(id)!.callFrame;
    total += dt;
    perCategory.set(category(frame), (perCategory.get(category(frame)) ?? 0) + dt);
    const where = frame.url ? `${frame.url.replace(/^.*\/(node_modules|dist)\//, "$1/")}:${frame.lineNumber + 1}` : "native";
    const name = `${frame.functionName || "(anonymous)"} (${where})`;
    perFunction.set(name, (perFunction.get(name) ?? 0) + dt);
  });
  const share = (t: number) => `${((100 * t) / total).toFixed(1)} %`;
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [
    `Self time over ${fmt.s(total / 1000)} of samples:`,
    "",
    "| Where | Share |",
    "| --- | ---: |",
    ...top(perCategory, 20).map(([k, t]) => `| ${k} | ${share(t)} |`),
    "",
    "Busiest functions:",
    "",
    "| Function | Share |",
    "| --- | ---: |",
    ...top(perFunction, 15).map(([k, t]) => `| \`${k}\` | ${share(t)} |`),
  ];
}

/** Profiles a fresh cargohold process serving index files with a token; returns the summary lines. */
export async function profileIndex(b: LoadBench, dataDir: string, logDir: string, profileDir: string): Promise<string[]> {
  const spawned = performance.now();
  let loadFrom = 0;
  const server = await startCargohold({ dataDir, logDir, authRequired: true, name: "cargohold-profiled", nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] });
  try {
    // The warm-up (every index file built once) is left out of the summary: only the load is.
    const targets = await collectTargets(server, b.paths, b.token);
    loadFrom = performance.now() - spawned;
    await runWrk({ baseUrl: server.url, targets, authorization: b.token, connections: b.settings.connections, seconds: b.settings.seconds, workDir: b.settings.workDir, label: "profile" });
  } finally {
    // SIGTERM: the server shuts down cleanly, and Node writes the profile on exit.
    await server.stop();
  }
  const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no CPU profile was written to ${profileDir}`);
  return summariseProfile(join(profileDir, file), loadFrom);
}
