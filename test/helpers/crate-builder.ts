// Test fixtures: `.crate` files and publish bodies built with tar-stream + zlib, shaped like cargo 1.95's
// (entries under `{name}-{vers}/`, GNU long names), including deliberately broken ones.
import { gzipSync } from "node:zlib";
import { pack, type Header } from "tar-stream";
import type { PublishDependency, PublishMetadata } from "../../src/registry/metadata.js";

/** A raw tar entry; `name` is the full path in the archive (not put under the crate folder). */
export interface RawEntry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "character-device" | "block-device" | "fifo";
  linkname?: string;
  content?: string | Buffer;
}

// cargo writes every entry with this mtime (cargo-protocol.md §4.4).
const CARGO_MTIME = new Date(1153704088 * 1000);

/** Fluent builder: `new CrateBuilder("foo", "1.0.0").file("src/lib.rs", "...").publishBody()`. */
export class CrateBuilder {
  private readonly deps: PublishDependency[] = [];
  private readonly features: Record<string, string[]> = {};
  private readonly files: Array<{ path: string; content: string | Buffer }> = [];
  private readonly rawEntries: RawEntry[] = [];
  private metadataPatch: Record<string, unknown> = {};
  private includeCargoToml = true;
  private manifestText: string | undefined;
  private packageName: string;
  private packageVersion: string;
  private descriptionText: string | null = null;
  private licenseText: string | null = null;
  private level = 9;

  constructor(
    readonly name: string,
    readonly vers: string,
  ) {
    this.packageName = name;
    this.packageVersion = vers;
  }

  /** Adds a dependency; unspecified fields get cargo's usual values (`^1.0`, normal, default features). */
  dependency(dep: Partial<PublishDependency> & { name: string }): this {
    this.deps.push({
      optional: false,
      default_features: true,
      features: [],
      version_req: "^1.0",
      target: null,
      kind: "normal",
      ...dep,
    });
    return this;
  }

  feature(name: string, values: string[]): this {
    this.features[name] = values;
    return this;
  }

  /** Adds a file under `{name}-{vers}/`. */
  file(path: string, content: string | Buffer): this {
    this.files.push({ path, content });
    return this;
  }

  description(text: string): this {
    this.descriptionText = text;
    return this;
  }

  license(text: string): this {
    this.licenseText = text;
    return this;
  }

  withoutCargoToml(): this {
    this.includeCargoToml = false;
    return this;
  }

  /** Replaces the generated Cargo.toml text (e.g. with invalid TOML). */
  cargoToml(text: string): this {
    this.manifestText = text;
    return this;
  }

  /** Writes a different `package.name` into the generated Cargo.toml than the metadata's. */
  manifestName(name: string): this {
    this.packageName = name;
    return this;
  }

  manifestVersion(version: string): this {
    this.packageVersion = version;
    return this;
  }

  /** Adds an entry with a raw path, anywhere in the archive, of any type. */
  withEntry(entry: RawEntry): this {
    this.rawEntries.push(entry);
    return this;
  }

  gzipLevel(level: number): this {
    this.level = level;
    return this;
  }

  /** Without an argument: the metadata cargo would send. With one: overrides top-level fields (any type). */
  metadata(): PublishMetadata;
  metadata(patch: Record<string, unknown>): this;
  metadata(patch?: Record<string, unknown>): PublishMetadata | this {
    if (patch !== undefined) {
      this.metadataPatch = { ...this.metadataPatch, ...patch };
      return this;
    }
    // Field order and null/[] defaults as cargo 1.95 serialises `NewCrate`.
    const metadata: PublishMetadata = {
      name: this.name,
      vers: this.vers,
      deps: this.deps.map((d) => ({ ...d })),
      features: { ...this.features },
      authors: [],
      description: this.descriptionText,
      documentation: null,
      homepage: null,
      readme: null,
      readme_file: null,
      keywords: [],
      categories: [],
      license: this.licenseText,
      license_file: null,
      repository: null,
      badges: {},
      links: null,
      rust_version: null,
    };
    return { ...metadata, ...this.metadataPatch } as PublishMetadata;
  }

  /** The generated Cargo.toml text. */
  manifest(): string {
    if (this.manifestText !== undefined) return this.manifestText;
    const lines = ["[package]", `name = ${JSON.stringify(this.packageName)}`, `version = ${JSON.stringify(this.packageVersion)}`];
    lines.push('edition = "2021"');
    if (this.descriptionText !== null) lines.push(`description = ${JSON.stringify(this.descriptionText)}`);
    if (this.licenseText !== null) lines.push(`license = ${JSON.stringify(this.licenseText)}`);
    return `${lines.join("\n")}\n`;
  }

  /** The uncompressed tar. */
  async tarFile(): Promise<Buffer> {
    // A tar archive ends with two zero blocks.
    return Buffer.concat([await this.entryBlocks(), Buffer.alloc(1024)]);
  }

  /** The tar entries without the end-of-archive blocks. */
  async entryBlocks(): Promise<Buffer> {
    const prefix = `${this.name}-${this.vers}`;
    const entries: RawEntry[] = [];
    if (this.includeCargoToml) entries.push({ name: `${prefix}/Cargo.toml`, content: this.manifest() });
    for (const f of this.files) entries.push({ name: `${prefix}/${f.path}`, content: f.content });
    entries.push(...this.rawEntries);
    return Buffer.concat(await Promise.all(entries.map(encodeEntry)));
  }

  /** The `.crate` file: a gzip'd tar, best compression unless `gzipLevel` says otherwise. */
  async crateFile(): Promise<Buffer> {
    return gzipSync(await this.tarFile(), { level: this.level });
  }

  /** A complete `cargo publish` body for this crate. */
  async publishBody(): Promise<Buffer> {
    return frameBody(JSON.stringify(this.metadata()), await this.crateFile());
  }
}

/** Frames a publish body: u32 LE length + metadata, u32 LE length + crate file. */
export function frameBody(jsonText: string | Buffer, crate: Buffer): Buffer {
  const json = typeof jsonText === "string" ? Buffer.from(jsonText, "utf8") : jsonText;
  const jsonLength = Buffer.alloc(4);
  jsonLength.writeUInt32LE(json.length);
  const crateLength = Buffer.alloc(4);
  crateLength.writeUInt32LE(crate.length);
  return Buffer.concat([jsonLength, json, crateLength, crate]);
}

/**
 * A valid-looking `.crate` for `name-vers` whose `bomb.bin` holds `unpackedBytes` zeros, about 1000 times
 * smaller than that: the zeros are one 16 MiB gzip member repeated (gunzip reads concatenated members).
 */
export async function gzipBomb(name: string, vers: string, unpackedBytes: number): Promise<Buffer> {
  const chunk = 16 * 1024 * 1024;
  const head = await new CrateBuilder(name, vers).entryBlocks();
  const header = await encodeEntry({ name: `${name}-${vers}/bomb.bin`, content: "" });
  header.write(`${unpackedBytes.toString(8).padStart(11, "0")} `, 124, "latin1");
  writeChecksum(header);
  const zeros = gzipSync(Buffer.alloc(chunk), { level: 9 });
  const members = Array.from({ length: Math.ceil(unpackedBytes / chunk) }, () => zeros);
  return Buffer.concat([gzipSync(Buffer.concat([head, header])), ...members]);
}

// One entry's blocks, made with tar-stream. Paths over 100 bytes get a GNU `././@LongLink` entry
// first, as cargo's `tar` crate writes them (tar-stream itself would use ustar prefixes or pax).
async function encodeEntry(entry: RawEntry): Promise<Buffer> {
  const type = entry.type ?? "file";
  const content = type === "file" ? Buffer.from(entry.content ?? "") : undefined;
  const header: Header = { name: entry.name, type, mode: 0o644, mtime: CARGO_MTIME, size: content?.length ?? 0 } as Header;
  if (entry.linkname !== undefined) header.linkname = entry.linkname;
  if (Buffer.byteLength(entry.name) <= 100) return packOne(header, content);
  const longName = Buffer.from(`${entry.name}\0`);
  const longLink = await packOne({ name: "././@LongLink", type: "file", mtime: CARGO_MTIME, size: longName.length } as Header, longName);
  longLink[156] = "L".charCodeAt(0);
  writeChecksum(longLink);
  const truncated = Buffer.from(entry.name).subarray(0, 100).toString("latin1");
  return Buffer.concat([longLink, await packOne({ ...header, name: truncated }, content)]);
}

async function packOne(header: Header, content: Buffer | undefined): Promise<Buffer> {
  const archive = pack();
  if (content !== undefined) archive.entry(header, content);
  else archive.entry(header).end(undefined);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  return all.subarray(0, all.length - 1024); // drop the end-of-archive blocks
}

function writeChecksum(header: Buffer): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += header[i]!;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
}
