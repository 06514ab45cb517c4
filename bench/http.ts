// A minimal HTTP client for sequential, timed requests over one keep-alive connection (latency
// percentiles, publishes, ETag collection). Throughput runs use wrk instead.
import { Agent, request } from "node:http";

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

export const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/** Sends one request and resolves with the whole response and its duration in milliseconds. */
export function send(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer; agent?: Agent } = {}): Promise<Response> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers = { ...opts.headers, ...(opts.body ? { "Content-Length": String(opts.body.length) } : {}) };
    const req = request(url, { method: opts.method ?? "GET", headers, agent: opts.agent ?? keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export const median = (values: number[]) => percentile(values, 50);
