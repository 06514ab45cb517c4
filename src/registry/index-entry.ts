// The sparse-index line cargo reads for one version (cargo-protocol.md §1.4), and the conversion of a
// published dependency into its index form (§2.3 "Converting publish metadata to an index line").
import type { DependencyKind, PublishDependency } from "./metadata.js";

/** A dependency as the index stores it: `name` is the alias when renamed, `package` the real name. */
export interface IndexDependency {
  name: string;
  req: string;
  features: string[];
  optional: boolean;
  default_features: boolean;
  target: string | null;
  kind: DependencyKind;
  /** null means "this registry"; otherwise the dependency's index URL, verbatim from cargo. */
  registry: string | null;
  package: string | null;
}

export interface IndexVersion {
  name: string;
  vers: string;
  deps: IndexDependency[];
  /** SHA-256 of the `.crate` bytes, lowercase hex. */
  cksum: string;
  features: Record<string, string[]>;
  yanked: boolean;
  links: string | null;
  rust_version: string | null;
  /** Original publish time, `YYYY-MM-DDTHH:MM:SSZ`, or null. */
  pubtime: string | null;
}

const PUBTIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const PUBTIME_WITH_FRACTION = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+Z$/;

/** Converts a published dependency to its index form, exactly as crates.io and cargo's test registry do. */
export function toIndexDependency(dep: PublishDependency): IndexDependency {
  const renamed = dep.explicit_name_in_toml !== undefined;
  return {
    name: dep.explicit_name_in_toml ?? dep.name,
    req: dep.version_req,
    features: dep.features,
    optional: dep.optional,
    default_features: dep.default_features,
    target: dep.target,
    kind: dep.kind,
    // Why verbatim: cargo already sends index semantics (absent = same registry, else its index URL).
    registry: dep.registry ?? null,
    package: renamed ? dep.name : null,
  };
}

/**
 * Serialises one index line, without the trailing newline. Features using `dep:` or `?/` move to
 * `features2` with `"v":2`, as crates.io does, so cargo older than 1.19 skips them instead of failing.
 * Throws (a server bug, not bad input) if `cksum` is not lowercase hex SHA-256 or `pubtime` is not a UTC timestamp.
 */
export function indexLine(v: IndexVersion): string {
  if (!/^[0-9a-f]{64}$/.test(v.cksum)) throw new Error(`index cksum must be lowercase hex SHA-256, got "${v.cksum}"`);
  const features: Record<string, string[]> = {};
  const features2: Record<string, string[]> = {};
  for (const [feature, values] of Object.entries(v.features)) {
    const usesNewSyntax = values.some((value) => value.startsWith("dep:") || value.includes("?/"));
    // defineProperty: a feature literally named `__proto__` must stay an own key.
    Object.defineProperty(usesNewSyntax ? features2 : features, feature, {
      value: values,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const needsV2 = Object.keys(features2).length > 0;
  return JSON.stringify({
    name: v.name,
    vers: v.vers,
    deps: v.deps.map(orderDependencyKeys),
    cksum: v.cksum,
    features,
    ...(needsV2 ? { features2 } : {}),
    yanked: v.yanked,
    links: v.links,
    ...(needsV2 ? { v: 2 } : {}),
    rust_version: v.rust_version,
    pubtime: formatPubtime(v.pubtime),
  });
}

// Fixed key order for stable, diff-friendly lines regardless of how the caller built the object.
function orderDependencyKeys(d: IndexDependency): IndexDependency {
  return {
    name: d.name,
    req: d.req,
    features: d.features,
    optional: d.optional,
    default_features: d.default_features,
    target: d.target,
    kind: d.kind,
    registry: d.registry,
    package: d.package,
  };
}

// Why: cargo 1.95 accepts only `YYYY-MM-DDTHH:MM:SSZ`; `toISOString()`'s milliseconds make the whole
// line invalid ("index entry is invalid"), so they are stripped here as a last line of defence.
function formatPubtime(pubtime: string | null): string | null {
  if (pubtime === null || PUBTIME.test(pubtime)) return pubtime;
  const withFraction = PUBTIME_WITH_FRACTION.exec(pubtime);
  if (withFraction) return `${withFraction[1]}Z`;
  throw new Error(`index pubtime must be YYYY-MM-DDTHH:MM:SSZ, got "${pubtime}"`);
}
