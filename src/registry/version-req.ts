// Version requirement syntax, checked the way cargo parses `req`: a port of the grammar of the Rust
// `semver` crate's `VersionReq::from_str` (semver 1.x, `parse.rs`), with its error wording.

type Position =
  | "major version number"
  | "minor version number"
  | "patch version number"
  | "pre-release identifier"
  | "build metadata";

// Why: the semver crate refuses requirements with more than 32 comparators.
const MAX_COMPARATORS = 32;

class ReqSyntaxError extends Error {}

/** Returns why `req` does not parse as a cargo version requirement, or undefined when it does. */
export function requirementProblem(req: string): string | undefined {
  try {
    parseRequirement(req);
    return undefined;
  } catch (error) {
    if (error instanceof ReqSyntaxError) return error.message;
    throw error;
  }
}

function parseRequirement(input: string): void {
  let text = trimSpaces(input);
  // A lone `*` (or `x`/`X`) means "any version"; it cannot be combined with other comparators.
  if (isWildcard(text)) {
    const rest = trimSpaces(text.slice(1));
    if (rest === "") return;
    throw rest.startsWith(",") ? wildcardNotAlone(text[0]!) : afterWildcard();
  }
  for (let count = 1; ; count++) {
    let parsed: { pos: Position; rest: string };
    try {
      parsed = comparator(text);
    } catch (error) {
      const rest = trimSpaces(text.slice(1));
      if (isWildcard(text) && (rest === "" || rest.startsWith(","))) throw wildcardNotAlone(text[0]!);
      throw error;
    }
    if (parsed.rest === "") return;
    if (!parsed.rest.startsWith(",")) {
      throw new ReqSyntaxError(`expected comma after ${parsed.pos}, found ${quote(parsed.rest)}`);
    }
    if (count === MAX_COMPARATORS) throw new ReqSyntaxError("excessive number of version comparators");
    text = trimSpaces(parsed.rest.slice(1));
  }
}

// One comparator: an optional operator, then `MAJOR[.MINOR[.PATCH[-PRE][+BUILD]]]` where MINOR and
// PATCH may be wildcards (`1.*`, `1.2.x`), but a wildcard minor cannot be followed by a numeric patch.
function comparator(input: string): { pos: Position; rest: string } {
  let text = trimSpaces(input.replace(/^(>=|<=|[=><~^])/, ""));
  let pos: Position = "major version number";
  text = numericIdentifier(text, pos);
  let wildcardMinor = false;
  let hasPatch = false;
  if (text.startsWith(".")) {
    pos = "minor version number";
    text = text.slice(1);
    wildcardMinor = isWildcard(text);
    text = wildcardMinor ? text.slice(1) : numericIdentifier(text, pos);
  }
  if (text.startsWith(".")) {
    pos = "patch version number";
    text = text.slice(1);
    if (isWildcard(text)) text = text.slice(1);
    else if (wildcardMinor) throw afterWildcard();
    else {
      text = numericIdentifier(text, pos);
      hasPatch = true;
    }
  }
  if (hasPatch && text.startsWith("-")) {
    pos = "pre-release identifier";
    text = identifier(text.slice(1), pos);
  }
  if (hasPatch && text.startsWith("+")) {
    pos = "build metadata";
    text = identifier(text.slice(1), pos);
  }
  return { pos, rest: trimSpaces(text) };
}

// A u64 without leading zeros; returns the text after it.
function numericIdentifier(text: string, pos: Position): string {
  const digits = /^\d*/.exec(text)![0];
  if (digits === "") {
    if (text === "") throw new ReqSyntaxError(`unexpected end of input while parsing ${pos}`);
    throw new ReqSyntaxError(`unexpected character ${quote(text)} while parsing ${pos}`);
  }
  if (digits.length > 1 && digits.startsWith("0")) throw new ReqSyntaxError(`invalid leading zero in ${pos}`);
  if (BigInt(digits) > 2n ** 64n - 1n) throw new ReqSyntaxError(`value of ${pos} exceeds u64::MAX`);
  return text.slice(digits.length);
}

// Dot-separated `[0-9A-Za-z-]+` segments; numeric pre-release segments may not have leading zeros.
function identifier(text: string, pos: Position): string {
  const match = /^[0-9A-Za-z-]*(?:\.[0-9A-Za-z-]*)*/.exec(text)![0];
  const segments = match.split(".");
  if (segments.some((s) => s === "")) throw new ReqSyntaxError(`empty identifier segment in ${pos}`);
  if (pos === "pre-release identifier" && segments.some((s) => /^0\d+$/.test(s))) {
    throw new ReqSyntaxError(`invalid leading zero in ${pos}`);
  }
  return text.slice(match.length);
}

function isWildcard(text: string): boolean {
  return text[0] === "*" || text[0] === "x" || text[0] === "X";
}

function trimSpaces(text: string): string {
  return text.replace(/^ +/, "");
}

function quote(text: string): string {
  return `\`${String.fromCodePoint(text.codePointAt(0)!)}\``;
}

function wildcardNotAlone(ch: string): ReqSyntaxError {
  return new ReqSyntaxError(`wildcard req (${ch}) must be the only comparator in the version req`);
}

function afterWildcard(): ReqSyntaxError {
  return new ReqSyntaxError("unexpected character after wildcard in version req");
}
