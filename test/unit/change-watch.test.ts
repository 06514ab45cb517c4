import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OtherConnectionCommits, watchRows } from "../../src/db/change-watch.js";

let dir: string;
let ours: Database.Database;
let theirs: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cargohold-watch-"));
  ours = new Database(join(dir, "db.sqlite3"));
  ours.pragma("journal_mode = WAL");
  ours.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, owner INTEGER, label TEXT)");
  theirs = new Database(join(dir, "db.sqlite3"));
});
afterEach(() => {
  ours.close();
  theirs.close();
  rmSync(dir, { recursive: true, force: true });
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("OtherConnectionCommits", () => {
  it("counts another connection's commits, not this connection's own", async () => {
    const commits = new OtherConnectionCommits(ours);
    const start = commits.generation();
    await nextTurn();
    ours.prepare("INSERT INTO items (owner) VALUES (1)").run();
    expect(commits.generation()).toBe(start);
    await nextTurn();
    theirs.prepare("INSERT INTO items (owner) VALUES (2)").run();
    expect(commits.generation()).toBe(start + 1);
    await nextTurn();
    expect(commits.generation()).toBe(start + 1);
  });

  it("asks SQLite once per synchronous turn: a commit during the turn is seen on the next one", async () => {
    const commits = new OtherConnectionCommits(ours);
    const start = commits.generation();
    theirs.prepare("INSERT INTO items (owner) VALUES (2)").run();
    expect(commits.generation()).toBe(start);
    await nextTurn();
    expect(commits.generation()).toBe(start + 1);
  });
});

describe("watchRows", () => {
  it("reports each changed row of this connection as the statement runs, and nothing of others", () => {
    const seen: unknown[] = [];
    watchRows(ours, "test_items_changed", [
      { event: "INSERT ON main.items", report: ["NEW.owner"] },
      { event: "UPDATE OF label ON main.items", report: ["OLD.owner", "NEW.owner"] },
    ], (value) => seen.push(value));
    ours.prepare("INSERT INTO items (owner) VALUES (7), (8)").run();
    ours.prepare("UPDATE items SET label = 'x' WHERE owner = 7").run();
    ours.prepare("UPDATE items SET owner = 9 WHERE owner = 8").run();
    theirs.prepare("INSERT INTO items (owner) VALUES (10)").run();
    expect(seen).toEqual([7, 8, 7, 7]);
  });
});
