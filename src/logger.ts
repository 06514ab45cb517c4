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
  /** Writes out the lines still held back (see `createLogger`); call it before the process exits. */
  flush(): void;
}

/** Lines held back are written out once they reach this size, or at the end of the event-loop turn. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Builds a logger writing to `out` (stdout by default) in the given format. Lines are held back
 * until the end of the current event-loop turn (or 64 KiB) and written together: one write per
 * turn instead of one per request, which under load is a large share of a small request's cost.
 * At most one turn's lines are lost if the process is killed outright.
 */
export function createLogger(format: LogFormat, out: Writable = process.stdout, now: () => Date = () => new Date()): Logger {
  let pending = "";
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === "") return;
    const lines = pending;
    pending = "";
    out.write(lines);
  };
  const write = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (format === "silent") return;
    const time = now().toISOString();
    if (format === "json") {
      pending += `${JSON.stringify({ time, level, msg, ...fields })}\n`;
    } else {
      const extra = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      pending += `${time.slice(11, 19)} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ` ${extra}` : ""}\n`;
    }
    if (pending.length >= FLUSH_BYTES) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    flush,
  };
}

export const silentLogger: Logger = createLogger("silent");
