#!/usr/bin/env node
// The admin CLI. `npm ci` (or `npm run build`) compiles the TypeScript into dist/ first.
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  console.error("cargohold: dist/ is missing; run `npm run build` first");
  process.exit(1);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
