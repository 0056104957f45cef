import { expect, test } from "@playwright/test";
import { signInWithPassword } from "../support/sign-in";

// Finding 18 (issue 26): pages sent neither X-Frame-Options nor a Content-Security-Policy with
// frame-ancestors, so any site could frame the dashboard (clickjacking an approval).

const directives = (policy: string | null) =>
  new Map(
    (policy ?? "")
      .split(";")
      .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
      .map(([k, ...v]) => [k, v]),
  );

test("finding 18: a page may not be framed and loads only from its own origin", async ({ request }) => {
  // next-auth sets its CSRF cookie on the way, then the page itself answers.
  const response = await request.get("/sign-in");
  expect(response.status()).toBe(200);
  expect(response.headers()["x-frame-options"]).toBe("DENY");
  const csp = directives(response.headers()["content-security-policy"] ?? null);
  expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
  expect(csp.get("default-src")).toEqual(["'self'"]);
  expect(csp.get("object-src")).toEqual(["'none'"]);
});

test("finding 18: API answers, from Next.js and from the front, may not be framed or load anything", async ({
  request,
}) => {
  // /api/health is Next's route handler; the gate read is answered by the standalone front itself.
  for (const path of ["/api/health", "/api/v1/rollouts/nope/staging/r1/gate"]) {
    const response = await request.get(path);
    expect(response.headers()["x-frame-options"], path).toBe("DENY");
    const csp = directives(response.headers()["content-security-policy"] ?? null);
    expect(csp.get("frame-ancestors"), path).toEqual(["'none'"]);
    expect(csp.get("default-src"), path).toEqual(["'none'"]);
  }
});

test("finding 18: under the policy the pages still hydrate, with no violation reported", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  page.on("pageerror", (e) => violations.push(e.message));
  await signInWithPassword(page, "admin@example.com");
  // Prerendered (/runbook, /api-reference) and dynamic pages alike.
  for (const path of [
    "/admin/policies",
    "/rollouts/billing-api/production/2026.11.2",
    "/runbook",
    "/api-reference",
    "/",
  ]) {
    const response = await page.goto(path);
    expect(response?.headers()["content-security-policy"], path).toContain("frame-ancestors 'none'");
    await page.waitForLoadState("networkidle");
  }
  await expect(page.getByRole("link", { name: "Sign out" })).toBeVisible();
  expect(violations).toEqual([]);
});
