// The reference point for "what Node.js itself can do": a bare node:http server answering index
// requests from a map of the exported files (body + SHA-256 ETag, 304 on a match), with no framework,
// no authentication, no database and no logging. Usage: node --import tsx node-floor.ts ROOT PORT
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, relative } from "node:path";

const [root, port] = process.argv.slice(2);
if (!root || !port) throw new Error("usage: node-floor.ts ROOT PORT");

const files = new Map<string, { body: Buffer; etag: string }>();
for (const entry of readdirSync(join(root, "index"), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const full = join(entry.parentPath, entry.name);
  const body = readFileSync(full);
  files.set(`/${relative(root, full)}`, { body, etag: `"${createHash("sha256").update(body).digest("hex")}"` });
}

createServer((req, res) => {
  const file = files.get(req.url ?? "");
  if (!file) {
    res.writeHead(404).end();
    return;
  }
  const headers = { ETag: file.etag, "Cache-Control": "no-cache", "Content-Type": "text/plain; charset=utf-8" };
  if (req.headers["if-none-match"] === file.etag) res.writeHead(304, headers).end();
  else res.writeHead(200, headers).end(file.body);
}).listen(Number(port), "127.0.0.1");
