import path from "node:path";
import { expect, test } from "@playwright/test";
import { artifactsDir } from "../playwright.config";
import { approvalCount, makeService, query, requestLease, startWindow, type TestService } from "../support/api";
import { signInWithSso } from "../support/sign-in";

/** A staging rollout whose only open check is two approvals. */
async function awaitingApprovals(base: string): Promise<TestService> {
  const svc = await makeService({
    policy: { approvals: { required: 2, expirySeconds: 86_400, allowedRoles: ["approver", "release_manager"] } },
  });
  await startWindow(base, svc, { evidence: true, author: "dev.author@example.com" });
  await new Promise((r) => setTimeout(r, 2200));
  return svc;
}

async function grant(email: string, role: string) {
  const [user] = await query<{ id: string }>(
    `insert into users (email, name) values ($1, $2) on conflict (email) do update set name = excluded.name returning id`,
    [email, email.split("@")[0]],
  );
  await query(`insert into user_roles (user_id, role) values ($1, $2) on conflict do nothing`, [user!.id, role]);
}

test("two signed-in approvers unlock the contract, and CI then takes the lease", async ({ browser }) => {
  test.setTimeout(90_000);
  const base = test.info().project.use.baseURL!;
  const svc = await awaitingApprovals(base);
  const rita = `rita.${svc.slug}@example.com`;
  const amir = `amir.${svc.slug}@example.com`;
  await grant(rita, "release_manager");
  await grant(amir, "approver");
  const rolloutUrl = `/rollouts/${svc.slug}/staging/r1`;

  const first = await browser.newPage();
  // The rollout page sends her to sign-in and back.
  await signInWithSso(first, rita, rolloutUrl);
  await expect(first).toHaveURL(new RegExp(`${rolloutUrl}$`));
  await expect(first.getByText("Contract locked: 1 check(s) still open.")).toBeVisible();
  // Informational checks (database facts, never sent here) do not hold the contract back.
  const open = first.locator("[data-check]:not([data-status=pass]):not([data-blocking=false])");
  await expect(open).toHaveCount(1);
  await expect(open).toHaveAttribute("data-check", "approvals");
  // The overview tells a signed-in release manager what waits for them.
  await first.goto("/");
  const waiting = first
    .getByRole("region", { name: /Needs attention/ })
    .locator("[data-attention=approval]")
    .filter({ hasText: svc.slug });
  await expect(waiting).toContainText("waits for your approval (0 of 2)");
  await waiting.getByRole("link").click();
  await expect(first).toHaveURL(new RegExp(`${rolloutUrl}$`));
  await first.getByLabel("Comment").fill("Window clean, SLOs green, backup restore-tested.");
  await first.getByRole("button", { name: "Approve contract" }).click();
  await expect(first.getByText("Your approval is recorded.")).toBeVisible();
  await expect(first.getByRole("heading", { name: /Approvals/ })).toContainText("1 of 2");
  // An approver may change their mind before the contract starts.
  await first.getByRole("button", { name: "Withdraw my decision" }).click();
  await expect(first.getByText("Your decision is withdrawn.")).toBeVisible();
  await expect(first.getByRole("heading", { name: /Approvals/ })).toContainText("0 of 2");
  await first.getByRole("button", { name: "Approve contract" }).click();
  await expect(first.getByRole("heading", { name: /Approvals/ })).toContainText("1 of 2");
  const shot = path.join(artifactsDir, "release-manager-approving.png");
  await first.screenshot({ path: shot, fullPage: true });
  await test.info().attach("release manager approving", { path: shot, contentType: "image/png" });

  // CI cannot take the lease yet.
  const early = await requestLease(base, svc);
  expect(early.status).toBe(409);

  const second = await (await browser.newContext()).newPage();
  await signInWithSso(second, amir, rolloutUrl);
  await second.getByRole("button", { name: "Approve contract" }).click();
  await expect(second.getByText("Your approval is recorded.")).toBeVisible();
  await second.reload();
  await expect(second.getByText("Contract unlocked: every check passes.")).toBeVisible();

  const lease = await requestLease(base, svc);
  expect(lease.status).toBe(201);
  const audit = await query<{ action: string }>(
    `select action from audit_events where rollout_id = (select r.id from rollouts r join releases l on l.id = r.release_id join services s on s.id = l.service_id join environments e on e.id = r.environment_id where s.slug = $1 and e.name = 'staging') and action like 'approval.%' order by seq`,
    [svc.slug],
  );
  expect(audit.map((a) => a.action)).toEqual([
    "approval.granted",
    "approval.withdrawn",
    "approval.granted",
    "approval.granted",
  ]);
});

test("the server refuses an approval by the release's author and by a role that may not approve", async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const base = test.info().project.use.baseURL!;
  const svc = await awaitingApprovals(base);
  await grant("dev.author@example.com", "approver");
  const viewer = `viewer.${svc.slug}@example.com`;
  await grant(viewer, "viewer");
  const rolloutUrl = `/rollouts/${svc.slug}/staging/r1`;

  const author = await (await browser.newContext()).newPage();
  await signInWithSso(author, "dev.author@example.com", rolloutUrl);
  await author.getByRole("button", { name: "Approve contract" }).click();
  await expect(author.getByRole("alert").filter({ hasText: "You are the author of this release" })).toBeVisible();

  const onlooker = await (await browser.newContext()).newPage();
  await signInWithSso(onlooker, viewer, rolloutUrl);
  await onlooker.getByRole("button", { name: "Approve contract" }).click();
  await expect(onlooker.getByRole("alert").filter({ hasText: "Your role may not approve" })).toBeVisible();

  expect(await approvalCount(svc.slug)).toBe(0);
});

test("break-glass needs an allowed role and a full sentence, unlocks the gate, and stays open until someone else reviews it", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const base = test.info().project.use.baseURL!;
  // Everything passes but the rollback window; then break glass on it (approvals can never be overridden).
  const svc = await makeService({ policy: { rollbackWindowSeconds: 3600 } });
  await startWindow(base, svc, { evidence: true, author: "dev.author@example.com" });
  const rita = `rita.${svc.slug}@example.com`;
  const ada = `ada.${svc.slug}@example.com`;
  await grant(rita, "release_manager");
  await grant(ada, "admin");
  const rolloutUrl = `/rollouts/${svc.slug}/staging/r1`;

  const page = await (await browser.newContext()).newPage();
  await signInWithSso(page, rita, rolloutUrl);
  const glass = page.getByRole("region", { name: "Break glass" });
  await glass.getByLabel("Rollback window").check();
  await glass.getByLabel("Service level objectives").check();
  await glass.getByLabel(/Justification/).fill("Hotfix now.");
  await glass.getByRole("button", { name: "Override these checks" }).click();
  await expect(glass.getByRole("alert").filter({ hasText: "at least one full sentence" })).toBeVisible();

  await glass
    .getByLabel(/Justification/)
    .fill("Both approvers are on a plane and the contract fixes the ongoing billing incident.");
  await glass.getByRole("button", { name: "Override these checks" }).click();
  // The page re-renders from the server: the override is listed, the gate lets the contract through.
  await expect(page.getByText("Awaiting review by someone else.")).toBeVisible();
  await expect(page.getByText("Contract unlocked: every check passes.")).toBeVisible();
  await expect(page.locator("[data-check=rollback_window]")).toContainText("overridden");

  await page.goto("/");
  await expect(
    page
      .getByRole("region", { name: /Needs attention/ })
      .locator("[data-attention=override]")
      .filter({ hasText: svc.slug }),
  ).toBeVisible();

  const admin = await (await browser.newContext()).newPage();
  await signInWithSso(admin, ada, rolloutUrl);
  const review = admin.getByRole("region", { name: "Break glass" });
  await review.getByLabel("Review note").fill("Checked the incident ticket and the contract script.");
  await review.getByRole("button", { name: "Mark reviewed" }).click();
  await expect(review.getByText(`Reviewed by ${ada}`)).toBeVisible();

  const audit = await query<{ action: string; data: { severity?: string } }>(
    `select action, data from audit_events where action like 'override.%' and data->>'email' in ($1, $2) order by seq`,
    [rita, ada],
  );
  expect(audit.map((a) => a.action)).toEqual(["override.break_glass", "override.reviewed"]);
  expect(audit[0]!.data.severity).toBe("critical");
});
