// Reads a request body into memory with a hard limit, answering an oversized upload with cargo's
// 413 message. The limit is checked against Content-Length before anything is read.
import type { IncomingMessage } from "node:http";
import { badRequest, payloadTooLarge } from "../errors.js";

/** Resolves with the whole body, or rejects with 413 once it exceeds `limit` bytes (`message` is the detail). */
export function readBody(req: IncomingMessage, limit: number, message: string): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(payloadTooLarge(message));
  // Why: when the length is declared (cargo always declares it), the body is copied into one buffer
  // of that size as it arrives, so an upload is held once rather than twice (chunks, then their
  // concatenation). The buffer is made on the first byte, not before.
  const expected = Number.isSafeInteger(declared) && declared > 0 ? declared : 0;
  return new Promise((resolve, reject) => {
    let whole: Buffer | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      const offset = received;
      received += chunk.length;
      if (received > limit) {
        // Keep reading (and dropping) so the client gets our answer instead of a reset connection.
        tooLarge = true;
        whole = undefined;
        chunks.length = 0;
        return;
      }
      if (expected > 0 && offset === 0) whole = Buffer.allocUnsafe(expected);
      if (whole && received <= whole.length) {
        chunk.copy(whole, offset);
        return;
      }
      // More than was declared: keep what came so far and go on collecting chunks.
      if (whole) chunks.push(whole.subarray(0, offset));
      whole = undefined;
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooLarge) reject(payloadTooLarge(message));
      else resolve(whole ? whole.subarray(0, received) : Buffer.concat(chunks, received));
    });
    req.on("error", () => reject(badRequest("the request body could not be read completely")));
    req.on("aborted", () => reject(badRequest("the upload was interrupted")));
  });
}
