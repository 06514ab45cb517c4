// The publish metadata JSON cargo sends (`NewCrate`, cargo-protocol.md §2.3): its types, and a parser
// that checks every field's type and the crates.io rules for names, versions, requirements and features.
import { badRequest } from "../errors.js";
import { invalidUpload, isObject, JsonFields, stringArrayAt, type JsonObject } from "./json-fields.js";
import {
  crateNameProblem,
  dependencyNameProblem,
  excerpt,
  featureNameProblem,
  featureValueProblem,
  identifierProblem,
} from "./names.js";
import { parseVersion, versionReqProblem } from "./version.js";

export type DependencyKind = "normal" | "dev" | "build";

/** A dependency as cargo publishes it (`NewCrateDependency`): `name` is the real package name. */
export interface PublishDependency {
  name: string;
  version_req: string;
  features: string[];
  optional: boolean;
  default_features: boolean;
  target: string | null;
  kind: DependencyKind;
  /** Index URL of the dependency's registry; absent means this registry. */
  registry?: string;
  /** The alias (the key in Cargo.toml) of a renamed dependency. */
  explicit_name_in_toml?: string;
}

/** The publish metadata, with every optional field filled in (null, [] or {}). */
export interface PublishMetadata {
  name: string;
  vers: string;
  deps: PublishDependency[];
  features: Record<string, string[]>;
  authors: string[];
  description: string | null;
  documentation: string | null;
  homepage: string | null;
  readme: string | null;
  readme_file: string | null;
  keywords: string[];
  categories: string[];
  license: string | null;
  license_file: string | null;
  repository: string | null;
  badges: Record<string, Record<string, string>>;
  links: string | null;
  rust_version: string | null;
}

const KINDS: readonly string[] = ["normal", "dev", "build"];

// Why: cargo's `RustVersion` is `major[.minor[.patch]]`, numbers without leading zeros and nothing else;
// an index line with any other `rust_version` is unusable (cargo-protocol.md §1.4).
const RUST_VERSION = /^(0|[1-9]\d*)(\.(0|[1-9]\d*)){0,2}$/;

/**
 * Parses and validates the metadata JSON of a publish request; returns it with defaults filled in and
 * `vers` normalised. Throws a 400 HttpError naming the offending field for any problem. Unknown fields are ignored.
 */
export function parsePublishMetadata(json: string): PublishMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw invalidUpload(error instanceof Error ? error.message : "the metadata is not valid JSON");
  }
  if (!isObject(parsed)) throw invalidUpload("the metadata must be a JSON object");
  const fields = new JsonFields(parsed);

  const name = fields.requiredString("name");
  const nameProblem = crateNameProblem(name);
  if (nameProblem !== undefined) throw badRequest(nameProblem);

  const rawVers = fields.requiredString("vers");
  const version = parseVersion(rawVers);
  if (version === undefined) throw badRequest(`"${excerpt(rawVers)}" is an invalid semver version`);

  const rustVersion = fields.nullableString("rust_version");
  if (rustVersion !== null && !RUST_VERSION.test(rustVersion)) {
    throw invalidUpload(`\`rust_version\` must look like \`1.70\` or \`1.70.0\`, not \`${excerpt(rustVersion)}\``);
  }

  return {
    name,
    vers: version.normalized,
    deps: fields.array("deps").map((dep, i) => parseDependency(dep, `deps[${i}]`)),
    features: parseFeatures(fields.object("features")),
    authors: fields.stringArray("authors"),
    description: fields.nullableString("description"),
    documentation: fields.nullableString("documentation"),
    homepage: fields.nullableString("homepage"),
    readme: fields.nullableString("readme"),
    readme_file: fields.nullableString("readme_file"),
    // A private registry does not need crates.io's keyword and category limits: types only.
    keywords: fields.stringArray("keywords"),
    categories: fields.stringArray("categories"),
    license: fields.nullableString("license"),
    license_file: fields.nullableString("license_file"),
    repository: fields.nullableString("repository"),
    badges: parseBadges(fields.object("badges")),
    links: fields.nullableString("links"),
    rust_version: rustVersion,
  };
}

function parseDependency(value: unknown, path: string): PublishDependency {
  if (!isObject(value)) throw invalidUpload(`\`${path}\` must be an object`);
  const fields = new JsonFields(value, path);
  const name = fields.requiredString("name");
  // The real package name follows crate-name rules; only an alias may start with `_`.
  const nameProblem = identifierProblem(name, "dependency name", false);
  if (nameProblem !== undefined) throw badRequest(nameProblem);

  const alias = fields.nullableString("explicit_name_in_toml");
  const aliasProblem = alias === null ? undefined : dependencyNameProblem(alias);
  if (aliasProblem !== undefined) throw badRequest(aliasProblem);
  const shownName = alias ?? name;

  const versionReq = fields.requiredString("version_req");
  const reqProblem = versionReqProblem(versionReq);
  if (reqProblem !== undefined) {
    throw badRequest(
      `dependency \`${shownName}\` has an invalid version requirement \`${excerpt(versionReq)}\`: ${reqProblem}`,
    );
  }

  const features = fields.stringArray("features");
  for (const feature of features) {
    const problem = featureValueProblem(feature);
    if (problem !== undefined) {
      throw badRequest(`dependency \`${shownName}\` has an invalid feature \`${excerpt(feature)}\`: ${problem}`);
    }
  }

  const kind = fields.nullableString("kind") ?? "normal";
  if (!KINDS.includes(kind)) {
    throw invalidUpload(`\`${fields.at("kind")}\` must be \`normal\`, \`dev\` or \`build\`, not \`${excerpt(kind)}\``);
  }

  const registry = fields.nullableString("registry");
  return {
    name,
    version_req: versionReq,
    features,
    optional: fields.boolean("optional", false),
    default_features: fields.boolean("default_features", true),
    target: fields.nullableString("target"),
    kind: kind as DependencyKind,
    ...(registry === null ? {} : { registry }),
    ...(alias === null ? {} : { explicit_name_in_toml: alias }),
  };
}

function parseFeatures(object: JsonObject): Record<string, string[]> {
  const entries = Object.entries(object).map(([feature, values]): [string, string[]] => {
    const nameProblem = featureNameProblem(feature);
    if (nameProblem !== undefined) throw badRequest(nameProblem);
    const list = stringArrayAt(values, `features.${excerpt(feature)}`);
    for (const value of list) {
      const problem = featureValueProblem(value);
      if (problem !== undefined) {
        throw badRequest(`feature \`${feature}\` has an invalid value \`${excerpt(value)}\`: ${problem}`);
      }
    }
    return [feature, list];
  });
  // Why fromEntries: it defines own properties, so a feature named `__proto__` stays a plain key.
  return Object.fromEntries(entries);
}

function parseBadges(object: JsonObject): Record<string, Record<string, string>> {
  const entries = Object.entries(object).map(([badge, attributes]): [string, Record<string, string>] => {
    const valid = isObject(attributes) && Object.values(attributes).every((v) => typeof v === "string");
    if (!valid) throw invalidUpload(`\`badges.${excerpt(badge)}\` must be an object of strings`);
    return [badge, { ...(attributes as Record<string, string>) }];
  });
  return Object.fromEntries(entries);
}
