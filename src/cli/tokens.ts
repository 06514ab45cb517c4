// `cargohold token create|list|revoke`.
import { parseArgs } from "node:util";
import { ENDPOINT_SCOPES } from "../auth/scopes.js";
import { expiryInDays, normaliseTokenRequest, parseExpiry, tokenRequestProblems } from "../auth/token-request.js";
import { createApiToken, revokeApiToken, tokenState } from "../auth/token-service.js";
import type { AppContext } from "../context.js";
import type { User } from "../db/users.js";
import { CliError, table, type CliIo } from "./io.js";

const USAGE = `usage:
  cargohold token create LOGIN --name NAME [--scope SCOPE]... [--crate PATTERN]... [--expires-in DAYS | --expires-at DATE]
  cargohold token list LOGIN
  cargohold token revoke ID`;

export async function tokenCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === "create") return createToken(ctx, rest, io);
  if (sub === "list") return listTokens(ctx, rest, io);
  if (sub === "revoke") return revokeToken(ctx, rest, io);
  throw new CliError(USAGE, 2);
}

function findUser(ctx: AppContext, login: string | undefined): User {
  if (!login) throw new CliError(USAGE, 2);
  const user = ctx.db.users.findByLogin(login);
  if (!user) throw new CliError(`no user with login "${login}"; create one with: cargohold user add ${login} --password-stdin`);
  return user;
}

/** Prints the new token alone on stdout, so `$(cargohold token create ...)` captures it. */
function createToken(ctx: AppContext, args: string[], io: CliIo): void {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      scope: { type: "string", multiple: true },
      crate: { type: "string", multiple: true },
      "expires-in": { type: "string" },
      "expires-at": { type: "string" },
    },
  });
  if (positionals.length !== 1 || values.name === undefined) throw new CliError(USAGE, 2);
  const user = findUser(ctx, positionals[0]);
  const now = ctx.now();
  const input = {
    name: values.name,
    endpointScopes: values.scope ?? [...ENDPOINT_SCOPES],
    crateScopes: values.crate ?? null,
    expiresAt: expiryOption(values["expires-in"], values["expires-at"], now),
  };
  const problems = Object.values(tokenRequestProblems(input, now));
  if (problems.length) throw new CliError(problems.join("\n"));
  const { plaintext } = createApiToken(ctx, user.id, normaliseTokenRequest(input));
  io.stdout.write(`${plaintext}\n`);
}

function expiryOption(expiresIn: string | undefined, expiresAt: string | undefined, now: Date): Date | null {
  if (expiresIn !== undefined && expiresAt !== undefined) throw new CliError("give either --expires-in or --expires-at, not both", 2);
  if (expiresIn !== undefined) {
    if (!/^\d+$/.test(expiresIn) || Number(expiresIn) < 1 || Number(expiresIn) > 3650) {
      throw new CliError(`--expires-in must be a number of days from 1 to 3650 (got "${expiresIn}")`);
    }
    return expiryInDays(Number(expiresIn), now);
  }
  if (expiresAt !== undefined) {
    const date = parseExpiry(expiresAt, now);
    if (!date) throw new CliError(`--expires-at must be a date (2027-01-31) or an RFC 3339 timestamp (2027-01-31T12:00:00Z); got "${expiresAt}"`);
    return date;
  }
  return null;
}

function listTokens(ctx: AppContext, args: string[], io: CliIo): void {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new CliError(USAGE, 2);
  const user = findUser(ctx, positionals[0]);
  const now = ctx.now();
  const rows = ctx.db.tokens.listForUser(user.id).map((t) => {
    const state = tokenState(t, now);
    return [
      String(t.id),
      t.name,
      t.endpointScopes.join(",") || "-",
      t.crateScopes?.join(",") ?? "*",
      t.createdAt,
      t.lastUsedAt ?? "never",
      t.expiresAt === null ? "never" : state === "expired" ? `expired ${t.expiresAt}` : t.expiresAt,
      state === "revoked" ? `revoked ${t.revokedAt}` : state,
    ];
  });
  if (rows.length === 0) {
    io.stdout.write(`${user.login} has no tokens\n`);
    return;
  }
  io.stdout.write(table(["ID", "NAME", "SCOPES", "CRATES", "CREATED", "LAST USED", "EXPIRES", "STATE"], rows));
}

function revokeToken(ctx: AppContext, args: string[], io: CliIo): void {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1 || !/^\d+$/.test(positionals[0]!)) throw new CliError(USAGE, 2);
  const token = ctx.db.tokens.findById(Number(positionals[0]));
  if (!token) throw new CliError(`no token with id ${positionals[0]}`);
  if (!revokeApiToken(ctx, token, null)) throw new CliError(`token ${token.id} ("${token.name}") was already revoked on ${token.revokedAt}`);
  io.stdout.write(`revoked token ${token.id} ("${token.name}")\n`);
}
