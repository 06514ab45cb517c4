// The admin CLI (`cargohold ...`), working on the same DATA_DIR as the server. The environment is
// handed in by bin/cargohold.js; nothing here reads process.env.
import { ConfigError, loadConfig } from "../config.js";
import { createContext, type AppContext } from "../context.js";
import { silentLogger } from "../logger.js";
import { CliError, type CliIo } from "./io.js";
import { tokenCommand } from "./tokens.js";
import { userCommand } from "./users.js";

const USAGE = `usage: cargohold <command>

  user add LOGIN [--admin] [--name NAME] [--email EMAIL] --password-stdin
  token create LOGIN --name NAME [--scope SCOPE]... [--crate PATTERN]... [--expires-in DAYS | --expires-at DATE]
  token list LOGIN
  token revoke ID

Environment: DATA_DIR (default ./data) selects the registry's data folder.`;

type Command = (ctx: AppContext, args: string[], io: CliIo) => Promise<void> | void;
const COMMANDS: Record<string, Command> = { user: userCommand, token: tokenCommand };

/** Runs one CLI command and returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    (name ? io.stdout : io.stderr).write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`cargohold: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  let ctx: AppContext | undefined;
  try {
    ctx = createContext(loadConfig(io.env, { logFormat: "silent" }), { logger: silentLogger });
    await command(ctx, args, io);
    return 0;
  } catch (error) {
    if (error instanceof CliError || error instanceof ConfigError) {
      io.stderr.write(`cargohold: ${error.message}\n`);
      return error instanceof CliError ? error.exitCode : 2;
    }
    // parseArgs reports unknown or malformed options with a readable message.
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(`cargohold: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    ctx?.db.close();
  }
}
