// GET, PUT and DELETE /api/v1/crates/{crate}/owners: cargo owner --list/--add/--remove.
// https://doc.rust-lang.org/cargo/reference/registry-web-api.html#owners-list
import type { Request, Response } from "express";
import { authenticateRead, authenticateToken, requireOwner, requireScopes, type TokenAuth } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import type { Crate } from "../db/crates.js";
import type { User } from "../db/users.js";
import { badRequest, notFound } from "../errors.js";
import { isoSeconds } from "../time.js";
import { findCrate } from "./crate-lookup.js";
import { param } from "./handler.js";

/** Lists owners as `{"users":[{"id","login","name"}]}`; cargo prints `login (name)`. */
export function listOwners(ctx: AppContext, req: Request, res: Response): void {
  authenticateRead(ctx, req);
  const crate = findCrate(ctx, param(req, "crate"));
  res.json({ users: ctx.db.crates.listOwners(crate.id) });
}

/** Adds owners directly (no invitations in a private registry). Cargo prints `Owner <msg>`. */
export function addOwners(ctx: AppContext, req: Request, res: Response): void {
  const { auth, crate, users } = prepareOwnerChange(ctx, req);
  const now = isoSeconds(ctx.now());
  ctx.db.transaction(() => {
    for (const user of users) {
      if (ctx.db.crates.addOwner(crate.id, user.id, now)) recordOwnerChange(ctx, "owner-add", auth, crate, user, now);
    }
  });
  const logins = users.map((u) => u.login);
  const msg =
    logins.length === 1
      ? `user ${logins[0]} has been added as an owner of crate ${crate.name}`
      : `users ${logins.join(", ")} have been added as owners of crate ${crate.name}`;
  res.json({ ok: true, msg });
}

/** Removes owners; a crate always keeps at least one. Cargo needs `msg` here too. */
export function removeOwners(ctx: AppContext, req: Request, res: Response): void {
  const { auth, crate, users } = prepareOwnerChange(ctx, req);
  const now = isoSeconds(ctx.now());
  ctx.db.transaction(() => {
    const owners = ctx.db.crates.listOwners(crate.id);
    for (const user of users) {
      if (!owners.some((o) => o.id === user.id)) throw badRequest(`\`${user.login}\` is not an owner of crate \`${crate.name}\``);
    }
    if (owners.length <= users.length) {
      throw badRequest(`cannot remove every owner of crate \`${crate.name}\`; add another owner first`);
    }
    for (const user of users) {
      ctx.db.crates.removeOwner(crate.id, user.id);
      recordOwnerChange(ctx, "owner-remove", auth, crate, user, now);
    }
  });
  res.json({ ok: true, msg: "owners successfully removed" });
}

/** Token with `change-owners` for this crate, an owner, and a body naming existing users. */
function prepareOwnerChange(ctx: AppContext, req: Request): { auth: TokenAuth; crate: Crate; users: User[] } {
  const auth = authenticateToken(ctx, req);
  const crate = findCrate(ctx, param(req, "crate"));
  requireScopes(ctx, req, auth, { scope: "change-owners", crate: crate.name });
  requireOwner(ctx, auth.user, crate);
  const logins = parseLogins(req.body);
  const users = logins.map((login) => {
    const user = ctx.db.users.findByLogin(login);
    if (!user) throw notFound(`could not find user with login \`${login}\``);
    return user;
  });
  return { auth, crate, users: dedupe(users) };
}

function parseLogins(body: unknown): string[] {
  const users = (body as { users?: unknown } | undefined)?.users;
  if (!Array.isArray(users) || users.length === 0 || !users.every((u) => typeof u === "string" && u.length > 0 && u.length <= 100)) {
    throw badRequest('the request body must be `{"users": ["login", ...]}` with at least one login');
  }
  return users as string[];
}

const dedupe = (users: User[]) => users.filter((u, i) => users.findIndex((o) => o.id === u.id) === i);

function recordOwnerChange(ctx: AppContext, action: "owner-add" | "owner-remove", auth: TokenAuth, crate: Crate, user: User, now: string) {
  ctx.db.audit.record({
    action,
    userId: auth.user.id,
    tokenId: auth.token.id,
    crateName: crate.name,
    detail: { login: user.login },
    createdAt: now,
  });
}
