// Streaming gunzip + untar of an in-memory `.crate` with a hard cap on the decompressed size. Nothing
// but the entries a visitor asks for is buffered, so a gzip bomb costs at most the cap in CPU, not memory.
import { createGunzip } from "node:zlib";
import { extract, type Header } from "tar-stream";
import { badRequest, HttpError } from "../errors.js";

/** Called once per tar entry: throw to reject the upload, or return a receiver to get the entry's bytes. */
export type EntryVisitor = (header: Header) => ((content: Buffer) => void) | undefined;

/**
 * Decompresses and walks `file`, calling `visit` for each entry in order. Resolves once the whole archive
 * was read; rejects with a 400 HttpError for broken gzip or tar data, for more than `maxUnpackedBytes` of
 * decompressed data, or with whatever `visit` throws. Streams are destroyed on the first failure and no
 * error event is left unhandled.
 */
export function unpackTarball(file: Buffer, maxUnpackedBytes: number, visit: EntryVisitor): Promise<void> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    const tar = extract();
    let settled = false;
    let unpacked = 0;

    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      if (error === undefined) return resolve();
      // Why destroy both: stop decompressing at once (gzip bomb) and drop any buffered data.
      gunzip.destroy();
      tar.destroy();
      reject(error);
    };
    // These listeners stay attached after settling, so late errors from destroyed streams are swallowed.
    gunzip.on("error", (error: Error) => finish(badRequest(`uploaded crate is not a valid gzip file: ${error.message}`)));
    tar.on("error", (error: Error) => finish(error instanceof HttpError ? error : tarError(error)));
    tar.on("finish", () => finish());

    gunzip.on("data", (chunk: Buffer) => {
      if (settled) return;
      unpacked += chunk.length;
      if (unpacked > maxUnpackedBytes) {
        return finish(badRequest("uploaded tarball is malformed or too large when decompressed"));
      }
      try {
        // Backpressure: pause decompression while the tar parser is behind, so memory stays bounded.
        if (!tar.write(chunk)) {
          gunzip.pause();
          tar.once("drain", () => gunzip.resume());
        }
      } catch (error) {
        finish(error);
      }
    });
    gunzip.on("end", () => {
      // streamx types `end(data)` as required; `undefined` means "no final chunk".
      if (!settled) tar.end(undefined);
    });

    tar.on("entry", (header, stream, next) => {
      if (settled) return;
      try {
        const receive = visit(header);
        if (header.type === "directory") {
          // tar-stream never ends a directory's stream when its header claims a size; don't wait for it.
          stream.resume();
          return next();
        }
        const chunks: Buffer[] = [];
        if (receive !== undefined) stream.on("data", (chunk) => chunks.push(chunk as Buffer));
        stream.on("end", () => {
          if (settled) return;
          try {
            receive?.(Buffer.concat(chunks));
            next();
          } catch (error) {
            finish(error);
          }
        });
        stream.resume();
      } catch (error) {
        finish(error);
      }
    });

    gunzip.end(file);
  });
}

// tar-stream's messages ("Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?",
// "Unexpected end of data") made into one lowercase clause.
function tarError(error: Error): HttpError {
  const reason = error.message.replace(/\.(\s.*)?$/s, "");
  return badRequest(`uploaded crate is not a valid tar archive: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`);
}
