// Framing of the `cargo publish` request body (cargo-protocol.md §2.3): a little-endian u32 length,
// the JSON metadata, a u32 length, the `.crate` file, and nothing after. Error wording follows crates.io.
import { badRequest, payloadTooLarge } from "../errors.js";

export interface PublishBodyLimits {
  /** Largest accepted metadata JSON, in bytes (crates.io: 1 MiB). */
  maxMetadataBytes: number;
  /** Largest accepted `.crate` file, in bytes. */
  maxCrateBytes: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Splits a publish body into its metadata text and `.crate` bytes (a view into `body`, not a copy).
 * Throws an HttpError (400, or 413 over a limit) for any framing problem; it never returns partial data.
 */
export function splitPublishBody(
  body: Buffer,
  limits: PublishBodyLimits,
): { metadataJson: string; crateFile: Buffer } {
  if (body.length === 0) throw badRequest("the request was missing a body");
  if (body.length < 4) throw badRequest("invalid metadata length");

  const jsonLength = body.readUInt32LE(0);
  // Why: check the declared size before anything else, like crates.io, so a huge claim costs nothing.
  if (jsonLength > limits.maxMetadataBytes) {
    throw payloadTooLarge(`JSON metadata blob too large (max ${limits.maxMetadataBytes} bytes)`);
  }
  const jsonEnd = 4 + jsonLength;
  if (body.length < jsonEnd) {
    throw badRequest(
      `invalid metadata length: the body ends before the ${jsonLength} bytes of metadata it declares`,
    );
  }
  let metadataJson: string;
  try {
    metadataJson = utf8.decode(body.subarray(4, jsonEnd));
  } catch {
    throw badRequest("invalid upload request: metadata is not valid UTF-8");
  }

  if (body.length < jsonEnd + 4) throw badRequest("invalid tarball length");
  const crateLength = body.readUInt32LE(jsonEnd);
  if (crateLength > limits.maxCrateBytes) throw payloadTooLarge(`max upload size is: ${limits.maxCrateBytes}`);
  const crateStart = jsonEnd + 4;
  const crateEnd = crateStart + crateLength;
  if (body.length < crateEnd) {
    throw badRequest(
      `invalid tarball length: the body ends before the ${crateLength} bytes of the tarball it declares`,
    );
  }
  // Why: cargo's own test registry asserts the body ends right after the tarball; extra bytes mean
  // a client that frames differently, and silently ignoring them would hide that.
  if (body.length > crateEnd) {
    throw badRequest(`invalid upload request: ${body.length - crateEnd} unexpected bytes after the tarball`);
  }
  return { metadataJson, crateFile: body.subarray(crateStart, crateEnd) };
}
