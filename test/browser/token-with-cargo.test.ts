// The whole journey of a new user, in Chromium and with the real cargo: sign in, create a token for
// `demo-*` with publish-new + publish-update expiring in 30 days, publish demo-one with it, see
// "last used" on the list, revoke it, and watch cargo fail with the revoked message.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cargoEnv, cargoVersion, describeRun, runCargo, startRegistry, tempDir, writeCrate, type Registry } from "../e2e/cargo-harness.js";
import { PASSWORD } from "../helpers/web.js";
import { createTokenThroughUi, hasChromium, launchBrowser, saveScreenshot, signIn, type Browser } from "./ui.js";

const ready = hasChromium && cargoVersion() !== undefined;

describe.skipIf(!ready)("a token made in the browser, used with cargo", () => {
  let reg: Registry;
  let browser: Browser;
  beforeAll(async () => {
    reg = await startRegistry();
    reg.createUser("alice", { name: "Alice" });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await reg?.stop();
  });

  it("publishes with it, shows when it was last used, and stops working once revoked", { timeout: 180_000 }, async () => {
    const { page } = browser;
    await signIn(page, reg.url, "alice", PASSWORD);
    const token = await createTokenThroughUi(page, reg.url, { name: "demo publisher", scopes: ["publish-new", "publish-update"], patterns: ["demo-*"], expiry: "30" });

    const env = cargoEnv(reg, token, { targetDir: tempDir("cargohold-browser-target-") });
    const crate = writeCrate(join(tempDir(), "demo-one"), "demo-one", "0.1.0");
    const published = await runCargo(["publish", "--registry", "local"], { cwd: crate, env });
    expect(published.code, describeRun(published)).toBe(0);
    expect(published.stderr).toContain("Published demo-one v0.1.0 at registry `local`");

    // The same token cannot publish outside its pattern.
    const other = writeCrate(join(tempDir(), "other-one"), "other-one", "0.1.0");
    const refused = await runCargo(["publish", "--registry", "local"], { cwd: other, env });
    expect(refused.code, describeRun(refused)).not.toBe(0);
    expect(refused.stderr).toContain("this token is limited to crates matching `demo-*`, which does not include `other-one`");

    await page.goto(`${reg.url}/settings/tokens`);
    const row = page.locator(".token-card").filter({ hasText: "demo publisher" });
    const rowText = (await row.textContent())!;
    expect(rowText).toMatch(/Last used/);
    expect(rowText).not.toContain("Never used");
    await saveScreenshot(page, "token-list-used");

    await row.getByText("Revoke…").click();
    await row.getByRole("button", { name: "Yes, revoke this token" }).click();
    await page.getByText("The token “demo publisher” has been revoked.").waitFor();
    expect(reg.ctx.db.tokens.listForUser(reg.ctx.db.users.findByLogin("alice")!.id)[0]!.revokedAt).not.toBeNull();

    writeCrate(crate, "demo-one", "0.2.0");
    const afterRevoke = await runCargo(["publish", "--registry", "local"], { cwd: crate, env });
    expect(afterRevoke.code, describeRun(afterRevoke)).not.toBe(0);
    expect(afterRevoke.stderr).toContain("this token was revoked on");
    expect(afterRevoke.stderr).toContain("token rejected for `local`");
    expect(reg.ctx.db.versions.listAllFiles().map((v) => `${v.crateName}@${v.num}`)).toEqual(["demo-one@0.1.0"]);
  });
});
