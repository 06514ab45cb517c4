// Crate, dependency and feature name rules (crates.io's, stricter than cargo's), and the canonical
// form under which `Foo-Bar`, `foo_bar` and `foo-bar` are the same crate.

export const MAX_CRATE_NAME_LENGTH = 64;

// Why: crates.io refuses these (cargo-protocol.md §4.1): names of the standard library and the
// compiler's own crates, and Windows device names, which cannot be files on Windows checkouts.
const RESERVED_NAMES = new Set(
  [
    "alloc", "arena", "ast", "builtins", "collections", "compiler-builtins", "compiler-rt",
    "compiletest", "core", "coretest", "debug", "driver", "flate", "fmt_macros", "grammar",
    "graphviz", "macro", "macros", "proc_macro", "rbml", "rust-installer", "rustbook", "rustc",
    "rustc_back", "rustc_borrowck", "rustc_driver", "rustc_llvm", "rustc_resolve", "rustc_trans",
    "rustc_typeck", "rustdoc", "rustllvm", "rustuv", "serialize", "std", "syntax", "test", "unicode",
    "nul", "con", "prn", "aux",
    ...Array.from({ length: 10 }, (_, i) => `com${i}`),
    ...Array.from({ length: 10 }, (_, i) => `lpt${i}`),
  ].map(canonicalName),
);

/** The form names are compared in: lowercase, with `-` and `_` the same (crates.io's `canon_crate_name`). */
export function canonicalName(name: string): string {
  return name.toLowerCase().replaceAll("-", "_");
}

/** Returns why `name` cannot be published as a crate on this registry, or undefined when it can. */
export function crateNameProblem(name: string): string | undefined {
  const problem = identifierProblem(name, "crate name", false);
  if (problem !== undefined) return problem;
  if (RESERVED_NAMES.has(canonicalName(name))) return "cannot upload a crate with a reserved name";
  return undefined;
}

/** Returns why `name` is not a valid dependency alias (crate rules, but a leading `_` is allowed), or undefined. */
export function dependencyNameProblem(name: string): string | undefined {
  return identifierProblem(name, "dependency name", true);
}

/**
 * The shared crates.io identifier rule: non-empty, at most 64 characters, an ASCII letter first
 * (or `_` when `allowUnderscoreStart`), then ASCII alphanumerics, `-` or `_`. Returns undefined when valid.
 */
export function identifierProblem(name: string, what: string, allowUnderscoreStart: boolean): string | undefined {
  if (name.length === 0) return `the ${what} cannot be empty`;
  if (name.length > MAX_CRATE_NAME_LENGTH) {
    return `the name \`${excerpt(name)}\` is too long (max ${MAX_CRATE_NAME_LENGTH} characters)`;
  }
  const first = firstChar(name);
  if (/^[0-9]$/.test(first)) {
    return `the name \`${name}\` cannot be used as a ${what}, the name cannot start with a digit`;
  }
  if (!/^[A-Za-z]$/.test(first) && !(allowUnderscoreStart && first === "_")) {
    const expected = allowUnderscoreStart ? "an ASCII letter or `_`" : "an ASCII letter";
    return `invalid character \`${first}\` in ${what}: \`${name}\`, the first character must be ${expected}`;
  }
  const bad = name.slice(first.length).match(/[^A-Za-z0-9_-]/u);
  if (bad) {
    return `invalid character \`${bad[0]}\` in ${what}: \`${name}\`, characters must be ASCII alphanumerics, \`-\` or \`_\``;
  }
  return undefined;
}

/**
 * Returns why `name` is not a valid feature name, or undefined. This is cargo's rule (and crates.io's):
 * a Unicode XID start character, `_` or a digit first, then XID continue characters, `+`, `-` or `.`.
 */
export function featureNameProblem(name: string): string | undefined {
  if (name.length === 0) return "feature name cannot be empty";
  const first = firstChar(name);
  if (!/^[\p{XID_Start}_0-9]$/u.test(first)) {
    return `invalid character \`${first}\` in feature \`${excerpt(name)}\`, the first character must be a letter, a digit or \`_\``;
  }
  const bad = name.slice(first.length).match(/[^\p{XID_Continue}+.-]/u);
  if (bad) {
    return `invalid character \`${bad[0]}\` in feature \`${excerpt(name)}\`, characters must be letters, digits, \`_\`, \`+\`, \`-\` or \`.\``;
  }
  return undefined;
}

/**
 * Returns why `value` cannot appear in a `[features]` list, or undefined. Accepted forms are
 * `feat`, `dep:name`, `name/feat` and `name?/feat` (cargo's `FeatureValue`).
 */
export function featureValueProblem(value: string): string | undefined {
  const slash = value.indexOf("/");
  if (slash !== -1) {
    const dep = value.slice(0, slash);
    return dependencyNameProblem(dep.endsWith("?") ? dep.slice(0, -1) : dep) ?? featureNameProblem(value.slice(slash + 1));
  }
  if (value.startsWith("dep:")) return dependencyNameProblem(value.slice("dep:".length));
  return featureNameProblem(value);
}

/** Shortens `text` for an error message, so a megabyte-long value is not echoed back whole. */
export function excerpt(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function firstChar(text: string): string {
  return String.fromCodePoint(text.codePointAt(0) ?? 0);
}
