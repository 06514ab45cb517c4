// Inspection of an uploaded `.crate` file (gzip'd tar): crates.io's `process_tarball` checks
// (cargo-protocol.md §4.4) on a stream with a decompressed-size cap, plus reading its Cargo.toml.
import type { Header } from "tar-stream";
import { badRequest } from "../errors.js";
import { readManifest, type CrateManifest } from "./crate-manifest.js";
import { unpackTarball } from "./tarball-stream.js";
import { excerpt } from "./names.js";

export type { CrateManifest } from "./crate-manifest.js";

export interface CrateFileLimits {
  /** Largest accepted decompressed size (the tar stream, headers included), in bytes. */
  maxUnpackedBytes: number;
  /** Largest accepted number of tar entries; defaults to 20,000. */
  maxEntries?: number;
}

export interface CrateFileInfo {
  manifest: CrateManifest;
  /** Paths of the regular files, relative to the `{name}-{vers}/` folder, in archive order. */
  files: string[];
}

const DEFAULT_MAX_ENTRIES = 20_000;
// Why: only Cargo.toml is kept in memory; a real one is a few KiB, so 1 MiB is generous.
const MAX_MANIFEST_BYTES = 1024 * 1024;

const TYPE_NAMES: Record<string, string> = {
  symlink: "a symlink",
  link: "a hard link",
  "character-device": "a character device",
  "block-device": "a block device",
  fifo: "a FIFO",
  "contiguous-file": "a contiguous file",
};

/**
 * Checks an uploaded `.crate` against crates.io's rules and reads its manifest, which must name `expected`.
 * Rejects (never crashes) with a 400 HttpError for anything wrong: not gzip, not tar, too large when
 * decompressed, a path outside `{name}-{vers}/`, links or special files, duplicates, a missing or bad Cargo.toml.
 */
export async function inspectCrateFile(
  file: Buffer,
  expected: { name: string; vers: string },
  limits: CrateFileLimits,
): Promise<CrateFileInfo> {
  if (file.length < 2 || file[0] !== 0x1f || file[1] !== 0x8b) throw badRequest("uploaded crate is not a gzip file");
  const check = new EntryChecker(`${expected.name}-${expected.vers}`, limits.maxEntries ?? DEFAULT_MAX_ENTRIES);
  await unpackTarball(file, limits.maxUnpackedBytes, (header) => check.visit(header));
  const [manifestPath] = check.manifestPaths;
  if (manifestPath === undefined || check.manifest === undefined) {
    throw badRequest(`missing Cargo.toml: the tarball has no \`${check.prefix}/Cargo.toml\``);
  }
  // Why: crates.io spots every case variant (they clash on case-insensitive file systems) but, like
  // cargo, accepts only `Cargo.toml` and the deprecated `cargo.toml`.
  const fileName = manifestPath.slice(check.prefix.length + 1);
  if (fileName !== "Cargo.toml" && fileName !== "cargo.toml") {
    throw badRequest(`Cargo.toml manifest is incorrectly cased: \`${manifestPath}\``);
  }
  return { manifest: readManifest(check.manifest, expected), files: check.files };
}

/** Applies the per-entry rules in archive order, keeping only what the final checks need. */
class EntryChecker {
  readonly files: string[] = [];
  readonly manifestPaths: string[] = [];
  manifest: Buffer | undefined;
  private readonly seen = new Set<string>();
  private entries = 0;

  constructor(
    readonly prefix: string,
    private readonly maxEntries: number,
  ) {}

  /** Throws for a bad entry; returns a receiver for the content when it must be kept (Cargo.toml). */
  visit(header: Header): ((content: Buffer) => void) | undefined {
    if (++this.entries > this.maxEntries) throw badRequest(`the tarball has more than ${this.maxEntries} entries`);
    const path = header.name;
    const type = header.type as string | null;
    const relative = this.relativePath(path, type === "directory");
    if (type !== "file" && type !== "directory") {
      // Why: links could point outside the extraction folder on older cargo versions (crates.io
      // rejects them for that reason), and cargo never packages links or devices.
      const what = (type !== null && TYPE_NAMES[type]) || "an entry of unknown type";
      throw badRequest(
        `tarball entry \`${excerpt(path, 200)}\` is ${what}; a crate may only contain regular files and directories`,
      );
    }
    // Why: two entries with one path would extract differently depending on the tool that unpacks them.
    if (this.seen.has(relative)) throw badRequest(`duplicate entry in tarball: ${excerpt(path, 200)}`);
    this.seen.add(relative);
    if (type === "directory") {
      if (header.size > 0) throw badRequest(`invalid directory entry with content: ${excerpt(path, 200)}`);
      return undefined;
    }
    this.files.push(relative);
    if (relative.includes("/") || relative.toLowerCase() !== "cargo.toml") return undefined;
    this.manifestPaths.push(path);
    if (this.manifestPaths.length > 1) {
      const list = this.manifestPaths.map((p) => `\`${p}\``).join(", ");
      throw badRequest(`more than one Cargo.toml manifest in tarball: ${list}`);
    }
    if (header.size > MAX_MANIFEST_BYTES) throw badRequest(`Cargo.toml is too large (max ${MAX_MANIFEST_BYTES} bytes)`);
    return (content) => {
      this.manifest = content;
    };
  }

  // Every path must be `{name}-{vers}/...` in the metadata's exact case, with nothing that could
  // escape that folder when extracted (`..`, absolute paths, backslashes, NUL) or alias another path.
  private relativePath(path: string, isDirectory: boolean): string {
    const invalid = () => badRequest(`invalid path found: ${excerpt(path, 200)}`);
    // U+FFFD: what tar-stream decodes invalid UTF-8 to; crates.io requires UTF-8 paths.
    if (/[\0\\\uFFFD]/.test(path) || path.startsWith("/")) throw invalid();
    const trimmed = isDirectory && path.endsWith("/") ? path.slice(0, -1) : path;
    if (isDirectory && trimmed === this.prefix) return "";
    if (!trimmed.startsWith(`${this.prefix}/`)) throw invalid();
    const relative = trimmed.slice(this.prefix.length + 1);
    if (relative.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) throw invalid();
    return relative;
  }
}
