import type { Page } from "@playwright/test";

/** From a page with a sign-in link: through the OpenID provider's own login and consent pages. */
export async function signInWithSso(page: Page, email: string, link = "Sign in to approve") {
  await page.getByRole("link", { name: link, exact: true }).first().click();
  await page.getByRole("button", { name: "Sign in with Test SSO" }).click();
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill("any password: the dev login checks none");
  await page.getByRole("button", { name: /sign-in/i }).click();
  await page.getByRole("button", { name: /continue/i }).click();
}
