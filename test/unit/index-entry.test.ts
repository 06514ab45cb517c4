import { describe, expect, it } from "vitest";
import { indexLine, toIndexDependency, type IndexVersion } from "../../src/registry/index-entry.js";
import type { PublishDependency } from "../../src/registry/metadata.js";

const CKSUM = "d867001db0e2b6e0496f9fac96930e2d42233ecd3ca0413e0753d4c7695d289c";

const plainDep: PublishDependency = {
  name: "rand",
  version_req: "^0.8",
  features: [],
  optional: false,
  default_features: true,
  target: null,
  kind: "normal",
  registry: "https://github.com/rust-lang/crates.io-index",
};

function version(patch: Partial<IndexVersion> = {}): IndexVersion {
  return {
    name: "foo",
    vers: "0.1.0",
    deps: [toIndexDependency(plainDep)],
    cksum: CKSUM,
    features: { default: ["std"], std: [] },
    yanked: false,
    links: null,
    rust_version: "1.70",
    pubtime: null,
    ...patch,
  };
}

describe("toIndexDependency", () => {
  it("copies a plain dependency, keeping the registry URL verbatim", () => {
    expect(toIndexDependency(plainDep)).toEqual({
      name: "rand",
      req: "^0.8",
      features: [],
      optional: false,
      default_features: true,
      target: null,
      kind: "normal",
      registry: "https://github.com/rust-lang/crates.io-index",
      package: null,
    });
  });

  it("puts the alias in name and the real name in package for a renamed dependency", () => {
    const dep = toIndexDependency({ ...plainDep, explicit_name_in_toml: "rand2" });
    expect(dep).toMatchObject({ name: "rand2", package: "rand", req: "^0.8" });
  });

  it("maps an absent registry (same registry) to null", () => {
    const { registry: _, ...sameRegistry } = plainDep;
    expect(toIndexDependency(sameRegistry).registry).toBeNull();
  });

  it.each([
    ["optional", { optional: true }],
    ["default_features", { default_features: false }],
    ["target", { target: "cfg(windows)" }],
    ["kind", { kind: "dev" as const }],
    ["features", { features: ["std", "serde"] }],
  ])("copies %s", (field, patch) => {
    const dep = toIndexDependency({ ...plainDep, ...patch });
    expect(dep[field as keyof typeof dep]).toEqual(Object.values(patch)[0]);
  });
});

describe("indexLine", () => {
  it("matches the documented example line byte for byte", () => {
    expect(indexLine(version())).toBe(
      '{"name":"foo","vers":"0.1.0","deps":[{"name":"rand","req":"^0.8","features":[],"optional":false,"default_features":true,"target":null,"kind":"normal","registry":"https://github.com/rust-lang/crates.io-index","package":null}],"cksum":"d867001db0e2b6e0496f9fac96930e2d42233ecd3ca0413e0753d4c7695d289c","features":{"default":["std"],"std":[]},"yanked":false,"links":null,"rust_version":"1.70","pubtime":null}',
    );
  });

  it("is a single line without a trailing newline", () => {
    const line = indexLine(version({ features: { "a\nb": ["x\ny"] }, links: "z\n" }));
    expect(line).not.toContain("\n");
  });

  it("moves features using dep: or ?/ to features2 and sets v:2, keeping key order", () => {
    const line = indexLine(
      version({ features: { default: ["std"], std: [], serde: ["dep:serde"], json: ["serde?/std", "std"], derive: ["serde/derive"] } }),
    );
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["name", "vers", "deps", "cksum", "features", "features2", "yanked", "links", "v", "rust_version", "pubtime"]);
    expect(parsed.features).toEqual({ default: ["std"], std: [], derive: ["serde/derive"] });
    expect(parsed.features2).toEqual({ serde: ["dep:serde"], json: ["serde?/std", "std"] });
    expect(parsed.v).toBe(2);
  });

  it("omits features2 and v when no feature needs them", () => {
    expect(Object.keys(JSON.parse(indexLine(version())))).toEqual([
      "name", "vers", "deps", "cksum", "features", "yanked", "links", "rust_version", "pubtime",
    ]);
  });

  it("orders dependency keys the same way whatever order they were built in", () => {
    const dep = toIndexDependency(plainDep);
    const shuffled = Object.fromEntries(Object.entries(dep).reverse()) as typeof dep;
    expect(indexLine(version({ deps: [shuffled] }))).toBe(indexLine(version()));
  });

  it("keeps a feature named __proto__", () => {
    const features = JSON.parse('{"__proto__":["dep:x"],"std":[]}') as Record<string, string[]>;
    const parsed = JSON.parse(indexLine(version({ features }))) as { features: object; features2: object };
    expect(Object.keys(parsed.features2)).toEqual(["__proto__"]);
    expect(Object.keys(parsed.features)).toEqual(["std"]);
  });

  it.each([
    ["2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"],
    ["2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00Z"],
    ["2025-06-30T23:59:59.123456Z", "2025-06-30T23:59:59Z"],
    [null, null],
  ])("writes pubtime %j as %j", (pubtime, expected) => {
    expect(JSON.parse(indexLine(version({ pubtime }))).pubtime).toBe(expected);
  });

  it("never emits milliseconds from toISOString()", () => {
    const line = indexLine(version({ pubtime: new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)).toISOString() }));
    expect(JSON.parse(line).pubtime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it.each(["2025-01-01", "2025-01-01T00:00:00+00:00", "2025-01-01 00:00:00Z", "yesterday"])(
    "throws for a pubtime it cannot fix: %j",
    (pubtime) => {
      expect(() => indexLine(version({ pubtime }))).toThrow(/pubtime/);
    },
  );

  it.each(["", CKSUM.toUpperCase(), CKSUM.slice(1)])("throws for a bad cksum %j", (cksum) => {
    expect(() => indexLine(version({ cksum }))).toThrow(/cksum/);
  });

  it("writes yanked, links and a null rust_version", () => {
    const parsed = JSON.parse(indexLine(version({ yanked: true, links: "z", rust_version: null })));
    expect(parsed).toMatchObject({ yanked: true, links: "z", rust_version: null });
  });
});
