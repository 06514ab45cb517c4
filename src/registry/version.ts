// SemVer rules cargo relies on: strict versions (index `vers`), version requirements (`req`,
// parsed like the Rust `semver` crate's `VersionReq`) and precedence for sorting.
import { requirementProblem } from "./version-req.js";

export const MAX_VERSION_LENGTH = 150;

// Why: the regex from semver.org; cargo parses index `vers` with the strict `semver` crate,
// so `1.0`, `v1.0.0`, `01.0.0` and surrounding whitespace are all invalid there.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const U64_MAX = 2n ** 64n - 1n;

interface Parts {
  core: [bigint, bigint, bigint];
  pre: string[];
  build: string[];
}

/**
 * Parses a strict SemVer 2.0 version of at most 150 characters; returns undefined when invalid.
 * `withoutBuild` is the version without its `+build` part (what uniqueness is checked on, as crates.io does).
 */
export function parseVersion(raw: string): { normalized: string; withoutBuild: string } | undefined {
  const parts = splitVersion(raw);
  if (parts === undefined) return undefined;
  // A strictly valid version is already in normal form: there is nothing to trim or pad.
  const plus = raw.indexOf("+");
  return { normalized: raw, withoutBuild: plus === -1 ? raw : raw.slice(0, plus) };
}

/** Returns why `req` is not a valid cargo version requirement (e.g. `^1.0`, `>=0.2, <0.4`, `*`), or undefined. */
export function versionReqProblem(req: string): string | undefined {
  return requirementProblem(req);
}

/**
 * Compares two versions by SemVer precedence (negative, zero or positive), for sorting and picking the
 * highest. Build metadata only breaks ties so the order is total. Invalid versions sort below valid ones.
 */
export function compareVersions(a: string, b: string): number {
  const pa = splitVersion(a);
  const pb = splitVersion(b);
  if (pa === undefined || pb === undefined) {
    if (pa !== pb) return pa === undefined ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  for (let i = 0; i < 3; i++) {
    const diff = compareBig(pa.core[i]!, pb.core[i]!);
    if (diff !== 0) return diff;
  }
  // A pre-release is lower than the release itself: 1.0.0-alpha < 1.0.0.
  if (pa.pre.length === 0 || pb.pre.length === 0) {
    const diff = Number(pa.pre.length === 0) - Number(pb.pre.length === 0);
    if (diff !== 0) return diff;
  } else {
    const diff = compareIdentifiers(pa.pre, pb.pre);
    if (diff !== 0) return diff;
  }
  return compareIdentifiers(pa.build, pb.build);
}

function splitVersion(raw: string): Parts | undefined {
  if (raw.length > MAX_VERSION_LENGTH) return undefined;
  const match = SEMVER.exec(raw);
  if (!match) return undefined;
  const core = [BigInt(match[1]!), BigInt(match[2]!), BigInt(match[3]!)] as [bigint, bigint, bigint];
  // Why: the Rust semver crate stores each number as a u64 and rejects larger ones.
  if (core.some((n) => n > U64_MAX)) return undefined;
  return { core, pre: match[4]?.split(".") ?? [], build: match[5]?.split(".") ?? [] };
}

// SemVer §11: numeric identifiers compare numerically and sort before alphanumeric ones,
// which compare in ASCII order; a shorter list of equal prefix sorts first.
function compareIdentifiers(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    let diff: number;
    if (xNum && yNum) diff = compareBig(BigInt(x), BigInt(y)) || (x.length - y.length);
    else if (xNum !== yNum) diff = xNum ? -1 : 1;
    else diff = x < y ? -1 : x > y ? 1 : 0;
    if (diff !== 0) return Math.sign(diff);
  }
  return Math.sign(a.length - b.length);
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
