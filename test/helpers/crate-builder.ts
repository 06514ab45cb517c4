// Test fixtures: `.crate` files and publish bodies built with tar-stream + zlib, shaped like cargo 1.95's
// (entries under `{name}-{vers}/`, GNU long names), including deliberately broken ones.
import { gzipSync } from "node:zlib";
import type { PublishDependency, PublishMetadata } from "../../src/registry/metadata.js";
import { encodeEntry, setDeclaredSize, type RawEntry } from "./tar-blocks.js";

export type { RawEntry } from "./tar-blocks.js";

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
  setDeclaredSize(header, unpackedBytes);
  const zeros = gzipSync(Buffer.alloc(chunk), { level: 9 });
  const members = Array.from({ length: Math.ceil(unpackedBytes / chunk) }, () => zeros);
  return Buffer.concat([gzipSync(Buffer.concat([head, header])), ...members]);
}
