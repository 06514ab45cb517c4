// Real `.crate` files (gzip'd ustar archives under `{name}-{vers}/`) and `cargo publish` bodies, made
// synchronously so that tens of thousands can be seeded in seconds. cargo unpacks and checksums them.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

const BLOCK = 512;

function header(path: string, size: number): Buffer {
  if (Buffer.byteLength(path) > 99) throw new Error(`tar path too long for a plain ustar header: ${path}`);
  const h = Buffer.alloc(BLOCK);
  const put = (offset: number, length: number, text: string) => h.write(text.slice(0, length), offset, "ascii");
  const octal = (offset: number, length: number, value: number) => put(offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
  h.write(path, 0, "utf8");
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 1_700_000_000);
  put(148, 8, "        ");
  put(156, 1, "0");
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  let sum = 0;
  for (const byte of h) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** A gzip'd tar holding `files` (paths relative to `{name}-{vers}/`). */
export function crateFile(name: string, vers: string, files: Record<string, string | Buffer>, level = 6): Buffer {
  const parts: Buffer[] = [];
  for (const [path, content] of Object.entries(files)) {
    const data = typeof content === "string" ? Buffer.from(content) : content;
    parts.push(header(`${name}-${vers}/${path}`, data.length), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return gzipSync(Buffer.concat(parts), { level });
}

/** A minimal library crate: Cargo.toml and src/lib.rs, plus any extra files. */
export function libraryCrate(name: string, vers: string, extra: Record<string, string | Buffer> = {}, level = 6): Buffer {
  const manifest = `[package]\nname = "${name}"\nversion = "${vers}"\nedition = "2021"\nlicense = "MIT"\ndescription = "benchmark crate"\n`;
  const lib = `pub fn version() -> &'static str {\n    "${name} ${vers}"\n}\n`;
  return crateFile(name, vers, { "Cargo.toml": manifest, "src/lib.rs": lib, ...extra }, level);
}

export const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** The metadata cargo 1.95 sends for a crate without dependencies. */
export function publishMetadata(name: string, vers: string): Record<string, unknown> {
  return {
    name,
    vers,
    deps: [],
    features: {},
    authors: [],
    description: "benchmark upload",
    documentation: null,
    homepage: null,
    readme: null,
    readme_file: null,
    keywords: [],
    categories: [],
    license: "MIT",
    license_file: null,
    repository: null,
    badges: {},
    links: null,
    rust_version: null,
  };
}

/** A `cargo publish` body: u32 LE length + metadata JSON, u32 LE length + the .crate. */
export function publishBody(metadata: Record<string, unknown>, crate: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(metadata));
  const a = Buffer.alloc(4);
  a.writeUInt32LE(json.length);
  const b = Buffer.alloc(4);
  b.writeUInt32LE(crate.length);
  return Buffer.concat([a, json, b, crate]);
}
