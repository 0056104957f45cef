import { expect, test } from "@playwright/test";
import { makeService, startWindow } from "../support/api";
import { signInWithPassword } from "../support/sign-in";

test("the window ends while the page is open: the countdown reaches zero and the check passes without a reload", async ({
  page,
}) => {
  test.setTimeout(60_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({ policy: { rollbackWindowSeconds: 8 } });
  await startWindow(base, svc, { evidence: true });

  await signInWithPassword(page);
  await page.goto(`/rollouts/${svc.slug}/staging/r1`);
  const window = page.locator("[data-check=rollback_window]");
  await expect(window).toHaveAttribute("data-status", "pending");
  await expect(page.locator("[data-countdown=rollback_window]")).toContainText(/0:0\d left/);
  await expect(page.getByText("Contract locked")).toBeVisible();
  const navigations: string[] = [];
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  });

  await expect(window).toHaveAttribute("data-status", "pass", { timeout: 20_000 });
  await expect(page.getByText("Contract unlocked: every check passes.")).toBeVisible();
  expect(navigations).toEqual([]);
});
