import { afterEach, describe, expect, it } from "vitest";
import { createPublishLimiter } from "../../src/publish-limits.js";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { publish, putPublish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

describe("createPublishLimiter", () => {
  const limiter = () => createPublishLimiter({ "new-crate": { burst: 2, refillSeconds: 60 }, "new-version": { burst: 0, refillSeconds: 1 } });
  const at = (s: number) => new Date(Date.UTC(2027, 0, 1, 0, 0, s));

  it("allows a burst, then one more per refill period", () => {
    const l = limiter();
    l.consume(1, "new-crate", at(0));
    l.consume(1, "new-crate", at(1));
    expect(l.waitSeconds(1, "new-crate", at(2))).toBe(58);
    expect(l.waitSeconds(1, "new-crate", at(60))).toBe(0);
    l.consume(1, "new-crate", at(60));
    expect(l.waitSeconds(1, "new-crate", at(61))).toBe(59);
  });

  it("keeps users apart and never exceeds the burst after a long pause", () => {
    const l = limiter();
    l.consume(1, "new-crate", at(0));
    l.consume(1, "new-crate", at(0));
    expect(l.waitSeconds(2, "new-crate", at(0))).toBe(0);
    const later = new Date(at(0).getTime() + 3600_000);
    l.consume(1, "new-crate", later);
    l.consume(1, "new-crate", later);
    expect(l.waitSeconds(1, "new-crate", later)).toBeGreaterThan(0);
  });

  it("treats a burst of 0 as no limit", () => {
    const l = limiter();
    for (let i = 0; i < 100; i++) l.consume(1, "new-version", at(0));
    expect(l.waitSeconds(1, "new-version", at(0))).toBe(0);
  });
});

describe("publish rate limit", () => {
  let t: TestApp;
  afterEach(() => t.close());

  it("answers 429 with Retry-After and a message cargo prints, and stores nothing", async () => {
    const now = new Date("2027-01-01T00:00:00Z");
    t = createTestApp({ now: () => now, config: { publishLimits: { "new-crate": { burst: 1, refillSeconds: 600 }, "new-version": { burst: 1, refillSeconds: 60 } } } });
    const token = t.createToken(t.createUser("alice")).token;
    await publish(t, token, "first", "1.0.0");
    await publish(t, token, "first", "1.0.1");
    const crate = await putPublish(t, token, await new CrateBuilder("second", "1.0.0").publishBody());
    expect([crate.status, crate.headers["retry-after"], crate.body.errors[0].detail]).toEqual([
      429,
      "600",
      "you have published too many new crates in a short time; try again after 2027-01-01T00:10:00Z (in 600 s) or ask an administrator to raise the limit",
    ]);
    const version = await putPublish(t, token, await new CrateBuilder("first", "1.0.2").publishBody());
    expect([version.status, version.headers["retry-after"]]).toEqual([429, "60"]);
    expect(t.rowCounts()).toMatchObject({ crates: 1, versions: 2 });
    expect(t.storedFiles()).toHaveLength(2);
  });

  it("does not count refused publishes", async () => {
    t = createTestApp({ config: { publishLimits: { "new-crate": { burst: 1, refillSeconds: 600 }, "new-version": { burst: 1, refillSeconds: 600 } } } });
    const token = t.createToken(t.createUser("alice")).token;
    await putPublish(t, token, await new CrateBuilder("bad", "1.0.0").manifestName("other").publishBody());
    await publish(t, token, "good", "1.0.0");
  });
});
