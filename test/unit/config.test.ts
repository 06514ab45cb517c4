import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseByteSize } from "../../src/config.js";

const MIB = 1024 * 1024;

/** The ConfigError `loadConfig(env)` throws; fails the test when it does not throw one. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe("loadConfig", () => {
  describe("defaults", () => {
    it("serves on 127.0.0.1:3000 from ./data, requiring authentication", () => {
      expect(loadConfig({})).toEqual({
        port: 3000,
        host: "127.0.0.1",
        dataDir: resolve("./data"),
        publicUrl: "http://localhost:3000",
        authRequired: true,
        maxUploadBytes: 10 * MIB,
        maxMetadataBytes: MIB,
        maxUnpackedBytes: 512 * MIB,
        registryName: "cargohold",
        bcryptCost: 12,
        logFormat: "json",
        metricsToken: undefined,
        publishLimits: { "new-crate": { burst: 50, refillSeconds: 60 }, "new-version": { burst: 200, refillSeconds: 5 } },
        trustProxy: false,
        shutdownGraceSeconds: 25,
      });
    });

    it("derives the public URL from PORT", () => {
      const config = loadConfig({ PORT: "8080" });
      expect(config.port).toBe(8080);
      expect(config.publicUrl).toBe("http://localhost:8080");
    });

    it("treats undefined variables as unset", () => {
      expect(loadConfig({ PORT: undefined, PUBLIC_URL: undefined })).toEqual(loadConfig({}));
    });
  });

  describe("reading variables", () => {
    it("reads every variable", () => {
      expect(
        loadConfig({
          PORT: "4000",
          HOST: "0.0.0.0",
          DATA_DIR: "/srv/cargohold",
          PUBLIC_URL: "https://crates.example.com",
          AUTH_REQUIRED: "false",
          MAX_UPLOAD_SIZE: "12MiB",
          MAX_UNPACKED_SIZE: "1GiB",
          REGISTRY_NAME: "my-company",
          BCRYPT_COST: "10",
          LOG_FORMAT: "pretty",
          METRICS_TOKEN: "a-metrics-secret-of-some-length",
          NEW_CRATE_BURST: "5",
          NEW_CRATE_REFILL_SECONDS: "600",
          PUBLISH_BURST: "30",
          PUBLISH_REFILL_SECONDS: "60",
          TRUST_PROXY: "true",
          SHUTDOWN_GRACE_SECONDS: "10",
        }),
      ).toEqual({
        port: 4000,
        host: "0.0.0.0",
        dataDir: "/srv/cargohold",
        publicUrl: "https://crates.example.com",
        authRequired: false,
        maxUploadBytes: 12 * MIB,
        maxMetadataBytes: MIB,
        maxUnpackedBytes: 1024 * MIB,
        registryName: "my-company",
        bcryptCost: 10,
        logFormat: "pretty",
        metricsToken: "a-metrics-secret-of-some-length",
        publishLimits: { "new-crate": { burst: 5, refillSeconds: 600 }, "new-version": { burst: 30, refillSeconds: 60 } },
        trustProxy: true,
        shutdownGraceSeconds: 10,
      });
    });

    it("resolves a relative DATA_DIR to an absolute path", () => {
      expect(loadConfig({ DATA_DIR: "var/registry" }).dataDir).toBe(resolve("var/registry"));
    });

    it.each([
      ["https://crates.example.com/", "https://crates.example.com"],
      ["https://crates.example.com//", "https://crates.example.com"],
      ["https://example.com/registry/", "https://example.com/registry"],
      ["http://localhost:3000", "http://localhost:3000"],
      ["HTTPS://Crates.Example.COM:443/", "https://crates.example.com"],
    ])("normalises PUBLIC_URL %s to %s (no trailing slash)", (raw, expected) => {
      expect(loadConfig({ PUBLIC_URL: raw }).publicUrl).toBe(expected);
    });

    it("prefers PUBLIC_URL over the one derived from PORT", () => {
      expect(loadConfig({ PORT: "8080", PUBLIC_URL: "https://crates.example.com" }).publicUrl).toBe("https://crates.example.com");
    });

    it.each(["true", "TRUE", "1", "yes", "on", " true "])("reads AUTH_REQUIRED=%j as true", (value) => {
      expect(loadConfig({ AUTH_REQUIRED: value }).authRequired).toBe(true);
    });

    it.each(["false", "False", "0", "no", "off"])("reads AUTH_REQUIRED=%j as false", (value) => {
      expect(loadConfig({ AUTH_REQUIRED: value }).authRequired).toBe(false);
    });

    it.each([
      ["12MiB", 12 * MIB],
      ["1048576", MIB],
      ["4095MiB", 4095 * MIB],
    ])("reads MAX_UPLOAD_SIZE=%s as %i bytes", (value, bytes) => {
      expect(loadConfig({ MAX_UPLOAD_SIZE: value }).maxUploadBytes).toBe(bytes);
    });

    it.each(["0", "65535"])("accepts PORT=%s", (value) => {
      expect(loadConfig({ PORT: value }).port).toBe(Number(value));
    });

    it("applies overrides after the environment", () => {
      const config = loadConfig({ PORT: "8080", LOG_FORMAT: "pretty" }, { dataDir: "/tmp/x", publicUrl: "http://registry.test", logFormat: "silent" });
      expect(config).toMatchObject({ port: 8080, dataDir: "/tmp/x", publicUrl: "http://registry.test", logFormat: "silent" });
    });
  });

  describe("bad values", () => {
    it.each([
      [{ PORT: "abc" }, 'PORT must be a whole number from 0 to 65535 (got "abc")'],
      [{ PORT: "70000" }, 'PORT must be a whole number from 0 to 65535 (got "70000")'],
      [{ PORT: "65536" }, 'PORT must be a whole number from 0 to 65535 (got "65536")'],
      [{ PORT: "-1" }, 'PORT must be a whole number from 0 to 65535 (got "-1")'],
      [{ PORT: "80.5" }, 'PORT must be a whole number from 0 to 65535 (got "80.5")'],
      [{ PORT: "" }, 'PORT must be a whole number from 0 to 65535 (got "")'],
      [{ HOST: "" }, "HOST must not be empty"],
      [{ DATA_DIR: " " }, "DATA_DIR must not be empty"],
      [{ AUTH_REQUIRED: "maybe" }, 'AUTH_REQUIRED must be true or false (got "maybe")'],
      [{ PUBLIC_URL: "ftp://x" }, 'PUBLIC_URL must start with http:// or https:// (got "ftp://x")'],
      [{ PUBLIC_URL: "not a url" }, 'PUBLIC_URL must be an absolute http(s) URL such as https://crates.example.com (got "not a url")'],
      [{ PUBLIC_URL: "https://bob:secret@crates.example.com" }, "PUBLIC_URL must not contain a user name or password"],
      [{ PUBLIC_URL: "https://crates.example.com/?x=1" }, 'PUBLIC_URL must not have a query or fragment (got "https://crates.example.com/?x=1")'],
      [{ MAX_UPLOAD_SIZE: "0" }, 'MAX_UPLOAD_SIZE must be a size such as 10485760 or 10MiB, below 4GiB (got "0")'],
      [{ MAX_UPLOAD_SIZE: "5GiB" }, 'MAX_UPLOAD_SIZE must be a size such as 10485760 or 10MiB, below 4GiB (got "5GiB")'],
      [{ MAX_UPLOAD_SIZE: "4GiB" }, 'MAX_UPLOAD_SIZE must be a size such as 10485760 or 10MiB, below 4GiB (got "4GiB")'],
      [{ MAX_UPLOAD_SIZE: "lots" }, 'MAX_UPLOAD_SIZE must be a size such as 10485760 or 10MiB, below 4GiB (got "lots")'],
      [{ MAX_UNPACKED_SIZE: "1.5GiB" }, 'MAX_UNPACKED_SIZE must be a size such as 10485760 or 10MiB, below 4GiB (got "1.5GiB")'],
      [{ REGISTRY_NAME: "my registry" }, 'REGISTRY_NAME must be a cargo registry name such as my-company (got "my registry")'],
      [{ BCRYPT_COST: "3" }, 'BCRYPT_COST must be a whole number from 4 to 31 (got "3")'],
      [{ LOG_FORMAT: "xml" }, 'LOG_FORMAT must be json, pretty or silent (got "xml")'],
    ])("refuses %j, naming the variable", (env, problem) => {
      const error = configError(env);
      expect(error.name).toBe("ConfigError");
      expect(error.message).toBe(`invalid configuration:\n  - ${problem}`);
    });

    it("reports several problems together", () => {
      const error = configError({ PORT: "abc", AUTH_REQUIRED: "maybe", PUBLIC_URL: "ftp://x", MAX_UPLOAD_SIZE: "0", LOG_FORMAT: "xml" });
      expect(error.message).toBe(
        [
          "invalid configuration:",
          '  - PORT must be a whole number from 0 to 65535 (got "abc")',
          '  - PUBLIC_URL must start with http:// or https:// (got "ftp://x")',
          '  - AUTH_REQUIRED must be true or false (got "maybe")',
          '  - MAX_UPLOAD_SIZE must be a size such as 10485760 or 10MiB, below 4GiB (got "0")',
          '  - LOG_FORMAT must be json, pretty or silent (got "xml")',
        ].join("\n"),
      );
    });
  });
});

describe("parseByteSize", () => {
  it.each([
    ["1", 1],
    ["10485760", 10 * MIB],
    ["512b", 512],
    ["1k", 1024],
    ["512KiB", 512 * 1024],
    ["512kb", 512 * 1024],
    ["10MiB", 10 * MIB],
    ["10mib", 10 * MIB],
    ["10MB", 10 * MIB],
    ["10 MiB", 10 * MIB],
    [" 10M ", 10 * MIB],
    ["1GiB", 1024 * MIB],
    ["5GiB", 5 * 1024 * MIB],
  ])("reads %j as %i bytes", (raw, bytes) => {
    expect(parseByteSize(raw)).toBe(bytes);
  });

  it.each(["", "0", "0MiB", "-1", "1.5MiB", "10TiB", "MiB", "abc", "10 M i B", "99999999999999999999"])("rejects %j", (raw) => {
    expect(parseByteSize(raw)).toBeUndefined();
  });
});
