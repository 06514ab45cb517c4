import { describe, expect, it } from "vitest";
import { HttpError } from "../../src/errors.js";
import { parsePublishMetadata } from "../../src/registry/metadata.js";
import { CrateBuilder } from "../helpers/crate-builder.js";

function failure(json: string): { status: number; message: string } {
  try {
    parsePublishMetadata(json);
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected parsePublishMetadata to throw");
}

/** The JSON cargo would send for foo 1.0.0, with `patch` applied to the top level. */
function metadataJson(patch: Record<string, unknown> = {}): string {
  return JSON.stringify(new CrateBuilder("foo", "1.0.0").metadata(patch).metadata());
}

/** Same, with one dependency whose fields are patched. */
function withDependency(patch: Record<string, unknown>): string {
  const dep = { name: "serde", version_req: "^1.0", features: [], optional: false, default_features: true, target: null, kind: "normal" };
  return metadataJson({ deps: [{ ...dep, ...patch }] });
}

describe("parsePublishMetadata", () => {
  it("returns cargo's metadata unchanged", () => {
    const builder = new CrateBuilder("Foo-Bar", "1.2.3-beta.1+build.5")
      .description("A crate")
      .license("MIT OR Apache-2.0")
      .dependency({ name: "serde", version_req: "^1.0", features: ["derive"] })
      .dependency({ name: "rand", explicit_name_in_toml: "rand2", version_req: "^0.8", kind: "dev" })
      .dependency({ name: "log", registry: "https://github.com/rust-lang/crates.io-index", optional: true })
      .dependency({ name: "winapi", target: "cfg(windows)", kind: "build", default_features: false })
      .feature("default", ["std"])
      .feature("std", [])
      .feature("serde", ["dep:serde", "rand2?/std", "log/max_level_info"])
      .metadata({ rust_version: "1.70", keywords: ["a", "b"], badges: { maintenance: { status: "actively-developed" } } });
    expect(parsePublishMetadata(JSON.stringify(builder.metadata()))).toEqual(builder.metadata());
  });

  it("fills in defaults for missing optional fields and ignores unknown ones", () => {
    const json = JSON.stringify({
      name: "foo",
      vers: "1.0.0",
      deps: [{ name: "bar", version_req: "1", artifact: ["bin"], lib: true }],
      future_field: { anything: 1 },
    });
    expect(parsePublishMetadata(json)).toEqual({
      name: "foo",
      vers: "1.0.0",
      deps: [{ name: "bar", version_req: "1", features: [], optional: false, default_features: true, target: null, kind: "normal" }],
      features: {},
      authors: [],
      description: null,
      documentation: null,
      homepage: null,
      readme: null,
      readme_file: null,
      keywords: [],
      categories: [],
      license: null,
      license_file: null,
      repository: null,
      badges: {},
      links: null,
      rust_version: null,
    });
  });

  it("treats a null registry or alias as absent", () => {
    const [dep] = parsePublishMetadata(withDependency({ registry: null, explicit_name_in_toml: null })).deps;
    expect(dep).not.toHaveProperty("registry");
    expect(dep).not.toHaveProperty("explicit_name_in_toml");
  });

  it("keeps a feature named __proto__ as a plain key", () => {
    const parsed = parsePublishMetadata('{"name":"foo","vers":"1.0.0","features":{"__proto__":["std"],"std":[]}}');
    expect(Object.keys(parsed.features)).toEqual(["__proto__", "std"]);
    expect(Object.getPrototypeOf(parsed.features)).toBe(Object.prototype);
    expect(JSON.stringify(parsed.features)).toBe('{"__proto__":["std"],"std":[]}');
  });

  it("accepts a lone `*` requirement", () => {
    expect(parsePublishMetadata(withDependency({ version_req: "*" })).deps[0]?.version_req).toBe("*");
  });

  it.each([
    ["not JSON", "{", /^invalid upload request: /],
    ["an empty document", "", /^invalid upload request: /],
  ])("rejects %s", (_, json, message) => {
    const { status, message: actual } = failure(json);
    expect(status).toBe(400);
    expect(actual).toMatch(message);
  });

  it.each([
    ["a JSON array", "[]", "invalid upload request: the metadata must be a JSON object"],
    ["JSON null", "null", "invalid upload request: the metadata must be a JSON object"],
    ["a missing name", JSON.stringify({ vers: "1.0.0" }), "invalid upload request: missing field `name`"],
    ["a numeric name", metadataJson({ name: 5 }), "invalid upload request: `name` must be a string"],
    ["a missing version", JSON.stringify({ name: "foo" }), "invalid upload request: missing field `vers`"],
    ["deps as an object", metadataJson({ deps: {} }), "invalid upload request: `deps` must be an array"],
    ["a dep that is a string", metadataJson({ deps: ["serde"] }), "invalid upload request: `deps[0]` must be an object"],
    ["a missing dep name", withDependency({ name: undefined }), "invalid upload request: missing field `deps[0].name`"],
    ["a numeric version_req", withDependency({ version_req: 1 }), "invalid upload request: `deps[0].version_req` must be a string"],
    ["a missing version_req", withDependency({ version_req: undefined }), "invalid upload request: missing field `deps[0].version_req`"],
    ["dep features as a string", withDependency({ features: "derive" }), "invalid upload request: `deps[0].features` must be an array of strings"],
    ["dep features with a number", withDependency({ features: [1] }), "invalid upload request: `deps[0].features` must be an array of strings"],
    ["optional as a string", withDependency({ optional: "yes" }), "invalid upload request: `deps[0].optional` must be a boolean"],
    ["default_features as a number", withDependency({ default_features: 1 }), "invalid upload request: `deps[0].default_features` must be a boolean"],
    ["a numeric target", withDependency({ target: 3 }), "invalid upload request: `deps[0].target` must be a string"],
    ["an unknown kind", withDependency({ kind: "test" }), "invalid upload request: `deps[0].kind` must be `normal`, `dev` or `build`, not `test`"],
    ["a numeric registry", withDependency({ registry: 1 }), "invalid upload request: `deps[0].registry` must be a string"],
    ["features as an array", metadataJson({ features: [] }), "invalid upload request: `features` must be an object"],
    ["a feature that is not a list", metadataJson({ features: { std: "alloc" } }), "invalid upload request: `features.std` must be an array of strings"],
    ["authors as a string", metadataJson({ authors: "me" }), "invalid upload request: `authors` must be an array of strings"],
    ["a numeric description", metadataJson({ description: 1 }), "invalid upload request: `description` must be a string"],
    ["a boolean readme", metadataJson({ readme: false }), "invalid upload request: `readme` must be a string"],
    ["keywords with a number", metadataJson({ keywords: ["a", 1] }), "invalid upload request: `keywords` must be an array of strings"],
    ["categories as an object", metadataJson({ categories: {} }), "invalid upload request: `categories` must be an array of strings"],
    ["a numeric license", metadataJson({ license: 1 }), "invalid upload request: `license` must be a string"],
    ["badges as a list", metadataJson({ badges: [] }), "invalid upload request: `badges` must be an object"],
    ["a badge with numbers", metadataJson({ badges: { travis: { n: 1 } } }), "invalid upload request: `badges.travis` must be an object of strings"],
    ["numeric links", metadataJson({ links: 1 }), "invalid upload request: `links` must be a string"],
    ["a numeric rust_version", metadataJson({ rust_version: 1.7 }), "invalid upload request: `rust_version` must be a string"],
  ])("rejects %s", (_, json, message) => {
    expect(failure(json)).toEqual({ status: 400, message });
  });

  it.each([
    ["an invalid name", metadataJson({ name: "1abc" }), "the name `1abc` cannot be used as a crate name, the name cannot start with a digit"],
    ["a reserved name", metadataJson({ name: "proc-macro" }), "cannot upload a crate with a reserved name"],
    ["a 65-character name", metadataJson({ name: "a".repeat(65) }), `the name \`${"a".repeat(65)}\` is too long (max 64 characters)`],
    ["a name with a dot", metadataJson({ name: "a.b" }), "invalid character `.` in crate name: `a.b`, characters must be ASCII alphanumerics, `-` or `_`"],
    ["a partial version", metadataJson({ vers: "1.0" }), '"1.0" is an invalid semver version'],
    ["a version with a v", metadataJson({ vers: "v1.0.0" }), '"v1.0.0" is an invalid semver version'],
    ["a version over 150 characters", metadataJson({ vers: `1.0.0-${"a".repeat(145)}` }), `"1.0.0-${"a".repeat(74)}…" is an invalid semver version`],
    ["a bad rust_version", metadataJson({ rust_version: "^1.70" }), "invalid upload request: `rust_version` must look like `1.70` or `1.70.0`, not `^1.70`"],
    ["a four-part rust_version", metadataJson({ rust_version: "1.70.0.1" }), "invalid upload request: `rust_version` must look like `1.70` or `1.70.0`, not `1.70.0.1`"],
    ["a rust_version with a pre-release", metadataJson({ rust_version: "1.70.0-beta" }), "invalid upload request: `rust_version` must look like `1.70` or `1.70.0`, not `1.70.0-beta`"],
    ["an invalid dependency name", withDependency({ name: "serde json" }), "invalid character ` ` in dependency name: `serde json`, characters must be ASCII alphanumerics, `-` or `_`"],
    ["a dependency named with a leading _", withDependency({ name: "_serde" }), "invalid character `_` in dependency name: `_serde`, the first character must be an ASCII letter"],
    ["an invalid alias", withDependency({ explicit_name_in_toml: "1x" }), "the name `1x` cannot be used as a dependency name, the name cannot start with a digit"],
    ["an invalid requirement", withDependency({ version_req: "latest" }), "dependency `serde` has an invalid version requirement `latest`: unexpected character `l` while parsing major version number"],
    ["an || requirement on an alias", withDependency({ explicit_name_in_toml: "serde1", version_req: "^1.0 || ^2.0" }), "dependency `serde1` has an invalid version requirement `^1.0 || ^2.0`: expected comma after minor version number, found `|`"],
    ["an empty requirement", withDependency({ version_req: "" }), "dependency `serde` has an invalid version requirement ``: unexpected end of input while parsing major version number"],
    ["an empty dependency feature", withDependency({ features: [""] }), "dependency `serde` has an invalid feature ``: feature name cannot be empty"],
    ["an invalid feature name", metadataJson({ features: { "-std": [] } }), "invalid character `-` in feature `-std`, the first character must be a letter, a digit or `_`"],
    ["an invalid feature value", metadataJson({ features: { std: ["dep:1x"] } }), "feature `std` has an invalid value `dep:1x`: the name `1x` cannot be used as a dependency name, the name cannot start with a digit"],
    ["an empty feature value", metadataJson({ features: { std: [""] } }), "feature `std` has an invalid value ``: feature name cannot be empty"],
  ])("rejects %s", (_, json, message) => {
    expect(failure(json)).toEqual({ status: 400, message });
  });

  it("rejects a deeply nested document without crashing", () => {
    const json = `{"name":"foo","vers":"1.0.0","badges":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    expect(failure(json)).toEqual({ status: 400, message: "invalid upload request: `badges` must be an object" });
  });

  it("handles a large dependency list", () => {
    const deps = Array.from({ length: 5000 }, (_, i) => ({ name: `dep${i}`, version_req: "^1" }));
    expect(parsePublishMetadata(JSON.stringify({ name: "foo", vers: "1.0.0", deps })).deps).toHaveLength(5000);
  });
});
