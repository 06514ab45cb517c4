// Finding the crate and version named in an API path. Names are matched canonically (case and
// '-'/'_' do not matter); versions literally, with `+build` kept.
import type { AppContext } from "../context.js";
import type { Crate } from "../db/crates.js";
import type { Version } from "../db/versions.js";
import { crateNotFound, versionNotFound } from "../errors.js";
import { canonicalName } from "../registry/names.js";

/** The crate called `name` (canonically); throws 404 when there is none. */
export function findCrate(ctx: AppContext, name: string): Crate {
  const crate = ctx.db.crates.findByCanonicalName(canonicalName(name));
  if (!crate) throw crateNotFound(name);
  return crate;
}

/** The crate and its version `num`; throws 404 naming whichever is missing. */
export function findVersion(ctx: AppContext, name: string, num: string): { crate: Crate; version: Version } {
  const crate = findCrate(ctx, name);
  const version = ctx.db.versions.findByNum(crate.id, num);
  if (!version) throw versionNotFound(crate.name, num);
  return { crate, version };
}
