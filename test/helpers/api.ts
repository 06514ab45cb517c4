// Small helpers for API tests: publishing through the real route and reading index files.
import type { TestApp } from "./test-app.js";
import { CrateBuilder } from "./crate-builder.js";

/** PUTs a publish body the way cargo does: no Content-Type, raw token in Authorization. */
export function putPublish(t: TestApp, token: string | undefined, body: Buffer) {
  const req = t.request().put("/api/v1/crates/new").set("Accept", "application/json");
  if (token !== undefined) req.set("Authorization", token);
  return req.send(body);
}

/** Publishes `name@vers` (optionally customised) and fails the test when the registry refuses. */
export async function publish(t: TestApp, token: string, name: string, vers: string, customise?: (b: CrateBuilder) => CrateBuilder) {
  const builder = customise ? customise(new CrateBuilder(name, vers)) : new CrateBuilder(name, vers);
  const res = await putPublish(t, token, await builder.publishBody());
  if (res.status !== 200) throw new Error(`publish ${name}@${vers} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** The path of a crate's index file, as cargo computes it. */
export function indexUrl(name: string): string {
  const n = name.toLowerCase();
  const prefix = n.length <= 2 ? `${n.length}` : n.length === 3 ? `3/${n[0]}` : `${n.slice(0, 2)}/${n.slice(2, 4)}`;
  return `/index/${prefix}/${n}`;
}

/** GETs an index file and parses its lines. */
export async function indexLines(t: TestApp, token: string, name: string) {
  const res = await t.request().get(indexUrl(name)).set("Authorization", token);
  if (res.status !== 200) throw new Error(`index of ${name}: ${res.status}`);
  return { lines: res.text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>), etag: res.headers.etag as string, text: res.text };
}
