// Reads a request body into memory with a hard limit, answering an oversized upload with cargo's
// 413 message. The limit is checked against Content-Length before anything is read.
import type { IncomingMessage } from "node:http";
import { badRequest, payloadTooLarge } from "../errors.js";

/** Resolves with the whole body, or rejects with 413 once it exceeds `limit` bytes (`message` is the detail). */
export function readBody(req: IncomingMessage, limit: number, message: string): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(payloadTooLarge(message));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        // Keep reading (and dropping) so the client gets our answer instead of a reset connection.
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => (tooLarge ? reject(payloadTooLarge(message)) : resolve(Buffer.concat(chunks, received))));
    req.on("error", () => reject(badRequest("the request body could not be read completely")));
    req.on("aborted", () => reject(badRequest("the upload was interrupted")));
  });
}
