import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readBody } from "../../src/api/read-body.js";
import { HttpError } from "../../src/errors.js";

/** A request stream delivering `chunks`, with an optional Content-Length header. */
function request(chunks: Buffer[], contentLength?: number): IncomingMessage {
  const stream = Readable.from(chunks, { objectMode: false }) as unknown as IncomingMessage;
  stream.headers = contentLength === undefined ? {} : { "content-length": String(contentLength) };
  return stream;
}

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 256));

describe("readBody", () => {
  const parts = [bytes(1000, 1), bytes(1, 2), bytes(70_000, 3)];
  const whole = Buffer.concat(parts);

  it.each([
    ["with the declared length", whole.length],
    ["without a declared length", undefined],
    ["with more bytes than declared", 500],
    ["with fewer bytes than declared", whole.length + 10],
  ])("returns every byte in order %s", async (_what, declared) => {
    expect((await readBody(request(parts, declared), 1_000_000, "too big")).equals(whole)).toBe(true);
  });

  it("returns an empty body", async () => {
    expect((await readBody(request([], 0), 10, "too big")).length).toBe(0);
  });

  it("refuses a declared length over the limit before reading", async () => {
    await expect(readBody(request(parts, 2_000_000), 1_000_000, "max upload size is: 1000000")).rejects.toEqual(new HttpError(413, "max upload size is: 1000000"));
  });

  it.each([["a smaller declared", 40_000], ["no declared", undefined]])("refuses a body over the limit once read (%s length)", async (_what, declared) => {
    await expect(readBody(request(parts, declared), 50_000, "too big")).rejects.toMatchObject({ status: 413, message: "too big" });
  });
});
