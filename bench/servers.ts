// The servers under test, each started as its own process on a free loopback port: cargohold as it
// ships (`node dist/main.js`), nginx serving the same bytes as static files, and a bare node:http
// server holding the same index files in memory (what Node.js itself can do, with no registry code).
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpuPlan, freePort, start, stop, waitForHttp } from "./procs.js";

export interface Server {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  /** Milliseconds from spawn to the first 200 on its health URL. */
  startMs: number;
  stop(): Promise<void>;
}

const projectRoot = join(import.meta.dirname, "..");

export interface CargoholdOptions {
  dataDir: string;
  logDir: string;
  authRequired: boolean;
  port?: number;
  name?: string;
  /** Extra options for node, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

/** Starts `node dist/main.js` on the data folder; resolves once /health answers 200. */
export async function startCargohold(opts: CargoholdOptions): Promise<Server> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const name = opts.name ?? (opts.authRequired ? "cargohold" : "cargohold-noauth");
  const since = performance.now();
  const child = start("node", [...(opts.nodeArgs ?? []), "dist/main.js"], {
    cwd: projectRoot,
    cpu: cpuPlan.server,
    logFile: join(opts.logDir, `${name}.log`),
    env: { DATA_DIR: opts.dataDir, PORT: String(port), HOST: "127.0.0.1", PUBLIC_URL: url, AUTH_REQUIRED: String(opts.authRequired), LOG_FORMAT: "json" },
  });
  const startMs = await waitForHttp(`${url}/health`, child, since);
  return { name, url, port, child, startMs, stop: () => stop(child) };
}

export interface NginxOptions {
  /** Folder with `index/…` (index files and config.json). */
  root: string;
  /** The crate store's `crates/` folder, served under /crates/. */
  cratesDir: string;
  dir: string;
  port: number;
}

/**
 * Starts nginx in the foreground with its own config: one worker (cargohold is one Node.js process),
 * sendfile, ETags, an open-file cache, no gzip, an access log, unlimited keep-alive requests (as Node's default).
 */
export async function startNginx(opts: NginxOptions): Promise<Server> {
  mkdirSync(opts.dir, { recursive: true });
  const conf = join(opts.dir, "nginx.conf");
  const temp = (what: string) => `${what}_temp_path ${join(opts.dir, what)};`;
  writeFileSync(
    conf,
    `${process.getuid?.() === 0 ? "user root;\n" : ""}worker_processes 1;
daemon off;
pid ${join(opts.dir, "nginx.pid")};
error_log ${join(opts.dir, "error.log")} warn;
events { worker_connections 4096; }
http {
  log_format timed '$msec $request_time $status $body_bytes_sent "$request"';
  access_log ${join(opts.dir, "access.log")} timed;
  ${["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(temp).join("\n  ")}
  types { application/json json; }
  default_type text/plain;
  charset utf-8;
  sendfile on;
  tcp_nopush on;
  gzip off;
  etag on;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  open_file_cache max=50000 inactive=60s;
  server {
    listen 127.0.0.1:${opts.port};
    root ${opts.root};
    location /index/ { add_header Cache-Control no-cache; }
    location /crates/ { alias ${opts.cratesDir}/; types { } default_type application/octet-stream; }
  }
}
`,
  );
  const url = `http://127.0.0.1:${opts.port}`;
  const since = performance.now();
  const child = start("nginx", ["-c", conf, "-p", opts.dir], { cpu: cpuPlan.server, logFile: join(opts.dir, "stdout.log") });
  const startMs = await waitForHttp(`${url}/index/config.json`, child, since);
  return { name: "nginx", url, port: opts.port, child, startMs, stop: () => stop(child) };
}

/** Starts the bare node:http reference server over the exported index files and the store's .crate files. */
export async function startNodeFloor(root: string, cratesDir: string, logDir: string): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const since = performance.now();
  const child = start("node", ["--import", "tsx", join(import.meta.dirname, "node-floor.ts"), root, String(port), cratesDir], {
    cwd: projectRoot,
    cpu: cpuPlan.server,
    logFile: join(logDir, "node-floor.log"),
  });
  const startMs = await waitForHttp(`${url}/index/config.json`, child, since);
  return { name: "node:http", url, port, child, startMs, stop: () => stop(child) };
}
