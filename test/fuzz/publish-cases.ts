// Generated publish requests for the fuzz suite. A case is plain data (so a failing one prints
// readably and shrinks), turned into request bytes by `buildCase`. Two families:
// - `rejectCase`: every value is a request the registry must refuse (framing, JSON, metadata types,
//   dependency and feature rules, names and versions past the limits, look-alike names, hostile tar
//   entries, bombs, manifest disagreements, collisions with existing crates);
// - `mixedCase`: valid publishes with random content, plus mutations whose outcome is not known in
//   advance (bit flips, one-character JSON edits, random field values, truncated tars).
import { gzipSync, deflateRawSync, deflateSync } from "node:zlib";
import fc from "fast-check";
import { pack, type Header } from "tar-stream";
import { CrateBuilder, frameBody, gzipBomb } from "../helpers/crate-builder.js";

export const MIB = 1024 * 1024;
/** Limits of the fuzzed app: small enough that bombs are cheap, large enough for the bomb bodies. */
export const FUZZ_LIMITS = { maxUploadBytes: 2 * MIB, maxUnpackedBytes: 256 * 1024, maxMetadataBytes: MIB };

/** Crates that exist before each property runs: one owned by another user, one by the publisher. */
export const SEEDED = { othersCrate: "taken_crate", ownCrate: "mine-crate", ownVersion: "1.0.0" } as const;

type JsonValue = fc.JsonValue;

export const METADATA_FIELDS = [
  "name", "vers", "deps", "features", "authors", "description", "documentation", "homepage", "readme",
  "readme_file", "keywords", "categories", "license", "license_file", "repository", "badges", "links", "rust_version",
] as const;
type MetadataField = (typeof METADATA_FIELDS)[number];

const NULLABLE_STRING_FIELDS: readonly MetadataField[] = [
  "description", "documentation", "homepage", "readme", "readme_file", "license", "license_file", "repository", "links",
];
const STRING_ARRAY_FIELDS: readonly MetadataField[] = ["authors", "keywords", "categories"];

// ---------------------------------------------------------------------------------------------
// Case shapes

export type Framing =
  | { op: "json-length"; value: number }
  | { op: "crate-length"; value: number }
  | { op: "truncate"; keep: number }
  | { op: "append"; bytes: Uint8Array }
  | { op: "tiny"; bytes: Uint8Array }
  | { op: "random"; bytes: Uint8Array };

export type JsonText =
  | { op: "invalid-utf8"; seq: number[]; at: number }
  | { op: "not-json"; text: string }
  | { op: "json-prefix"; keep: number }
  | { op: "not-object"; value: JsonValue }
  | { op: "deep"; shape: DeepShape; depth: number };

export type DeepShape = "open-arrays" | "closed-arrays" | "open-objects" | "in-deps" | "in-features" | "in-badges" | "in-authors" | "in-name";

export type TarAttack =
  | { op: "bad-path"; path: string }
  | { op: "pax-path"; path: string }
  | { op: "ustar-prefix"; prefix: string }
  | { op: "invalid-utf8-path"; byte: number }
  | { op: "special"; type: "symlink" | "link" | "character-device" | "block-device" | "fifo"; linkname: string; path: string }
  | { op: "typeflag"; flag: string }
  | { op: "duplicate"; variant: "file" | "manifest" | "manifest-case" | "file-and-dir" | "dir" | "root-dir" }
  | { op: "dir-content"; size: number }
  | { op: "manifest"; variant: ManifestVariant }
  | { op: "bomb"; which: number }
  | { op: "not-gzip"; variant: "plain-tar" | "empty" | "one-byte" | "magic-then-junk" | "zlib" | "raw-deflate" | "gzip-junk" | "gzip-empty"; junk: Uint8Array }
  | { op: "truncated-gzip"; keep: number }
  | { op: "truncated-manifest"; keep: number };

export type ManifestVariant =
  | "name-upper" | "name-underscore" | "name-cyrillic" | "name-fullwidth" | "name-zwj" | "name-space" | "name-other"
  | "vers-build" | "vers-v" | "vers-other" | "vers-space" | "no-package" | "package-array" | "name-number"
  | "vers-float" | "invalid-toml" | "not-utf8" | "empty" | "missing" | "upper-case-file" | "nested-only";

export type RejectCase =
  | { kind: "framing"; framing: Framing }
  | { kind: "json"; json: JsonText }
  | { kind: "field-type"; field: MetadataField; value: JsonValue }
  | { kind: "name"; name: string }
  | { kind: "vers"; vers: string }
  | { kind: "tar"; attack: TarAttack }
  | { kind: "collision"; name: string; vers: string; owner: "other" | "self" }
  /** One field of a dependency set to a value the rules refuse. */
  | { kind: "dep"; field: string; value: JsonValue }
  | { kind: "feature"; name: string; values: string[] };

export interface ValidSpec {
  prefix: string;
  atLimit: boolean;
  vers: string;
  description: string | null;
  authors: string[];
  keywords: string[];
  license: string | null;
  features: [string, string[]][];
  deps: { name: string; req: string; kind: "normal" | "dev" | "build"; alias: boolean }[];
  files: { dir: string; leaf: string; content: string }[];
  dirEntries: boolean;
  level: number;
  projectTable: boolean;
  lowercaseManifest: boolean;
  extra: { key: string; value: JsonValue } | null;
  deepExtra: number;
}

export type MixedCase =
  | { kind: "valid"; spec: ValidSpec }
  | { kind: "field-any"; field: MetadataField; value: JsonValue }
  | { kind: "bitflip"; bits: number[] }
  | { kind: "json-edit"; at: number; remove: number; insert: string }
  | { kind: "tar-truncate"; keep: number }
  | { kind: "gzip-trailing"; bytes: Uint8Array };

export type Expectation = "accept" | "reject" | "either";

export interface BuiltCase {
  body: Buffer;
  /** The `.crate` bytes and its coordinates, when a success is possible. */
  crate?: { name: string; vers: string; file: Buffer };
  expect: Expectation;
  /** What the index line must say about features and dependencies once the publish is accepted. */
  indexed?: { features: [string, string[]][]; deps: { name: string; package: string | null; req: string; kind: string }[] };
}

// ---------------------------------------------------------------------------------------------
// Fixed inputs

const INVALID_UTF8: number[][] = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]];

/** Names that must be refused: length limits, bad characters, look-alikes and reserved names. */
export const BAD_NAMES = [
  "a".repeat(65), `A${"b".repeat(64)}`, "n".repeat(100), "x".repeat(1000),
  "", "1abc", "9", "_abc", "-abc", "a b", "a.b", "a/b", "a+b", "a\u0000b", "ab\n", "../etc", "a\\b",
  "c\u0430rgo", "\u0455erde", "\uff46\uff4f\uff4f", "fo\u200do", "foo\u200b", "\ufb01le", "\u216b", "caf\u00e9",
  "stra\u00dfe", "\u0130stanbul", "\u212aelvin", "a\u0301", "\u0430bc", "tokio\u00a0", "\u{1d41a}bc",
  "std", "STD", "Core", "nul", "CON", "com1", "LPT9", "proc-macro", "proc_macro", "compiler_rt", "Rust-Installer", "test", "aux",
];

/** Versions that must be refused: not strict SemVer, past 150 characters, past u64, path tricks. */
export const BAD_VERSIONS = [
  `1.0.0-${"a".repeat(145)}`, `1.0.0+${"b".repeat(145)}`, `1.0.0-${"a.".repeat(100)}a`,
  "1.0", "1", "01.0.0", "1.00.0", "v1.0.0", " 1.0.0", "1.0.0 ", "1.0.0-", "1.0.0+", "1.0.0-a..b", "1.0.0-01",
  "18446744073709551616.0.0", "0.18446744073709551616.0", "1.0.0+build+x", "\uff11.0.0", "1.0.0\n", "", "1.0.0-\u03b1",
  "=1.0.0", "^1.0.0", "1.0.0 || 2.0.0", "1.0.0/../../x", "../../etc", "1.0.0%00", "1.0.0\u0000", "1.0.0-a/b",
];

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const RESERVED = new Set(["std", "core", "nul", "con", "com1", "lpt9", "proc_macro", "compiler_rt", "rust_installer", "test", "aux", "alloc"]);

// Bodies too expensive to build per case (the 1 GiB bomb's gzip members): built once, picked by index.
let bombs: Buffer[] | undefined;
export async function prepareBombs(): Promise<void> {
  const tooBig = new CrateBuilder("bomb", "1.0.0").file("big.bin", randomishText(300 * 1024)).gzipLevel(1);
  bombs = [
    await gzipBomb("bomb", "1.0.0", 300 * 1024),
    await gzipBomb("bomb", "1.0.0", 16 * MIB),
    await gzipBomb("bomb", "1.0.0", 1024 * MIB),
    await tooBig.crateFile(),
  ];
}

function randomishText(length: number): string {
  let x = 12345;
  let out = "";
  while (out.length < length) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += x.toString(36);
  }
  return out.slice(0, length);
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const u32 = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 0xffffffff, 0x7fffffff, 0x80000000, MIB, MIB + 1, 2 * MIB, 2 * MIB + 1, 65536),
  fc.nat({ max: 4096 }),
  fc.nat(),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const anyJson = fc.jsonValue({ maxDepth: 3, stringUnit: "binary" });

function acceptableType(field: MetadataField, v: JsonValue): boolean {
  if (field === "name" || field === "vers") return typeof v === "string";
  if (v === null) return true;
  if (NULLABLE_STRING_FIELDS.includes(field) || field === "rust_version") return typeof v === "string";
  if (STRING_ARRAY_FIELDS.includes(field)) return Array.isArray(v) && v.every((x) => typeof x === "string");
  if (field === "deps") return Array.isArray(v);
  return typeof v === "object" && !Array.isArray(v); // features, badges
}

const framing: fc.Arbitrary<Framing> = fc.oneof(
  fc.record({ op: fc.constant("json-length" as const), value: u32 }),
  fc.record({ op: fc.constant("crate-length" as const), value: u32 }),
  fc.record({ op: fc.constant("truncate" as const), keep: fc.nat() }),
  fc.record({ op: fc.constant("append" as const), bytes: bytes(1, 64) }),
  fc.record({ op: fc.constant("tiny" as const), bytes: bytes(0, 3) }),
  fc.record({ op: fc.constant("random" as const), bytes: bytes(4, 600) }),
);

const notJson = fc.string({ unit: "binary", maxLength: 200 }).filter((s) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
});

const jsonText: fc.Arbitrary<JsonText> = fc.oneof(
  fc.record({ op: fc.constant("invalid-utf8" as const), seq: fc.constantFrom(...INVALID_UTF8), at: fc.nat() }),
  fc.record({ op: fc.constant("not-json" as const), text: notJson }),
  fc.record({ op: fc.constant("json-prefix" as const), keep: fc.nat() }),
  fc.record({ op: fc.constant("not-object" as const), value: anyJson.filter((v) => v === null || typeof v !== "object" || Array.isArray(v)) }),
  fc.record({
    op: fc.constant("deep" as const),
    shape: fc.constantFrom<DeepShape>("open-arrays", "closed-arrays", "open-objects", "in-deps", "in-features", "in-badges", "in-authors", "in-name"),
    depth: fc.constantFrom(100, 1_000, 10_000, 100_000),
  }),
);

const fieldType: fc.Arbitrary<RejectCase> = fc
  .constantFrom(...METADATA_FIELDS)
  .chain((field) => anyJson.filter((v) => !acceptableType(field, v)).map((value) => ({ kind: "field-type" as const, field, value })));

const badPathTemplates = [
  "{P}/../evil", "{P}/src/../../evil", "../{P}/x", "{P}/..", "{P}/./x", "{P}//x", "{P}/src/.", "/etc/passwd", "/{P}/x",
  "{P}\\..\\evil", "{P}/a\\b", "other-1.0.0/x", "{UP}/x", "{P}x/y", "{N}/x", "x", "{P}", "{P}/../{P}/Cargo.toml",
  `{P}/${"a/".repeat(60)}../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../x`,
  `{P}/${"long-segment/".repeat(10)}..`, "./{P}/x", "{P}/\uFFFD", "C:\\{P}\\x", "{P}/x/../../..",
];

const tarAttack: fc.Arbitrary<TarAttack> = fc.oneof(
  fc.oneof(
    fc.constantFrom(...badPathTemplates),
    fc.string({ maxLength: 30 }).map((s) => `{P}/../${s}`),
    fc.string({ maxLength: 30 }).map((s) => `/${s}`),
  ).map((path) => ({ op: "bad-path" as const, path })),
  fc.constantFrom("{P}/../../evil", "/etc/passwd", "../x", "{P}/a/../../b", "other/x").map((path) => ({ op: "pax-path" as const, path })),
  fc.constantFrom("..", "../..", "/tmp", "..\\..").map((prefix) => ({ op: "ustar-prefix" as const, prefix })),
  fc.constantFrom(0xff, 0xfe, 0xc0, 0x80, 0xed).map((byte) => ({ op: "invalid-utf8-path" as const, byte })),
  fc.record({
    op: fc.constant("special" as const),
    type: fc.constantFrom("symlink", "link", "character-device", "block-device", "fifo"),
    linkname: fc.constantFrom("/etc/passwd", "../../x", "Cargo.toml", "{P}/Cargo.toml", "x"),
    path: fc.constantFrom("{P}/special", "{P}/src/lib.rs", "{P}/Cargo.toml.orig"),
  }),
  fc.constantFrom("1", "2", "3", "4", "6", "7", "A", "D", "I", "M", "S", "V", "Z", "9", "!").map((flag) => ({ op: "typeflag" as const, flag })),
  fc.constantFrom("file", "manifest", "manifest-case", "file-and-dir", "dir", "root-dir").map((variant) => ({ op: "duplicate" as const, variant })),
  fc.integer({ min: 1, max: 4096 }).map((size) => ({ op: "dir-content" as const, size })),
  fc
    .constantFrom<ManifestVariant>(
      "name-upper", "name-underscore", "name-cyrillic", "name-fullwidth", "name-zwj", "name-space", "name-other", "vers-build",
      "vers-v", "vers-other", "vers-space", "no-package", "package-array", "name-number", "vers-float", "invalid-toml",
      "not-utf8", "empty", "missing", "upper-case-file", "nested-only",
    )
    .map((variant) => ({ op: "manifest" as const, variant })),
  fc.nat({ max: 3 }).map((which) => ({ op: "bomb" as const, which })),
  fc.record({
    op: fc.constant("not-gzip" as const),
    variant: fc.constantFrom("plain-tar", "empty", "one-byte", "magic-then-junk", "zlib", "raw-deflate", "gzip-junk", "gzip-empty"),
    junk: bytes(0, 2000),
  }),
  fc.nat().map((keep) => ({ op: "truncated-gzip" as const, keep })),
  fc.nat().map((keep) => ({ op: "truncated-manifest" as const, keep })),
);

const collision: fc.Arbitrary<RejectCase> = fc.oneof(
  fc.record({
    kind: fc.constant("collision" as const),
    name: fc.constantFrom("taken_crate", "Taken_Crate", "taken-crate", "TAKEN-CRATE", "tAkEn_cRaTe"),
    vers: fc.constantFrom("1.0.0", "1.0.1", "2.0.0-rc.1", "1.0.0+x"),
    owner: fc.constant("other" as const),
  }),
  fc.record({
    kind: fc.constant("collision" as const),
    name: fc.constantFrom("Mine-Crate", "mine_crate", "MINE-CRATE"),
    vers: fc.constantFrom("1.0.1", "3.0.0"),
    owner: fc.constant("self" as const),
  }),
  fc.record({
    kind: fc.constant("collision" as const),
    name: fc.constant("mine-crate"),
    vers: fc.constantFrom("1.0.0", "1.0.0+other", "1.0.0+a.b.c"),
    owner: fc.constant("self" as const),
  }),
);

/** One field of a dependency set to a value crates.io's rules refuse. */
const BAD_DEP_FIELDS: Record<string, JsonValue[]> = {
  name: ["a".repeat(65), "1abc", "_abc", "", "s\u0435rde", "a b", 5, null, ["serde"]],
  explicit_name_in_toml: ["a".repeat(65), "1x", "-x", "", "\u0430lias", 5, true],
  version_req: ["", "1.0.0.0", ">=", "^^1", "1 2", "latest", Array.from({ length: 33 }, () => ">=1").join(", "), "*, 1", "^1.0 || ^2.0", 5, null, ["^1"]],
  features: [["a b"], [""], ["dep:"], ["x/y/z"], ["?/x"], "x", [5], [null]],
  kind: ["Normal", "runtime", "", 5, ["dev"]],
  registry: [5, [], {}, true],
  target: [5, [], {}],
  optional: ["yes", 1, [], {}],
  default_features: ["true", 0, []],
};
const dep: fc.Arbitrary<RejectCase> = fc
  .constantFrom(...Object.keys(BAD_DEP_FIELDS))
  .chain((field) => fc.constantFrom(...BAD_DEP_FIELDS[field]!).map((value) => ({ kind: "dep" as const, field, value })));

const feature: fc.Arbitrary<RejectCase> = fc.oneof(
  fc.record({ kind: fc.constant("feature" as const), name: fc.constantFrom("", "a b", "-x", "dep:x", "x/y", "+x", ".x", "x\u0000", "\u{1F600}"), values: fc.constant<string[]>([]) }),
  fc.record({ kind: fc.constant("feature" as const), name: fc.constant("ok"), values: fc.constantFrom<string[]>(["a b"], ["dep:"], ["?/x"], ["x/"], ["x/y/z"], ["dep:1x"], [""], ["ok", "-no"]) }),
);

const badName = fc.oneof(
  fc.constantFrom(...BAD_NAMES),
  fc.string({ unit: "binary", maxLength: 70 }).filter((s) => !NAME.test(s) || RESERVED.has(s.toLowerCase().replaceAll("-", "_"))),
  fc.integer({ min: 65, max: 300 }).map((n) => `a${"b".repeat(n - 1)}`),
);
const badVersion = fc.oneof(
  fc.constantFrom(...BAD_VERSIONS),
  fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !SEMVER.test(s) || s.length > 150),
);

/** Requests that must be refused. */
export const rejectCase: fc.Arbitrary<RejectCase> = fc.oneof(
  { arbitrary: framing.map((f) => ({ kind: "framing" as const, framing: f })), weight: 3 },
  { arbitrary: jsonText.map((j) => ({ kind: "json" as const, json: j })), weight: 3 },
  { arbitrary: fieldType, weight: 3 },
  { arbitrary: badName.map((name) => ({ kind: "name" as const, name })), weight: 2 },
  { arbitrary: badVersion.map((vers) => ({ kind: "vers" as const, vers })), weight: 2 },
  { arbitrary: tarAttack.map((attack) => ({ kind: "tar" as const, attack })), weight: 5 },
  { arbitrary: collision, weight: 1 },
  { arbitrary: dep, weight: 2 },
  { arbitrary: feature, weight: 1 },
);

// Includes names that are also Object.prototype keys: they must stay plain keys all the way to the index.
const featureName = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,15}$/), weight: 6 },
  { arbitrary: fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"), weight: 1 },
);
const depName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/);
const leaf = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((s) => !/[/\\\0\uFFFD]/.test(s) && s !== "." && s !== "..");
const dir = fc.constantFrom("", "src/", "src/bin/", "tests/", "deep/".repeat(25), "d\u00e9j\u00e0/", "\u65e5\u672c/");
const validVersion = fc.oneof(
  fc.tuple(fc.nat({ max: 30 }), fc.nat({ max: 30 }), fc.nat({ max: 30 })).map(([a, b, c]) => `${a}.${b}.${c}`),
  fc.constantFrom(
    "0.1.0-alpha.1", "1.0.0+build.5", "2.0.0-rc.1+meta", `1.0.0-${"a".repeat(144)}`, `1.0.0+${"b".repeat(144)}`,
    "18446744073709551615.18446744073709551615.18446744073709551615", "0.0.0", "1.2.3-0.a-b.c",
  ),
);

const validSpec: fc.Arbitrary<ValidSpec> = fc.record({
  prefix: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,30}$/),
  atLimit: fc.boolean(),
  vers: validVersion,
  description: fc.option(fc.string({ unit: "grapheme", maxLength: 200 })),
  authors: fc.array(fc.string({ unit: "grapheme", maxLength: 30 }), { maxLength: 4 }),
  keywords: fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }),
  license: fc.option(fc.constantFrom("MIT", "Apache-2.0", "MIT OR Apache-2.0", "GPL-3.0-only")),
  features: fc.uniqueArray(fc.tuple(featureName, fc.array(featureName, { maxLength: 3 })), { maxLength: 4, selector: ([name]) => name }),
  deps: fc.array(
    fc.record({
      name: depName,
      req: fc.constantFrom("^1.0", "*", ">=0.2, <0.4", "=1.2.3", "~1", "1.*", "0.3.1"),
      kind: fc.constantFrom("normal" as const, "dev" as const, "build" as const),
      alias: fc.boolean(),
    }),
    { maxLength: 4 },
  ),
  files: fc.array(fc.record({ dir, leaf, content: fc.string({ unit: "grapheme", maxLength: 400 }) }), { maxLength: 6 }),
  dirEntries: fc.boolean(),
  level: fc.integer({ min: 0, max: 9 }),
  projectTable: fc.boolean(),
  lowercaseManifest: fc.boolean(),
  extra: fc.option(fc.record({ key: fc.string({ maxLength: 12 }).filter((k) => !(METADATA_FIELDS as readonly string[]).includes(k)), value: anyJson })),
  deepExtra: fc.constantFrom(0, 0, 0, 1_000, 100_000),
});

/** Publishes that may or may not be valid (valid ones are common). */
export const mixedCase: fc.Arbitrary<MixedCase> = fc.oneof(
  { arbitrary: validSpec.map((spec) => ({ kind: "valid" as const, spec })), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant("field-any" as const), field: fc.constantFrom(...METADATA_FIELDS), value: anyJson }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("bitflip" as const), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("json-edit" as const), at: fc.nat(), remove: fc.nat({ max: 3 }), insert: fc.string({ maxLength: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("tar-truncate" as const), keep: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("gzip-trailing" as const), bytes: bytes(1, 32) }), weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// Building the bytes

/** Turns a case into request bytes. `n` makes the crate name unique, so a valid publish can succeed. */
export async function buildCase(c: RejectCase | MixedCase, n: number): Promise<BuiltCase> {
  switch (c.kind) {
    case "framing":
      return reject(await buildFraming(c.framing, n));
    case "json":
      return reject(await buildJson(c.json, n));
    case "field-type": {
      const b = base(n);
      return reject(frameBody(JSON.stringify({ ...b.metadata(), [c.field]: c.value }), await b.crateFile()));
    }
    case "name":
      return reject(await new CrateBuilder(c.name, "1.0.0").publishBody());
    case "vers":
      return reject(await new CrateBuilder(`fz-vers-${n}`, c.vers).publishBody());
    case "tar":
      return reject(await buildTarAttack(c.attack, n));
    case "collision":
      return reject(await new CrateBuilder(c.name, c.vers).publishBody());
    case "dep": {
      const b = base(n);
      const good = { optional: false, default_features: true, name: "serde", features: [], version_req: "^1.0", target: null, kind: "normal" };
      return reject(frameBody(JSON.stringify({ ...b.metadata(), deps: [{ ...good, [c.field]: c.value }] }), await b.crateFile()));
    }
    case "feature": {
      const b = base(n);
      const features = Object.fromEntries([[c.name, c.values]]);
      return reject(frameBody(JSON.stringify({ ...b.metadata(), features }), await b.crateFile()));
    }
    case "valid":
      return buildValid(c.spec, n);
    case "field-any":
      return buildFieldAny(c.field, c.value, n);
    case "bitflip": {
      const b = base(n);
      const file = Buffer.from(await b.crateFile());
      for (const bit of c.bits) {
        const at = Math.floor(bit / 8) % file.length;
        file[at] = file[at]! ^ (1 << (bit % 8));
      }
      return either(b, file);
    }
    case "json-edit": {
      const b = base(n);
      const json = JSON.stringify(b.metadata());
      const at = c.at % (json.length + 1);
      const edited = json.slice(0, at) + c.insert + json.slice(at + c.remove);
      const file = await b.crateFile();
      return { body: frameBody(edited, file), crate: { name: b.name, vers: b.vers, file }, expect: edited === json ? "accept" : "either" };
    }
    case "tar-truncate": {
      const b = base(n).file("src/lib.rs", "pub fn f() {}\n".repeat(40));
      const tar = await b.tarFile();
      const file = gzipSync(tar.subarray(0, c.keep % tar.length));
      return either(b, file);
    }
    case "gzip-trailing": {
      const b = base(n);
      return either(b, Buffer.concat([await b.crateFile(), c.bytes]));
    }
  }
}

const base = (n: number) => new CrateBuilder(`fz-${n}`, "1.0.0").description("fuzz").license("MIT");
const reject = (body: Buffer): BuiltCase => ({ body, expect: "reject" });
const either = (b: CrateBuilder, file: Buffer): BuiltCase => ({
  body: frameBody(JSON.stringify(b.metadata()), file),
  crate: { name: b.name, vers: b.vers, file },
  expect: "either",
});

async function buildFraming(f: Framing, n: number): Promise<Buffer> {
  const b = base(n);
  const json = Buffer.from(JSON.stringify(b.metadata()));
  const file = await b.crateFile();
  const body = frameBody(json, file);
  switch (f.op) {
    case "json-length":
      body.writeUInt32LE(f.value === json.length ? json.length + 1 : f.value, 0);
      return body;
    case "crate-length":
      body.writeUInt32LE(f.value === file.length ? file.length - 1 : f.value, 4 + json.length);
      return body;
    case "truncate":
      return body.subarray(0, f.keep % body.length);
    case "append":
      return Buffer.concat([body, f.bytes]);
    case "tiny":
    case "random":
      return Buffer.from(f.bytes);
  }
}

async function buildJson(j: JsonText, n: number): Promise<Buffer> {
  const b = base(n);
  const file = await b.crateFile();
  const text = JSON.stringify(b.metadata());
  switch (j.op) {
    case "invalid-utf8": {
      const json = Buffer.from(text);
      const at = j.at % (json.length + 1);
      return frameBody(Buffer.concat([json.subarray(0, at), Buffer.from(j.seq), json.subarray(at)]), file);
    }
    case "not-json":
      return frameBody(j.text, file);
    case "json-prefix":
      return frameBody(text.slice(0, j.keep % text.length), file);
    case "not-object":
      return frameBody(JSON.stringify(j.value), file);
    case "deep":
      return frameBody(deepJson(j.shape, j.depth, text), file);
  }
}

function deepJson(shape: DeepShape, depth: number, valid: string): string {
  const arrays = "[".repeat(depth) + "]".repeat(depth);
  const objects = '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  switch (shape) {
    case "open-arrays":
      return "[".repeat(depth);
    case "closed-arrays":
      return arrays;
    case "open-objects":
      return '{"a":'.repeat(depth);
    case "in-deps":
      return valid.replace('"deps":[]', `"deps":${arrays}`);
    case "in-features":
      return valid.replace('"features":{}', `"features":{"f":${arrays}}`);
    case "in-badges":
      return valid.replace('"badges":{}', `"badges":{"b":${objects}}`);
    case "in-authors":
      return valid.replace('"authors":[]', `"authors":[${arrays}]`);
    case "in-name":
      return valid.replace(/"name":"[^"]*"/, `"name":${objects}`);
  }
}

async function buildTarAttack(a: TarAttack, n: number): Promise<Buffer> {
  const name = `fuzz-alpha-${n}`;
  const vers = "1.0.0";
  const P = `${name}-${vers}`;
  const fill = (t: string) => t.replaceAll("{P}", P).replaceAll("{UP}", P.toUpperCase()).replaceAll("{N}", name);
  const b = new CrateBuilder(name, vers).file("src/lib.rs", "pub fn f() {}\n");
  const withCrate = async (file: Buffer) => frameBody(JSON.stringify(b.metadata()), file);
  const withExtraBlocks = async (extra: Buffer) => withCrate(gzipSync(Buffer.concat([await b.entryBlocks(), extra, Buffer.alloc(1024)])));
  switch (a.op) {
    case "bad-path":
      return b.withEntry({ name: fill(a.path), content: "evil" }).publishBody();
    case "pax-path":
      return withExtraBlocks(await packRaw({ name: `${P}/ok.rs`, size: 4, pax: { path: fill(a.path) } }, Buffer.from("evil")));
    case "ustar-prefix": {
      const block = await packRaw({ name: `${P}/x.rs`, size: 4 }, Buffer.from("evil"));
      block.write(a.prefix, 345, "latin1");
      writeChecksum(block);
      return withExtraBlocks(block);
    }
    case "invalid-utf8-path": {
      const block = await packRaw({ name: `${P}/xxxx.rs`, size: 1 }, Buffer.from("x"));
      block[block.indexOf("xxxx")] = a.byte;
      writeChecksum(block);
      return withExtraBlocks(block);
    }
    case "special":
      return b.withEntry({ name: fill(a.path), type: a.type, linkname: fill(a.linkname) }).publishBody();
    case "typeflag": {
      const block = await packRaw({ name: `${P}/extra.rs`, size: 1 }, Buffer.from("x"));
      block[156] = a.flag.charCodeAt(0);
      writeChecksum(block);
      return withExtraBlocks(block);
    }
    case "duplicate": {
      const dup = {
        file: () => b.withEntry({ name: `${P}/src/lib.rs`, content: "again" }),
        manifest: () => b.withEntry({ name: `${P}/Cargo.toml`, content: b.manifest() }),
        "manifest-case": () => b.withEntry({ name: `${P}/cargo.toml`, content: b.manifest() }),
        "file-and-dir": () => b.withEntry({ name: `${P}/src/lib.rs/`, type: "directory" }),
        dir: () => b.withEntry({ name: `${P}/d/`, type: "directory" }).withEntry({ name: `${P}/d/`, type: "directory" }),
        "root-dir": () => b.withEntry({ name: `${P}/`, type: "directory" }).withEntry({ name: `${P}`, type: "directory" }),
      }[a.variant];
      return dup().publishBody();
    }
    case "dir-content":
      return b.withEntry({ name: `${P}/d/`, type: "directory", size: a.size }).publishBody();
    case "manifest":
      return buildManifestVariant(a.variant, name, vers);
    case "bomb": {
      if (!bombs) throw new Error("prepareBombs() was not called");
      return frameBody(JSON.stringify(new CrateBuilder("bomb", "1.0.0").metadata()), bombs[a.which % bombs.length]!);
    }
    case "not-gzip": {
      const tar = await b.tarFile();
      const file = {
        "plain-tar": () => tar,
        empty: () => Buffer.alloc(0),
        "one-byte": () => Buffer.from([0x1f]),
        "magic-then-junk": () => Buffer.concat([Buffer.from([0x1f, 0x8b]), a.junk]),
        zlib: () => deflateSync(tar),
        "raw-deflate": () => deflateRawSync(tar),
        "gzip-junk": () => gzipSync(a.junk),
        "gzip-empty": () => gzipSync(Buffer.alloc(0)),
      }[a.variant]();
      return withCrate(file);
    }
    case "truncated-gzip": {
      const file = await b.crateFile();
      return withCrate(file.subarray(0, 2 + (a.keep % (file.length - 2))));
    }
    case "truncated-manifest": {
      // Cut the tar inside the Cargo.toml entry (its header or its content), never on a block boundary.
      const tar = await b.tarFile();
      const manifestEnd = 512 + Buffer.byteLength(b.manifest());
      let keep = 1 + (a.keep % (manifestEnd - 1));
      if (keep % 512 === 0) keep += 1;
      return withCrate(gzipSync(tar.subarray(0, keep)));
    }
  }
}

async function buildManifestVariant(variant: ManifestVariant, name: string, vers: string): Promise<Buffer> {
  const b = new CrateBuilder(name, vers);
  const toml = (n: string, v: string) => `[package]\nname = ${JSON.stringify(n)}\nversion = ${JSON.stringify(v)}\n`;
  const P = `${name}-${vers}`;
  switch (variant) {
    case "name-upper":
      return b.manifestName(name.toUpperCase()).publishBody();
    case "name-underscore":
      return b.manifestName(name.replaceAll("-", "_")).publishBody();
    case "name-cyrillic":
      return b.manifestName(name.replace("a", "\u0430")).publishBody();
    case "name-fullwidth":
      return b.manifestName(`\uff46${name.slice(1)}`).publishBody();
    case "name-zwj":
      return b.manifestName(`${name.slice(0, 2)}\u200d${name.slice(2)}`).publishBody();
    case "name-space":
      return b.manifestName(`${name} `).publishBody();
    case "name-other":
      return b.manifestName("serde").publishBody();
    case "vers-build":
      return b.manifestVersion(`${vers}+build`).publishBody();
    case "vers-v":
      return b.manifestVersion(`v${vers}`).publishBody();
    case "vers-other":
      return b.manifestVersion("9.9.9").publishBody();
    case "vers-space":
      return b.manifestVersion(` ${vers}`).publishBody();
    case "no-package":
      return b.cargoToml(`[dependencies]\nserde = "1"\n`).publishBody();
    case "package-array":
      return b.cargoToml(`[[package]]\nname = "${name}"\nversion = "${vers}"\n`).publishBody();
    case "name-number":
      return b.cargoToml(`[package]\nname = 1\nversion = "${vers}"\n`).publishBody();
    case "vers-float":
      return b.cargoToml(`[package]\nname = "${name}"\nversion = 1.0\n`).publishBody();
    case "invalid-toml":
      return b.cargoToml(`[package\nname = "${name}"\n`).publishBody();
    case "not-utf8":
      return b.withoutCargoToml().withEntry({ name: `${P}/Cargo.toml`, content: Buffer.concat([Buffer.from(toml(name, vers)), Buffer.from([0xff, 0xfe])]) }).publishBody();
    case "empty":
      return b.cargoToml("").publishBody();
    case "missing":
      return b.withoutCargoToml().file("src/lib.rs", "").publishBody();
    case "upper-case-file":
      return b.withoutCargoToml().withEntry({ name: `${P}/CARGO.TOML`, content: toml(name, vers) }).publishBody();
    case "nested-only":
      return b.withoutCargoToml().withEntry({ name: `${P}/sub/Cargo.toml`, content: toml(name, vers) }).publishBody();
  }
}

async function buildValid(s: ValidSpec, n: number): Promise<BuiltCase> {
  const suffix = `-${n}`;
  const name = s.atLimit ? (s.prefix + "x".repeat(64)).slice(0, 64 - suffix.length) + suffix : s.prefix + suffix;
  const b = new CrateBuilder(name, s.vers).gzipLevel(s.level);
  if (s.description !== null) b.description(s.description);
  if (s.license !== null) b.license(s.license);
  s.deps.forEach((d, i) =>
    b.dependency({ name: d.name, version_req: d.req, kind: d.kind, ...(d.alias ? { explicit_name_in_toml: `_alias${i}` } : {}) }),
  );
  const P = `${name}-${s.vers}`;
  if (s.dirEntries) b.withEntry({ name: `${P}/`, type: "directory" }).withEntry({ name: `${P}/f0/`, type: "directory" });
  // Unique leaves (`f<i>-...`) so no two entries share a path and no file is named like a folder.
  s.files.forEach((f, i) => b.file(`${f.dir}f${i + 1}-${f.leaf}`, f.content));
  const manifestText = b.manifest();
  if (s.projectTable) b.cargoToml(manifestText.replace("[package]", "[project]"));
  if (s.lowercaseManifest) b.withoutCargoToml().withEntry({ name: `${P}/cargo.toml`, content: s.projectTable ? manifestText.replace("[package]", "[project]") : manifestText });
  // Object.fromEntries makes `__proto__` an own key (an assignment would set the prototype instead).
  const metadata: Record<string, unknown> = { authors: s.authors, keywords: s.keywords, features: Object.fromEntries(s.features) };
  if (s.extra) metadata[s.extra.key] = s.extra.value;
  b.metadata(metadata);
  const file = await b.crateFile();
  let json = JSON.stringify(b.metadata());
  // Spliced in as text: JSON.stringify itself cannot nest 100,000 levels deep.
  if (s.deepExtra > 0) json = `{"nested":${"[".repeat(s.deepExtra)}${"]".repeat(s.deepExtra)},${json.slice(1)}`;
  const deps = s.deps.map((d, i) => ({ name: d.alias ? `_alias${i}` : d.name, package: d.alias ? d.name : null, req: d.req, kind: d.kind }));
  return { body: frameBody(json, file), crate: { name, vers: s.vers, file }, expect: "accept", indexed: { features: s.features, deps } };
}

async function buildFieldAny(field: MetadataField, value: JsonValue, n: number): Promise<BuiltCase> {
  const b = base(n);
  const file = await b.crateFile();
  const metadata = { ...b.metadata(), [field]: value };
  return { body: frameBody(JSON.stringify(metadata), file), crate: { name: b.name, vers: b.vers, file }, expect: fieldOracle(field, value, b) };
}

/** Whether replacing one field with `value` must succeed, must fail, or cannot be told without the full rules. */
function fieldOracle(field: MetadataField, v: JsonValue, b: CrateBuilder): Expectation {
  if (!acceptableType(field, v)) return "reject";
  if (field === "name") return v === b.name ? "accept" : "reject";
  if (field === "vers") return v === b.vers ? "accept" : "reject";
  if (v === null) return "accept";
  if (NULLABLE_STRING_FIELDS.includes(field) || STRING_ARRAY_FIELDS.includes(field)) return "accept";
  if (field === "rust_version") return /^(0|[1-9]\d*)(\.(0|[1-9]\d*)){0,2}$/.test(v as string) ? "accept" : "reject";
  if (field === "badges") {
    const ok = Object.values(v as Record<string, JsonValue>).every(
      (attrs) => typeof attrs === "object" && attrs !== null && !Array.isArray(attrs) && Object.values(attrs).every((x) => typeof x === "string"),
    );
    return ok ? "accept" : "reject";
  }
  if (field === "deps") return (v as JsonValue[]).length === 0 ? "accept" : (v as JsonValue[]).some((d) => typeof d !== "object" || d === null || Array.isArray(d)) ? "reject" : "either";
  if (field === "features") return Object.keys(v as object).length === 0 ? "accept" : "either";
  return "either";
}

// ---------------------------------------------------------------------------------------------
// Raw tar blocks

/** One entry's blocks (header, pax header if any, content), without end-of-archive blocks. */
async function packRaw(header: Partial<Header> & { name: string }, content: Buffer): Promise<Buffer> {
  const archive = pack();
  archive.entry({ type: "file", mode: 0o644, mtime: new Date(1153704088 * 1000), ...header } as Header, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  return all.subarray(0, all.length - 1024);
}

function writeChecksum(header: Buffer): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += header[i]!;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
}
