// A small HTTP client for the reliability tests: raw node:http over a keep-alive agent, so many
// requests really are in flight at once, and every outcome (status, or the socket error of a killed
// server) comes back as a value instead of an exception.
import { Agent, request } from "node:http";

export interface HttpResult {
  failed: false;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpFailure {
  failed: true;
  status: 0;
  /** The socket error, e.g. ECONNRESET when the server was killed mid-request. */
  error: string;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  agent?: Agent;
  /** Gives up (with an HttpFailure) after this many milliseconds; default 30 s. */
  timeoutMs?: number;
}

/** Keep-alive agent allowing `maxSockets` parallel connections to one host. */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** Sends one request; resolves with the full response, or with `{ status: 0, error }` when the connection failed. */
export function send(url: string, options: SendOptions = {}): Promise<HttpResult | HttpFailure> {
  const body = options.body;
  const headers: Record<string, string | number> = { ...options.headers };
  if (body !== undefined) headers["Content-Length"] = body.length;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: HttpResult | HttpFailure) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const req = request(url, { method: options.method ?? "GET", headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => done({ failed: false, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", (error) => done({ failed: true, status: 0, error: describeError(error) }));
      res.on("aborted", () => done({ failed: true, status: 0, error: "response aborted" }));
    });
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error("timed out")));
    req.on("error", (error) => done({ failed: true, status: 0, error: describeError(error) }));
    req.end(body);
  });
}

/** The parsed JSON body of a response (undefined when it is not JSON). */
export function jsonBody(res: HttpResult): unknown {
  try {
    return JSON.parse(res.body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${error.message}` : error.message;
}
