// The reference point for "what Node.js itself can do": a bare node:http server answering index
// requests from a map of the exported files (body + SHA-256 ETag, 304 on a match), and streaming
// .crate files from the store in 1 MiB reads, with no framework, no authentication, no database and
// no logging. Usage: node --import tsx node-floor.ts ROOT PORT CRATES_DIR
import { createHash } from "node:crypto";
import { createReadStream, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import { join, relative } from "node:path";
import { pipeline } from "node:stream/promises";

const [root, port, cratesDir] = process.argv.slice(2);
if (!root || !port || !cratesDir) throw new Error("usage: node-floor.ts ROOT PORT CRATES_DIR");

const files = new Map<string, { body: Buffer; etag: string }>();
for (const entry of readdirSync(join(root, "index"), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const full = join(entry.parentPath, entry.name);
  const body = readFileSync(full);
  files.set(`/${relative(root, full)}`, { body, etag: `"${createHash("sha256").update(body).digest("hex")}"` });
}

/** GET /crates/<name>/<file>: the stored bytes, streamed. */
function sendCrate(path: string, res: ServerResponse): void {
  const file = join(cratesDir!, path.slice("/crates/".length));
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(size) });
  pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), res).catch(() => res.destroy());
}

createServer((req, res) => {
  if (req.url?.startsWith("/crates/") && !req.url.includes("..")) return sendCrate(req.url, res);
  const file = files.get(req.url ?? "");
  if (!file) {
    res.writeHead(404).end();
    return;
  }
  const headers = { ETag: file.etag, "Cache-Control": "no-cache", "Content-Type": "text/plain; charset=utf-8" };
  if (req.headers["if-none-match"] === file.etag) res.writeHead(304, headers).end();
  else res.writeHead(200, headers).end(file.body);
}).listen(Number(port), "127.0.0.1");
