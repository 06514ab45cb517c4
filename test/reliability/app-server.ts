// Serves a test app on a real loopback socket, so concurrent requests truly interleave (supertest
// opens one server per request).
import { createServer, request, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";

export interface ListeningApp {
  url: string;
  close(): Promise<void>;
}

export async function listen(app: RequestListener): Promise<ListeningApp> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface HeldUpload {
  /** Sends the rest of the body; resolves with the response (status 0 and the error if the connection failed). */
  finish(): Promise<{ status: number; body: string; error?: string }>;
}

/**
 * Starts a PUT of `body` and sends all but its last `holdBack` bytes, resolving once those are written,
 * so many uploads can be lined up and then released together.
 */
export function heldUpload(url: string, headers: Record<string, string>, body: Buffer, holdBack = 64): Promise<HeldUpload> {
  const req = request(url, { method: "PUT", headers: { ...headers, "Content-Length": body.length } });
  const response = new Promise<{ status: number; body: string; error?: string }>((resolve) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", (error) => resolve({ status: 0, body: "", error: error.message }));
  });
  const cut = Math.max(0, body.length - holdBack);
  return new Promise((resolve) => {
    req.write(body.subarray(0, cut), () =>
      resolve({
        finish: () => {
          req.end(body.subarray(cut));
          return response;
        },
      }),
    );
  });
}
