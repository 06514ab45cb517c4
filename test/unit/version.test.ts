import { describe, expect, it } from "vitest";
import { compareVersions, parseVersion, versionReqProblem } from "../../src/registry/version.js";

describe("parseVersion", () => {
  it.each([
    ["0.0.0", "0.0.0"],
    ["1.2.3", "1.2.3"],
    ["1.0.0-alpha", "1.0.0-alpha"],
    ["1.0.0-alpha.1", "1.0.0-alpha.1"],
    ["1.0.0-0.3.7", "1.0.0-0.3.7"],
    ["1.0.0-x.7.z.92", "1.0.0-x.7.z.92"],
    ["1.0.0-x-y-z.--", "1.0.0-x-y-z.--"],
    ["1.0.0+build", "1.0.0"],
    ["1.0.0+001", "1.0.0"],
    ["1.0.0-beta+exp.sha.5114f85", "1.0.0-beta"],
    ["18446744073709551615.0.0", "18446744073709551615.0.0"],
  ])("accepts %s", (raw, withoutBuild) => {
    expect(parseVersion(raw)).toEqual({ normalized: raw, withoutBuild });
  });

  it.each([
    "",
    "1",
    "1.0",
    "1.0.0.0",
    "v1.0.0",
    "=1.0.0",
    " 1.0.0",
    "1.0.0 ",
    "01.0.0",
    "1.00.0",
    "1.0.00",
    "1.0.0-01",
    "1.0.0-",
    "1.0.0+",
    "1.0.0-a..b",
    "1.0.0+a..b",
    "1.0.0-é",
    "1.0.0\n",
    "18446744073709551616.0.0",
    `1.0.0-${"a".repeat(145)}`,
  ])("rejects %j", (raw) => {
    expect(parseVersion(raw)).toBeUndefined();
  });

  it("accepts exactly 150 characters", () => {
    const raw = `1.0.0-${"a".repeat(144)}`;
    expect(raw).toHaveLength(150);
    expect(parseVersion(raw)?.normalized).toBe(raw);
  });
});

describe("versionReqProblem", () => {
  it.each([
    "^1.0",
    ">=0.2, <0.4",
    "=1.2.3-beta.1",
    "~1",
    "1.*",
    "*",
    "x",
    "X",
    " * ",
    "1",
    "1.2",
    "1.2.3",
    "0.1.0",
    "^0.8",
    ">= 1.0",
    "> 1, < 2",
    "1.2.*",
    "1.*.*",
    "1.x",
    "=1.*",
    "1.0.0+build.1",
    "1.0.0-alpha+build",
    "<=1.2.3",
    ">1",
    "~1.2.3",
    "1.0.0-x.7.z.92",
    Array.from({ length: 32 }, () => ">=1").join(", "),
  ])("accepts %j", (req) => {
    expect(versionReqProblem(req)).toBeUndefined();
  });

  it.each([
    ["", "unexpected end of input while parsing major version number"],
    ["latest", "unexpected character `l` while parsing major version number"],
    ["1.2.3.4", "expected comma after patch version number, found `.`"],
    [">= ", "unexpected end of input while parsing major version number"],
    ["^1.0 || ^2.0", "expected comma after minor version number, found `|`"],
    ["1.0 2.0", "expected comma after minor version number, found `2`"],
    ["01", "invalid leading zero in major version number"],
    ["1.01", "invalid leading zero in minor version number"],
    ["1.0.0-01", "invalid leading zero in pre-release identifier"],
    ["1.0.0-", "empty identifier segment in pre-release identifier"],
    ["1.0.0-a..b", "empty identifier segment in pre-release identifier"],
    ["1.0.0+", "empty identifier segment in build metadata"],
    ["1.0-beta", "expected comma after minor version number, found `-`"],
    ["*, >1", "wildcard req (*) must be the only comparator in the version req"],
    [">1, *", "wildcard req (*) must be the only comparator in the version req"],
    ["*.1", "unexpected character after wildcard in version req"],
    ["xyz", "unexpected character after wildcard in version req"],
    ["1.*.3", "unexpected character after wildcard in version req"],
    ["1.0,", "unexpected end of input while parsing major version number"],
    ["=>1.0", "unexpected character `>` while parsing major version number"],
    ["v1.0", "unexpected character `v` while parsing major version number"],
    ["\t1.0", "unexpected character `\t` while parsing major version number"],
    ["18446744073709551616", "value of major version number exceeds u64::MAX"],
    [Array.from({ length: 33 }, () => ">=1").join(", "), "excessive number of version comparators"],
  ])("rejects %j", (req, message) => {
    expect(versionReqProblem(req)).toBe(message);
  });
});

describe("compareVersions", () => {
  it("orders by SemVer precedence (semver.org §11 example)", () => {
    const ordered = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.1.0",
      "1.10.0",
      "2.0.0",
      "18446744073709551615.0.0",
    ];
    const shuffled = [...ordered].reverse();
    expect(shuffled.sort(compareVersions)).toEqual(ordered);
  });

  it.each([
    ["1.0.0", "1.0.0", 0],
    ["1.0.0", "1.0.0+build", -1],
    ["1.0.0+a", "1.0.0+b", -1],
    ["1.0.0+2", "1.0.0+10", -1],
    ["1.0.0-2", "1.0.0-10", -1],
    ["1.0.0-alpha", "1.0.0-1", 1],
    ["2.0.0", "10.0.0", -1],
  ])("compare(%s, %s) has sign %d", (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect(Math.sign(compareVersions(b, a))).toBe(-sign || 0);
  });

  it("sorts invalid versions below valid ones instead of throwing", () => {
    expect(["1.0.0", "nope", "0.1.0"].sort(compareVersions)).toEqual(["nope", "0.1.0", "1.0.0"]);
  });
});
