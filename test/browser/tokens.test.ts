// The token pages in real headless Chromium, as a person uses them: sign in, create a token, see it
// once, find it on the list, revoke it, regenerate one. Screenshots go to test-artifacts/.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRegistry, type Registry } from "../e2e/cargo-harness.js";
import { PASSWORD } from "../helpers/web.js";
import { createTokenThroughUi, fillTokenForm, hasChromium, launchBrowser, saveScreenshot, signIn, type Browser } from "./ui.js";

if (!hasChromium) console.warn("skipping the browser tests: /usr/bin/chromium is missing (apt-get install chromium; .ci/run does it)");

describe.skipIf(!hasChromium)("token pages in Chromium", () => {
  let reg: Registry;
  let browser: Browser;

  beforeEach(async () => {
    reg = await startRegistry();
    reg.createUser("alice", { name: "Alice" });
    browser = await launchBrowser();
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: reg.url });
  });
  afterEach(async () => {
    await browser?.close();
    await reg?.stop();
  });

  const alice = () => reg.ctx.db.users.findByLogin("alice")!;

  it("signs in, creates a token for demo-* expiring in 30 days, and shows it exactly once", async () => {
    const { page } = browser;
    await page.goto(`${reg.url}/settings/tokens`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.getByLabel("Login").fill("alice");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${reg.url}/settings/tokens`);
    await page.getByText("You have no API tokens yet.").waitFor();

    await page.getByRole("link", { name: "New token" }).click();
    await page.waitForURL(`${reg.url}/settings/tokens/new`);
    const line = page.locator("#expiry-line");
    expect(await line.textContent()).toMatch(/^The token will expire on /);
    await expect.poll(() => page.getByText("Unrestricted").isVisible()).toBe(true);
    await page.getByLabel("Expiration", { exact: true }).selectOption("30");
    const in30Days = await page.evaluate(() => new Date(Date.now() + 30 * 86400000).toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" }));
    expect(await line.textContent()).toBe(`The token will expire on ${in30Days}`);
    await page.getByLabel("Expiration", { exact: true }).selectOption("none");
    expect(await line.textContent()).toBe("The token will never expire");
    await fillTokenForm(page, { name: "demo publisher", scopes: ["publish-new", "publish-update"], patterns: ["demo-*"], expiry: "30" });
    expect(await page.locator("[data-pattern-help]").first().textContent()).toBe("Matches all crates starting with demo-");
    expect(await page.getByText("Unrestricted").isVisible()).toBe(false);
    await saveScreenshot(page, "token-new-form");

    await page.getByRole("button", { name: "Generate token" }).click();
    await page.getByText("Make sure to copy your API token now. You won't be able to see it again!").waitFor();
    const plaintext = await page.getByLabel("API token", { exact: true }).inputValue();
    expect(plaintext).toMatch(/^cargohold_[0-9A-Za-z]{38}$/);
    expect(await page.textContent("body")).toContain(`Expires on `);
    expect(await page.textContent("body")).toContain("cargo login --registry cargohold");
    await page.getByRole("button", { name: "Copy", exact: true }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(plaintext);
    await saveScreenshot(page, "token-created");

    const [token] = reg.ctx.db.tokens.listForUser(alice().id);
    expect(token).toMatchObject({ name: "demo publisher", endpointScopes: ["publish-new", "publish-update"], crateScopes: ["demo-*"] });
    expect(Date.parse(token!.expiresAt!) - Date.now()).toBeGreaterThan(29.9 * 86400000);

    await page.getByRole("link", { name: "Done – back to your tokens" }).click();
    await page.waitForURL(`${reg.url}/settings/tokens`);
    const body = (await page.textContent("body"))!;
    expect(body).toContain("demo publisher");
    expect(body).toContain("publish-new and publish-update");
    expect(body).toContain("demo-*");
    expect(body).toContain("Never used");
    expect(body).not.toContain(plaintext);
    expect(await page.content()).not.toContain(plaintext);
    await saveScreenshot(page, "token-list");
  });

  it("revokes a token only after confirmation", async () => {
    const { page } = browser;
    await signIn(page, reg.url, "alice", PASSWORD);
    await createTokenThroughUi(page, reg.url, { name: "laptop", scopes: ["yank"] });
    await page.goto(`${reg.url}/settings/tokens`);
    const confirm = page.getByRole("button", { name: "Yes, revoke this token" });
    expect(await confirm.isVisible()).toBe(false);
    await page.getByText("Revoke…").click();
    await confirm.waitFor();
    await confirm.click();
    await page.getByText("The token “laptop” has been revoked.").waitFor();
    expect(await page.textContent("body")).toContain("You have no API tokens yet.");
    expect(reg.ctx.db.tokens.listForUser(alice().id)[0]!.revokedAt).not.toBeNull();
  });

  it("regenerates a token: the form is pre-filled and the old token is revoked", async () => {
    const { page } = browser;
    await signIn(page, reg.url, "alice", PASSWORD);
    await createTokenThroughUi(page, reg.url, { name: "deploy", scopes: ["publish-update", "yank"], patterns: ["serde", "serde-*"], expiry: "7" });
    const old = reg.ctx.db.tokens.listForUser(alice().id)[0]!;
    await page.goto(`${reg.url}/settings/tokens`);
    await page.getByRole("link", { name: "Regenerate “deploy”" }).click();
    await page.waitForURL(`${reg.url}/settings/tokens/new?from=${old.id}`);
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("deploy");
    expect(await page.locator('input[name="scope"][value="yank"]').isChecked()).toBe(true);
    expect(await page.locator('input[name="scope"][value="publish-new"]').isChecked()).toBe(false);
    expect(await page.locator('input[name="pattern"]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual(["serde", "serde-*"]);
    expect(await page.getByLabel("Expiration", { exact: true }).inputValue()).toBe("90");
    const revokeOld = page.getByLabel("Revoke the old token “deploy” once the new one is created");
    expect(await revokeOld.isChecked()).toBe(true);
    await saveScreenshot(page, "token-regenerate-form");

    await page.getByRole("button", { name: "Generate token" }).click();
    await page.getByText("The old token “deploy” has been revoked.").waitFor();
    expect(reg.ctx.db.tokens.findById(old.id)!.revokedAt).not.toBeNull();
    await page.goto(`${reg.url}/settings/tokens`);
    expect(await page.locator(".token-name").allTextContents()).toEqual(["deploy"]);
  });

  it("keeps what was typed and marks the fields when the form is refused", async () => {
    const { page } = browser;
    await signIn(page, reg.url, "alice", PASSWORD);
    await page.goto(`${reg.url}/settings/tokens/new`);
    await fillTokenForm(page, { name: "ci", scopes: [], patterns: ["te*st"] });
    expect(await page.locator("[data-pattern-help]").first().textContent()).toBe("Invalid crate name pattern");
    await page.getByRole("button", { name: "Generate token" }).click();
    await page.getByText("Please select at least one token scope.").waitFor();
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("ci");
    expect(await page.getByLabel("Crate pattern 1", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(reg.ctx.db.tokens.listForUser(alice().id)).toHaveLength(0);
  });

  it("works without JavaScript", async () => {
    await browser.close();
    browser = await launchBrowser({ javaScriptEnabled: false });
    const { page } = browser;
    await signIn(page, reg.url, "alice", PASSWORD);
    await page.goto(`${reg.url}/settings/tokens/new`);
    expect(await page.locator('input[name="pattern"]').count()).toBe(3);
    await fillTokenForm(page, { name: "no-js", scopes: ["yank"], patterns: ["a", "b-*", "c"], expiry: { date: "2099-12-31" } });
    await page.getByRole("button", { name: "Generate token" }).click();
    await page.getByText("Make sure to copy your API token now").waitFor();
    expect(await page.getByLabel("API token", { exact: true }).inputValue()).toMatch(/^cargohold_/);
    expect(reg.ctx.db.tokens.listForUser(alice().id)[0]).toMatchObject({ crateScopes: ["a", "b-*", "c"], expiresAt: expect.stringMatching(/^2099-12-31T/) });
    await page.goto(`${reg.url}/settings/tokens`);
    await page.getByText("Revoke…").click();
    await page.getByRole("button", { name: "Yes, revoke this token" }).click();
    await page.getByText("The token “no-js” has been revoked.").waitFor();
  });

  it("reads well on a phone", async () => {
    await browser.close();
    browser = await launchBrowser({ viewport: { width: 390, height: 844 } });
    const { page } = browser;
    await signIn(page, reg.url, "alice", PASSWORD);
    await createTokenThroughUi(page, reg.url, { name: "phone", scopes: ["publish-new"], patterns: ["demo-*"], expiry: "30" });
    await saveScreenshot(page, "token-created-phone");
    for (const path of ["/settings/tokens", "/settings/tokens/new"]) {
      await page.goto(`${reg.url}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
    }
    await saveScreenshot(page, "token-new-form-phone");
  });
});
