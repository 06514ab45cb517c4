import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { HttpError } from "../../src/errors.js";
import { inspectCrateFile, type CrateFileLimits } from "../../src/registry/crate-file.js";
import { CrateBuilder, gzipBomb } from "../helpers/crate-builder.js";

const MIB = 1024 * 1024;
const limits: CrateFileLimits = { maxUnpackedBytes: 512 * MIB };
const foo = { name: "foo", vers: "1.0.0" };

async function failure(file: Buffer | Promise<Buffer>, l = limits, expected = foo) {
  try {
    await inspectCrateFile(await file, expected, l);
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected inspectCrateFile to reject");
}

const crate = () => new CrateBuilder("foo", "1.0.0");

describe("inspectCrateFile", () => {
  describe("accepts", () => {
    it("a good crate, returning its manifest and files", async () => {
      const file = await crate()
        .description("A crate")
        .license("MIT")
        .cargoToml('[package]\nname = "foo"\nversion = "1.0.0"\nrust-version = "1.70"\ndescription = "A crate"\nlicense = "MIT"\n')
        .file("src/lib.rs", "pub fn f() {}")
        .file("Cargo.toml.orig", "[package]")
        .file(".cargo_vcs_info.json", "{}")
        .crateFile();
      expect(await inspectCrateFile(file, foo, limits)).toEqual({
        manifest: { name: "foo", version: "1.0.0", rustVersion: "1.70", description: "A crate", license: "MIT" },
        files: ["Cargo.toml", "src/lib.rs", "Cargo.toml.orig", ".cargo_vcs_info.json"],
      });
    });

    it.each([
      ["a GNU long name (a path over 100 bytes)", `src/${"nested/".repeat(20)}lib.rs`, true],
      ["a non-ASCII GNU long name", `src/${"dossier-é/".repeat(12)}lib.rs`, true],
      ["a short non-ASCII path", "src/naïve.rs", false],
    ])("%s", async (_, path, gnu) => {
      const builder = crate().file(path, "fn x() {}");
      expect((await builder.tarFile()).includes("././@LongLink")).toBe(gnu);
      const info = await inspectCrateFile(await builder.crateFile(), foo, limits);
      expect(info.files).toEqual(["Cargo.toml", path]);
    });

    it("directory entries, including the crate folder itself", async () => {
      const file = await crate()
        .withEntry({ name: "foo-1.0.0/", type: "directory" })
        .withEntry({ name: "foo-1.0.0/src/", type: "directory" })
        .file("src/lib.rs", "")
        .crateFile();
      expect((await inspectCrateFile(file, foo, limits)).files).toEqual(["Cargo.toml", "src/lib.rs"]);
    });

    it("the deprecated lowercase cargo.toml", async () => {
      const toml = crate().manifest();
      const file = await crate().withoutCargoToml().file("cargo.toml", toml).crateFile();
      expect((await inspectCrateFile(file, foo, limits)).manifest.name).toBe("foo");
    });

    it("a version with build metadata in the folder name", async () => {
      const file = await new CrateBuilder("Foo_Bar", "1.0.0-rc.1+build.7").crateFile();
      const info = await inspectCrateFile(file, { name: "Foo_Bar", vers: "1.0.0-rc.1+build.7" }, limits);
      expect(info.manifest).toEqual({ name: "Foo_Bar", version: "1.0.0-rc.1+build.7" });
    });

    it("a legacy [project] table", async () => {
      const file = await crate().cargoToml('[project]\nname = "foo"\nversion = "1.0.0"\n').crateFile();
      expect((await inspectCrateFile(file, foo, limits)).manifest.version).toBe("1.0.0");
    });

    it("exactly maxEntries entries", async () => {
      const file = await crate().file("a", "").file("b", "").crateFile();
      expect((await inspectCrateFile(file, foo, { ...limits, maxEntries: 3 })).files).toHaveLength(3);
    });
  });

  describe("rejects a broken archive", () => {
    it.each([
      ["an empty file", Buffer.alloc(0)],
      ["a single byte", Buffer.from([0x1f])],
      ["plain text", Buffer.from("hello world")],
    ])("%s as not gzip", async (_, file) => {
      expect(await failure(file)).toEqual({ status: 400, message: "uploaded crate is not a gzip file" });
    });

    it("an uncompressed tar as not gzip", async () => {
      expect(await failure(crate().tarFile())).toEqual({ status: 400, message: "uploaded crate is not a gzip file" });
    });

    it("a truncated gzip", async () => {
      const file = await crate().file("src/lib.rs", "x".repeat(5000)).crateFile();
      expect(await failure(file.subarray(0, file.length - 20))).toEqual({
        status: 400,
        message: "uploaded crate is not a valid gzip file: unexpected end of file",
      });
    });

    it("a corrupted gzip", async () => {
      const file = Buffer.from(await crate().file("src/lib.rs", "some text").crateFile());
      for (let i = 20; i < 40; i++) file[i]! ^= 0xff;
      expect((await failure(file)).message).toMatch(/^uploaded crate is not a valid gzip file: /);
    });

    it("trailing bytes after the gzip stream", async () => {
      const file = Buffer.concat([await crate().crateFile(), Buffer.from("trailing junk")]);
      expect((await failure(file)).message).toMatch(/^uploaded crate is not a valid gzip file: /);
    });

    it.each([
      ["short text", gzipSync("hello"), "uploaded crate is not a valid tar archive: unexpected end of data"],
      ["text longer than a block", gzipSync("x".repeat(2000)), "uploaded crate is not a valid tar archive: invalid tar header"],
    ])("gzip'd %s as not a tar", async (_, file, message) => {
      expect(await failure(file)).toEqual({ status: 400, message });
    });

    it("a truncated tar", async () => {
      const tar = await crate().file("src/lib.rs", "x".repeat(3000)).tarFile();
      expect(await failure(gzipSync(tar.subarray(0, 1200)))).toEqual({
        status: 400,
        message: "uploaded crate is not a valid tar archive: unexpected end of data",
      });
    });

    it("an empty archive as missing Cargo.toml", async () => {
      expect(await failure(gzipSync(Buffer.alloc(1024)))).toEqual({
        status: 400,
        message: "missing Cargo.toml: the tarball has no `foo-1.0.0/Cargo.toml`",
      });
    });
  });

  describe("rejects oversized content", () => {
    const tooLarge = { status: 400, message: "uploaded tarball is malformed or too large when decompressed" };

    it("a 5 MiB file under a 1 MiB limit", async () => {
      const file = await crate().file("big.bin", Buffer.alloc(5 * MIB)).crateFile();
      expect(file.length).toBeLessThan(10_000);
      expect(await failure(file, { maxUnpackedBytes: MIB })).toEqual(tooLarge);
    });

    it("a 1 GiB gzip bomb, stopping at the limit without buffering the output", async () => {
      const bomb = await gzipBomb("foo", "1.0.0", 1024 * MIB);
      expect(bomb.length).toBeLessThan(2 * MIB);
      const before = process.memoryUsage.rss();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
      try {
        expect(await failure(bomb, { maxUnpackedBytes: 128 * MIB })).toEqual(tooLarge);
      } finally {
        clearInterval(sampler);
      }
      // Buffering the decompressed data would need at least the 128 MiB limit.
      expect((peak - before) / MIB).toBeLessThan(100);
    });

    it("more entries than maxEntries", async () => {
      const file = await crate().file("a", "").file("b", "").file("c", "").crateFile();
      expect(await failure(file, { ...limits, maxEntries: 3 })).toEqual({ status: 400, message: "the tarball has more than 3 entries" });
    });

    it("a Cargo.toml over 1 MiB", async () => {
      const file = await crate().cargoToml(`${crate().manifest()}#${"x".repeat(MIB)}\n`).crateFile();
      expect(await failure(file)).toEqual({ status: 400, message: "Cargo.toml is too large (max 1048576 bytes)" });
    });
  });

  describe("rejects a bad path", () => {
    it.each([
      "../evil",
      "foo-1.0.0/../evil",
      "foo-1.0.0/src/../../evil",
      "foo-1.0.0/..",
      "/etc/passwd",
      "/foo-1.0.0/src/lib.rs",
      "bar-1.0.0/src/lib.rs",
      "foo-1.0.1/src/lib.rs",
      "Foo-1.0.0/src/lib.rs",
      "foo-1.0.0x/lib.rs",
      "foo-1.0.0",
      "src/lib.rs",
      "foo-1.0.0\\..\\evil",
      "foo-1.0.0/./src/lib.rs",
      "foo-1.0.0//src/lib.rs",
      "foo-1.0.0/src/",
      `foo-1.0.0/${"a".repeat(120)}/../../evil`,
    ])("%j", async (name) => {
      const file = await crate().withEntry({ name, content: "x" }).crateFile();
      expect(await failure(file)).toEqual({ status: 400, message: `invalid path found: ${name}` });
    });

    it("shortens a very long path in the message", async () => {
      const name = `bar/${"a".repeat(300)}`;
      const { message } = await failure(crate().withEntry({ name }).crateFile());
      expect(message).toBe(`invalid path found: ${name.slice(0, 200)}…`);
    });
  });

  describe("rejects links and special files", () => {
    it.each([
      ["symlink", "a symlink", "/etc/passwd"],
      ["link", "a hard link", "foo-1.0.0/Cargo.toml"],
      ["character-device", "a character device", undefined],
      ["block-device", "a block device", undefined],
      ["fifo", "a FIFO", undefined],
    ] as const)("a %s", async (type, what, linkname) => {
      const file = await crate().withEntry({ name: "foo-1.0.0/special", type, linkname }).crateFile();
      expect(await failure(file)).toEqual({
        status: 400,
        message: `tarball entry \`foo-1.0.0/special\` is ${what}; a crate may only contain regular files and directories`,
      });
    });
  });

  describe("rejects duplicates and manifest problems", () => {
    it.each([
      ["a duplicate file", crate().file("src/lib.rs", "a").file("src/lib.rs", "b"), "duplicate entry in tarball: foo-1.0.0/src/lib.rs"],
      ["a file and directory with one path", crate().file("src", "").withEntry({ name: "foo-1.0.0/src/", type: "directory" }), "duplicate entry in tarball: foo-1.0.0/src/"],
      ["a missing Cargo.toml", crate().withoutCargoToml().file("src/lib.rs", ""), "missing Cargo.toml: the tarball has no `foo-1.0.0/Cargo.toml`"],
      ["a Cargo.toml only in a subfolder", crate().withoutCargoToml().file("sub/Cargo.toml", crate().manifest()), "missing Cargo.toml: the tarball has no `foo-1.0.0/Cargo.toml`"],
      ["two Cargo.tomls", crate().file("cargo.toml", crate().manifest()), "more than one Cargo.toml manifest in tarball: `foo-1.0.0/Cargo.toml`, `foo-1.0.0/cargo.toml`"],
      ["Cargo.toml and CARGO.TOML", crate().file("CARGO.TOML", ""), "more than one Cargo.toml manifest in tarball: `foo-1.0.0/Cargo.toml`, `foo-1.0.0/CARGO.TOML`"],
      ["an oddly cased manifest", crate().withoutCargoToml().file("Cargo.Toml", crate().manifest()), "Cargo.toml manifest is incorrectly cased: `foo-1.0.0/Cargo.Toml`"],
      ["invalid TOML", crate().cargoToml('[package]\nname = "foo\n'), "Cargo.toml is not valid TOML: control characters are not allowed in strings (line 2, column 12)"],
      ["a redefined key", crate().cargoToml('[package]\nname = "foo"\nname = "foo"\n'), "Cargo.toml is not valid TOML: trying to redefine an already defined table or value (line 3, column 1)"],
      ["no [package] table", crate().cargoToml('[dependencies]\nserde = "1"\n'), "Cargo.toml has no `[package]` table"],
      ["package as a string", crate().cargoToml('package = "foo"\n'), "Cargo.toml has no `[package]` table"],
      ["no package name", crate().cargoToml('[package]\nversion = "1.0.0"\n'), "Cargo.toml has no `package.name` string"],
      ["a workspace-inherited version", crate().cargoToml('[package]\nname = "foo"\nversion.workspace = true\n'), "Cargo.toml has no `package.version` string"],
      ["another name", crate().manifestName("other"), "metadata name `foo` does not match manifest name `other`"],
      ["a differently cased name", crate().manifestName("Foo"), "metadata name `foo` does not match manifest name `Foo`"],
      ["another version", crate().manifestVersion("1.0.1"), "metadata version `1.0.0` does not match manifest version `1.0.1`"],
    ])("%s", async (_, builder, message) => {
      expect(await failure(builder.crateFile())).toEqual({ status: 400, message });
    });

    it("a directory entry claiming content (instead of waiting forever for it)", async () => {
      const file = await crate().withEntry({ name: "foo-1.0.0/d/", type: "directory", size: 512 }).crateFile();
      expect(await failure(file)).toEqual({ status: 400, message: "invalid directory entry with content: foo-1.0.0/d/" });
    });

    it("a Cargo.toml that is not UTF-8", async () => {
      const file = await crate().withoutCargoToml().withEntry({ name: "foo-1.0.0/Cargo.toml", content: Buffer.from([0x5b, 0xff, 0x5d]) }).crateFile();
      expect(await failure(file)).toEqual({ status: 400, message: "Cargo.toml is not valid UTF-8" });
    });
  });

  it("settles every one of many concurrent failures without unhandled errors", async () => {
    const files = await Promise.all([
      crate().withEntry({ name: "../x" }).crateFile(),
      crate().withEntry({ name: "foo-1.0.0/l", type: "symlink", linkname: "x" }).crateFile(),
      crate().file("big", Buffer.alloc(3 * MIB)).crateFile(),
      crate().cargoToml("= broken").crateFile(),
    ]);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => inspectCrateFile(files[i % files.length]!, foo, { maxUnpackedBytes: MIB })),
    );
    expect(results.every((r) => r.status === "rejected" && r.reason instanceof HttpError && r.reason.status === 400)).toBe(true);
  });
});
