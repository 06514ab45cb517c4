import { describe, expect, it } from "vitest";
import { HttpError } from "../../src/errors.js";
import { splitPublishBody } from "../../src/registry/publish-body.js";
import { frameBody } from "../helpers/crate-builder.js";

const limits = { maxMetadataBytes: 1024, maxCrateBytes: 2048 };

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function failure(body: Buffer): { status: number; message: string } {
  try {
    splitPublishBody(body, limits);
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected splitPublishBody to throw");
}

describe("splitPublishBody", () => {
  it("splits a well-formed body", () => {
    const crate = Buffer.from([0x1f, 0x8b, 1, 2, 3]);
    const { metadataJson, crateFile } = splitPublishBody(frameBody('{"name":"foo"}', crate), limits);
    expect(metadataJson).toBe('{"name":"foo"}');
    expect(crateFile).toEqual(crate);
  });

  it("returns the crate as a view into the body, not a copy", () => {
    const body = frameBody("{}", Buffer.from("crate"));
    const { crateFile } = splitPublishBody(body, limits);
    expect(crateFile.buffer).toBe(body.buffer);
    expect(crateFile.byteOffset).toBe(body.byteOffset + 4 + 2 + 4);
  });

  it("decodes multi-byte UTF-8 metadata", () => {
    const { metadataJson } = splitPublishBody(frameBody('{"description":"café ☕"}', Buffer.alloc(1)), limits);
    expect(metadataJson).toBe('{"description":"café ☕"}');
  });

  it("accepts sizes exactly at the limits", () => {
    const body = frameBody("x".repeat(1024), Buffer.alloc(2048));
    const { metadataJson, crateFile } = splitPublishBody(body, limits);
    expect(metadataJson).toHaveLength(1024);
    expect(crateFile).toHaveLength(2048);
  });

  it.each([
    ["an empty body", Buffer.alloc(0), 400, "the request was missing a body"],
    ["a body shorter than a length", Buffer.from([1, 0]), 400, "invalid metadata length"],
    ["3 bytes", Buffer.from([1, 0, 0]), 400, "invalid metadata length"],
    ["metadata over the limit", u32(1025), 413, "JSON metadata blob too large (max 1024 bytes)"],
    ["a 4 GiB metadata claim", u32(0xffffffff), 413, "JSON metadata blob too large (max 1024 bytes)"],
    [
      "metadata shorter than declared",
      Buffer.concat([u32(10), Buffer.from("{}")]),
      400,
      "invalid metadata length: the body ends before the 10 bytes of metadata it declares",
    ],
    ["no crate length", Buffer.concat([u32(2), Buffer.from("{}")]), 400, "invalid tarball length"],
    ["a partial crate length", Buffer.concat([u32(2), Buffer.from("{}"), Buffer.from([5, 0])]), 400, "invalid tarball length"],
    ["a crate over the limit", Buffer.concat([u32(2), Buffer.from("{}"), u32(2049)]), 413, "max upload size is: 2048"],
    [
      "a crate shorter than declared",
      Buffer.concat([u32(2), Buffer.from("{}"), u32(100), Buffer.alloc(10)]),
      400,
      "invalid tarball length: the body ends before the 100 bytes of the tarball it declares",
    ],
    [
      "bytes after the crate",
      Buffer.concat([frameBody("{}", Buffer.alloc(3)), Buffer.from("junk")]),
      400,
      "invalid upload request: 4 unexpected bytes after the tarball",
    ],
    [
      "metadata that is not UTF-8",
      frameBody(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.alloc(1)),
      400,
      "invalid upload request: metadata is not valid UTF-8",
    ],
    [
      "metadata cut in the middle of a UTF-8 sequence",
      frameBody(Buffer.from("é").subarray(0, 1), Buffer.alloc(1)),
      400,
      "invalid upload request: metadata is not valid UTF-8",
    ],
  ])("rejects %s", (_, body, status, message) => {
    expect(failure(body)).toEqual({ status, message });
  });

  it("checks the declared metadata size before the body's length", () => {
    // A 5-byte body claiming 2 MiB of metadata is refused as too large, like crates.io does.
    expect(failure(Buffer.concat([u32(2 * 1024 * 1024), Buffer.from("{")])).status).toBe(413);
  });
});
