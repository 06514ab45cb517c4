// `cargohold user add LOGIN [--admin] [--name NAME] [--email EMAIL] --password-stdin`
import { parseArgs } from "node:util";
import { displayNameProblem, loginProblem } from "../auth/accounts.js";
import { hashPassword, passwordProblem } from "../auth/passwords.js";
import type { AppContext } from "../context.js";
import { isoSeconds } from "../time.js";
import { CliError, readAll, type CliIo } from "./io.js";


export async function userCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== "add") throw new CliError("usage: cargohold user add LOGIN [--admin] [--name NAME] [--email EMAIL] --password-stdin", 2);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { admin: { type: "boolean" }, name: { type: "string" }, email: { type: "string" }, "password-stdin": { type: "boolean" } },
  });
  const [login, ...extra] = positionals;
  if (!login || extra.length) throw new CliError("usage: cargohold user add LOGIN [--admin] [--name NAME] [--email EMAIL] --password-stdin", 2);
  const loginError = loginProblem(login);
  if (loginError) throw new CliError(`invalid login "${login}": ${loginError}`);
  const nameError = values.name === undefined ? undefined : displayNameProblem(values.name);
  if (nameError) throw new CliError(nameError);
  if (!values["password-stdin"]) throw new CliError("give the password on standard input with --password-stdin (never as an argument)", 2);
  if (ctx.db.users.findByLogin(login)) throw new CliError(`a user with login "${login}" already exists`);
  const password = (await readAll(io.stdin)).replace(/\r?\n$/, "");
  const problem = passwordProblem(password);
  if (problem) throw new CliError(problem);
  const passwordHash = await hashPassword(password, ctx.config.bcryptCost);
  const now = isoSeconds(ctx.now());
  ctx.db.transaction(() => {
    const id = ctx.db.users.create({ login, name: values.name ?? null, email: values.email ?? null, passwordHash, isAdmin: values.admin ?? false, createdAt: now });
    ctx.db.audit.record({ action: "user-create", userId: id, tokenId: null, detail: { login, admin: values.admin ?? false, via: "cli" }, createdAt: now });
  });
  io.stdout.write(`created user ${login}${values.admin ? " (admin)" : ""}\n`);
}
