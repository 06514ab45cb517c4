// The token model: endpoint scopes and crate patterns, as crates.io has them (RFC 2947), except that
// patterns match canonically (case-insensitive, '-' equals '_'), as crate names are unique that way.
import { canonicalName, crateNameProblem } from "../registry/names.js";

export const ENDPOINT_SCOPES = ["publish-new", "publish-update", "yank", "change-owners"] as const;
export type EndpointScope = (typeof ENDPOINT_SCOPES)[number];

/** One-line descriptions shown beside each scope (crates.io wording). */
export const ENDPOINT_SCOPE_DESCRIPTIONS: Record<EndpointScope, string> = {
  "publish-new": "Publish new crates",
  "publish-update": "Publish new versions of existing crates",
  yank: "Yank and unyank crate versions",
  "change-owners": "Invite new crate owners or remove existing ones",
};

export const isEndpointScope = (value: string): value is EndpointScope =>
  (ENDPOINT_SCOPES as readonly string[]).includes(value);

/**
 * Why `pattern` is not a valid crate pattern, or undefined. Valid: `*`, a crate name, or a crate
 * name followed by one `*` (crates.io `CrateScope::is_valid_pattern`).
 */
export function cratePatternProblem(pattern: string): string | undefined {
  if (pattern === "*") return undefined;
  if (pattern === "") return "a crate pattern must not be empty";
  const stem = pattern.endsWith("*") ? pattern.slice(0, -1) : pattern;
  const problem = stem === "" ? "it is empty" : crateNameProblemForPattern(stem);
  return problem
    ? `\`${pattern}\` is not a valid crate pattern: use a crate name, a name followed by \`*\`, or \`*\` alone (${problem})`
    : undefined;
}

function crateNameProblemForPattern(stem: string): string | undefined {
  if (stem.includes("*")) return "`*` may only appear once, at the end";
  // Reserved names cannot be published, but a pattern naming one is harmless; only the syntax matters.
  const problem = crateNameProblem(stem);
  return problem && !problem.includes("reserved") ? problem : undefined;
}

/** True when `pattern` (already valid) covers the crate `name`, compared canonically. */
export function patternMatches(pattern: string, name: string): boolean {
  if (pattern === "*") return true;
  const canonical = canonicalName(name);
  return pattern.endsWith("*")
    ? canonical.startsWith(canonicalName(pattern.slice(0, -1)))
    : canonical === canonicalName(pattern);
}

/**
 * True when a token limited to `patterns` may act on `crate`. `null` patterns cover every crate; a
 * crate-limited token on an endpoint that involves no crate (`crate` undefined) is refused.
 */
export function crateScopeAllows(patterns: string[] | null, crate: string | undefined): boolean {
  if (patterns === null || patterns.length === 0) return true;
  if (crate === undefined) return false;
  return patterns.some((p) => patternMatches(p, crate));
}

/** True when the token's endpoint scopes include `scope`. */
export function endpointScopeAllows(scopes: readonly string[], scope: EndpointScope): boolean {
  return scopes.includes(scope);
}

/** Human description of a pattern, as on the New API Token page. */
export function describePattern(pattern: string): string {
  if (pattern === "*") return "Matches all crates";
  if (cratePatternProblem(pattern)) return "Invalid crate name pattern";
  return pattern.endsWith("*")
    ? `Matches all crates starting with ${pattern.slice(0, -1)}`
    : `Matches only the ${pattern} crate`;
}
