import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

let t: TestApp;
let token: string;
beforeEach(async () => {
  t = createTestApp();
  token = t.createToken(t.createUser("alice")).token;
  await publish(t, token, "alpha", "1.0.0", (b) => b.description("A JSON Parser"));
  await publish(t, token, "beta", "1.0.0", (b) => b.description("ünïcode-aware json tools").metadata({ keywords: ["Parsing"] }));
  await publish(t, token, "gamma", "1.0.0", (b) => b.description("nothing to see"));
});
afterEach(() => t.close());

const search = async (query: string) => (await t.request().get(`/api/v1/crates?${query}`).set("Authorization", token)).body;
const names = (body: { crates: { name: string }[] }) => body.crates.map((c) => c.name);

describe("search totals and case", () => {
  it("reports the total on every page, also past the last match", async () => {
    expect(await search("q=json&per_page=1")).toMatchObject({ meta: { total: 2 }, crates: [{ name: "alpha" }] });
    expect(await search("q=json&per_page=1&page=2")).toMatchObject({ meta: { total: 2 }, crates: [{ name: "beta" }] });
    expect(await search("q=json&per_page=1&page=3")).toEqual({ meta: { total: 2 }, crates: [] });
    expect(await search("q=nomatch&page=2")).toEqual({ meta: { total: 0 }, crates: [] });
    expect(await search("q=&per_page=2")).toMatchObject({ meta: { total: 3 } });
  });

  it("matches descriptions and keywords whatever their ASCII case", async () => {
    expect(names(await search("q=PARSER"))).toEqual(["alpha"]);
    expect(names(await search("q=parsing"))).toEqual(["beta"]);
    expect(names(await search("q=json+tools"))).toEqual(["beta"]);
  });

  it("matches lowercase non-ASCII text whatever the query's case", async () => {
    expect(names(await search("q=%C3%BCn%C3%AFcode"))).toEqual(["beta"]);
    expect(names(await search("q=%C3%9CN%C3%8FCODE"))).toEqual(["beta"]);
  });
});
