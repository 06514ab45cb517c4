// Entry point for running the admin CLI in a child process from the TypeScript sources
// (`node --import tsx test/ops/cli-process.ts ARGS...`), as bin/cargohold.js does from dist/.
import { runCli } from "../../src/cli/main.js";

process.exitCode = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
