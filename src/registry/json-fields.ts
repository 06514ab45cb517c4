// Typed reads of fields from untrusted parsed JSON, each failing with a 400 that names the field's
// path (`deps[2].version_req`), like serde's errors in crates.io's `invalid upload request: ...`.
import { badRequest, type HttpError } from "../errors.js";

export type JsonObject = Record<string, unknown>;

/** A 400 `invalid upload request: <detail>`, crates.io's wording for a malformed publish request. */
export function invalidUpload(detail: string): HttpError {
  return badRequest(`invalid upload request: ${detail}`);
}

/** True for a JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the fields of one JSON object, addressing them by `path` in error messages.
 * Optional fields that are missing or null take their default; present fields of the wrong type throw a 400.
 */
export class JsonFields {
  constructor(
    private readonly source: JsonObject,
    private readonly path = "",
  ) {}

  /** The full path of `key`, e.g. `deps[0].name`. */
  at(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  /** The raw value, or undefined when missing or null. Own properties only (no prototype keys). */
  raw(key: string): unknown {
    return Object.hasOwn(this.source, key) ? (this.source[key] ?? undefined) : undefined;
  }

  requiredString(key: string): string {
    const value = this.raw(key);
    if (value === undefined) throw invalidUpload(`missing field \`${this.at(key)}\``);
    return this.expectString(key, value);
  }

  nullableString(key: string): string | null {
    const value = this.raw(key);
    return value === undefined ? null : this.expectString(key, value);
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") throw invalidUpload(`\`${this.at(key)}\` must be a boolean`);
    return value;
  }

  stringArray(key: string): string[] {
    return stringArrayAt(this.raw(key) ?? [], this.at(key));
  }

  object(key: string): JsonObject {
    const value = this.raw(key) ?? {};
    if (!isObject(value)) throw invalidUpload(`\`${this.at(key)}\` must be an object`);
    return value;
  }

  array(key: string): unknown[] {
    const value = this.raw(key) ?? [];
    if (!Array.isArray(value)) throw invalidUpload(`\`${this.at(key)}\` must be an array`);
    return value;
  }

  private expectString(key: string, value: unknown): string {
    if (typeof value !== "string") throw invalidUpload(`\`${this.at(key)}\` must be a string`);
    return value;
  }
}

/** Checks that `value` is an array of strings, naming `path` otherwise. */
export function stringArrayAt(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw invalidUpload(`\`${path}\` must be an array of strings`);
  }
  return value as string[];
}
