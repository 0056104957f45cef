import { expect, type Page } from "@playwright/test";

/** The seeded demo accounts' password (local credentials provider). */
export const DEMO_PASSWORD = "rollgate-demo";

/**
 * Through Rollgate's sign-in page and the OpenID provider's own login and consent pages. With
 * `url`, opens it first: pages send an anonymous visitor to sign-in and back to `url` afterwards.
 */
export async function signInWithSso(page: Page, email: string, url?: string) {
  await page.goto(url ?? "/sign-in");
  await page.getByRole("button", { name: "Sign in with Test SSO" }).click();
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill("any password: the dev login checks none");
  await page.getByRole("button", { name: /sign-in/i }).click();
  await page.getByRole("button", { name: /continue/i }).click();
}

/** A seeded demo account (the viewer by default) through the local credentials provider. */
export async function signInWithPassword(page: Page, email = "dev.author@example.com", password = DEMO_PASSWORD) {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in with password" }).click();
  await expect(page.getByRole("link", { name: "Sign out" })).toBeVisible();
}
