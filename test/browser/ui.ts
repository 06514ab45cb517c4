// Driving the token pages in real headless Chromium (Debian's, through playwright-core): launching
// it, signing in, and creating a token through the New API Token form as a person would.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { packageRoot } from "../../src/package-root.js";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM_PATH);
export const ARTIFACTS_DIR = join(packageRoot, "test-artifacts");

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  javaScriptEnabled?: boolean;
}

/** Starts headless Chromium with a fresh profile folder (removed by close()). */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "cargohold-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: opts.viewport ?? { width: 1280, height: 900 },
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form and waits for the page it leads to. */
export async function signIn(page: Page, baseUrl: string, login: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(password);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith("/login")), page.getByRole("button", { name: "Sign in" }).click()]);
}

export interface UiTokenOptions {
  name: string;
  scopes: string[];
  patterns?: string[];
  /** A preset number of days, "none", or a custom day (YYYY-MM-DD). Default: the form's default (90 days). */
  expiry?: "none" | "7" | "30" | "60" | "90" | "365" | { date: string };
}

/** Fills the New API Token form and generates the token; returns its plaintext from the created page. */
export async function createTokenThroughUi(page: Page, baseUrl: string, opts: UiTokenOptions): Promise<string> {
  await page.goto(`${baseUrl}/settings/tokens/new`);
  await fillTokenForm(page, opts);
  await Promise.all([page.waitForURL(`${baseUrl}/settings/tokens`), page.getByRole("button", { name: "Generate token" }).click()]);
  const refused = page.locator(".form-error, .field-error");
  if ((await refused.count()) > 0) throw new Error(`the token was not created: ${(await refused.allInnerTexts()).join(" / ")}`);
  await page.getByText("Make sure to copy your API token now").waitFor();
  return page.getByLabel("API token", { exact: true }).inputValue();
}

/** Fills the fields of the New API Token form that `opts` names (on a form already open). */
export async function fillTokenForm(page: Page, opts: Partial<UiTokenOptions>): Promise<void> {
  if (opts.name !== undefined) await page.getByLabel("Name", { exact: true }).fill(opts.name);
  if (opts.expiry !== undefined) {
    if (typeof opts.expiry === "string") await page.getByLabel("Expiration", { exact: true }).selectOption(opts.expiry);
    else {
      await page.getByLabel("Expiration", { exact: true }).selectOption("custom");
      await page.getByLabel("Custom expiration date").fill(opts.expiry.date);
    }
  }
  if (opts.scopes !== undefined) {
    for (const box of await page.locator('input[name="scope"]').all()) {
      const value = await box.getAttribute("value");
      await box.setChecked(opts.scopes.includes(value ?? ""));
    }
  }
  if (opts.patterns !== undefined) {
    const inputs = page.locator('input[name="pattern"]');
    for (let i = 0; i < opts.patterns.length; i++) {
      if ((await inputs.count()) <= i) await page.getByRole("button", { name: "Add pattern" }).click();
      await inputs.nth(i).fill(opts.patterns[i]!);
    }
  }
}

/** Saves a full-page screenshot as test-artifacts/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}
