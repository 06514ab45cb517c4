// The admin CLI (`cargohold ...`), working on the same DATA_DIR as the server. The environment is
// handed in by bin/cargohold.js; nothing here reads process.env.
import { ConfigError, loadConfig, type Config } from "../config.js";
import { createContext, type AppContext } from "../context.js";
import { silentLogger } from "../logger.js";
import { dataDirProblem } from "../ops/data-dir.js";
import { auditCommand } from "./audit.js";
import { CliError, type CliIo } from "./io.js";
import { backupCommand, checkCommand, restoreCommand } from "./ops.js";
import { tokenCommand } from "./tokens.js";
import { userCommand } from "./users.js";

const USAGE = `usage: cargohold <command>

  user add LOGIN [--admin] [--name NAME] [--email EMAIL] --password-stdin
  token create LOGIN --name NAME [--scope SCOPE]... [--crate PATTERN]... [--expires-in DAYS | --expires-at DATE]
  token list LOGIN
  token revoke ID
  backup DEST
  restore SRC
  check [--repair]
  audit [--crate NAME] [--limit N]

Environment: DATA_DIR (default ./data) selects the registry's data folder.`;

type Command = (ctx: AppContext, args: string[], io: CliIo) => Promise<void> | void;
const COMMANDS: Record<string, Command> = { user: userCommand, token: tokenCommand };

// Why these get the configuration and open the data folder themselves: restore needs DATA_DIR empty,
// and backup, check and audit must not create an empty registry where none exists.
type ConfigCommand = (config: Config, args: string[], io: CliIo) => Promise<void> | void;
const CONFIG_COMMANDS: Record<string, ConfigCommand> = { backup: backupCommand, restore: restoreCommand, check: checkCommand, audit: auditCommand };

/** Runs one CLI command and returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    (name ? io.stdout : io.stderr).write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  const configCommand = Object.hasOwn(CONFIG_COMMANDS, name) ? CONFIG_COMMANDS[name] : undefined;
  if (!command && !configCommand) {
    io.stderr.write(`cargohold: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  let ctx: AppContext | undefined;
  try {
    const config = loadConfig(io.env, { logFormat: "silent" });
    if (configCommand) {
      await configCommand(config, args, io);
      return 0;
    }
    const problem = dataDirProblem(config.dataDir);
    if (problem) throw new CliError(problem);
    ctx = createContext(config, { logger: silentLogger });
    await command!(ctx, args, io);
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
