// The packaged Cargo.toml of an uploaded crate: parsed with smol-toml and checked against the publish
// metadata, as crates.io does after `process_tarball` (cargo-protocol.md §2.3, §4.4).
import { parse, TomlError } from "smol-toml";
import { badRequest } from "../errors.js";
import { excerpt } from "./names.js";

/** The parts of the packaged manifest the registry uses. */
export interface CrateManifest {
  name: string;
  version: string;
  rustVersion?: string;
  description?: string;
  license?: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses the bytes of `Cargo.toml` and checks that its package name and version equal the metadata's.
 * Throws a 400 HttpError saying what is wrong (not UTF-8, not TOML, no `[package]`, a mismatch).
 */
export function readManifest(bytes: Uint8Array, expected: { name: string; vers: string }): CrateManifest {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badRequest("Cargo.toml is not valid UTF-8");
  }
  let document: Record<string, unknown>;
  try {
    document = parse(text);
  } catch (error) {
    throw badRequest(`Cargo.toml is not valid TOML: ${tomlReason(error)}`);
  }
  // Why `project`: manifests from cargo before 1.26 named the table `[project]`; crates.io accepts both.
  const pkg = document.package ?? document.project;
  if (!isTable(pkg)) throw badRequest("Cargo.toml has no `[package]` table");
  const name = pkg.name;
  const version = pkg.version;
  if (typeof name !== "string") throw badRequest("Cargo.toml has no `package.name` string");
  if (typeof version !== "string") throw badRequest("Cargo.toml has no `package.version` string");
  if (name !== expected.name) {
    throw badRequest(`metadata name \`${expected.name}\` does not match manifest name \`${excerpt(name)}\``);
  }
  if (version !== expected.vers) {
    throw badRequest(`metadata version \`${expected.vers}\` does not match manifest version \`${excerpt(version)}\``);
  }
  return {
    name,
    version,
    ...stringField("rustVersion", pkg["rust-version"]),
    ...stringField("description", pkg.description),
    ...stringField("license", pkg.license),
  };
}

// Non-string values (e.g. `{ workspace = true }`, impossible in a packaged manifest) are left out.
function stringField<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === "string" ? ({ [key]: value } as Record<K, string>) : {};
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

// smol-toml's message is "Invalid TOML document: <reason>" followed by a code excerpt; keep the reason
// and the position, which is what a person needs to find the problem.
function tomlReason(error: unknown): string {
  if (!(error instanceof TomlError)) return error instanceof Error ? error.message : String(error);
  const reason = (error.message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "");
  return `${reason} (line ${error.line}, column ${error.column})`;
}
