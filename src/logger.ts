// A small structured logger: one JSON object per line on stdout, or a readable line for development.
// Callers pass fields; nothing here knows about secrets, so never pass a token, password or cookie.
import type { Writable } from "node:stream";
import type { LogFormat } from "./config.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Builds a logger writing to `out` (stdout by default) in the given format. */
export function createLogger(format: LogFormat, out: Writable = process.stdout, now: () => Date = () => new Date()): Logger {
  const write = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (format === "silent") return;
    const time = now().toISOString();
    if (format === "json") {
      out.write(`${JSON.stringify({ time, level, msg, ...fields })}\n`);
    } else {
      const extra = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      out.write(`${time.slice(11, 19)} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ` ${extra}` : ""}\n`);
    }
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}

export const silentLogger: Logger = createLogger("silent");
