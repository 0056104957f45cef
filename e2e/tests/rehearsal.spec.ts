import { expect, test } from "@playwright/test";
import { CONTRACT, EXPAND, accept, event, makeService, post, requestLease, sha, signed } from "../support/api";
import { signInWithPassword } from "../support/sign-in";

// A rehearsal's proof on "Can I roll back?": 1.9.0 reads only users.id, so the name match finds
// nothing the contract removed, but `rollgate rehearse` (here its signed event) found one of its
// statements failing after the contract. Once that contract ran, the page answers UNSAFE and shows
// the statement, PostgreSQL's error and the call count, and says it knows by rehearsal.

const PROOF = {
  statement: 'INSERT INTO "users" ("id", "email") VALUES ($1, $2)',
  error: 'null value in column "name" of relation "users" violates not-null constraint',
  sqlstate: "23502",
  step: "execute",
  calls: 812,
};

test("a signed rollback.rehearsed with a proof makes Can I roll back? UNSAFE with the statement shown", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService();
  const previous = async (type: string, data: Record<string, unknown>) =>
    expect((await post(base, signed(svc, event(svc, type, data, "r0")))).status).toBe(202);
  const noop = "SELECT 1;";
  await previous("release.created", {
    title: "Previous",
    author: "dev@example.com",
    app_version: "1.9.0",
    expand_sql: noop,
  });
  await previous("migration.started", { phase: "expand", name: "e0", checksum: sha(noop) });
  await previous("migration.succeeded", { phase: "expand", name: "e0", checksum: sha(noop) });
  await previous("app.deployed", { version: "1.9.0", manifest: ["users.id"] });

  const send = (type: string, data: Record<string, unknown>) => accept(base, svc, type, data);
  await send("release.created", {
    title: "Drop users.email",
    author: "dev@example.com",
    app_version: "2.0.0",
    expand_sql: EXPAND,
    contract_sql: CONTRACT,
  });
  await send("migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("backup.verified", { backup_id: "b", restore_tested: true });
  await send("app.deployed", { version: "2.0.0", manifest: ["users.id", "users.email_address"] });
  await send("flag.changed", { flag: "f", percent: 100 });
  await send("slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 });
  await send("rollback.rehearsed", {
    version: "1.9.0",
    contract_checksum: sha(CONTRACT),
    source: "observed",
    statements: 5,
    passed: 4,
    noise: 0,
    unverifiable: 0,
    proofs: [PROOF],
    proof_count: 1,
  });

  // The policy does not require a rehearsal: the check fails, informational, and the contract may run.
  await new Promise((r) => setTimeout(r, 2200));
  const granted = await requestLease(base, svc);
  expect(granted.status).toBe(201);
  const { lease_id } = (await granted.json()) as { lease_id: string };
  await send("migration.started", { phase: "contract", name: "c", checksum: sha(CONTRACT), lease_id });
  await send("migration.succeeded", { phase: "contract", name: "c", checksum: sha(CONTRACT) });

  await signInWithPassword(page, "olga.oncall@example.com");
  await page.goto(`/rollback?target=${svc.slug}/staging&version=1.9.0`);
  await expect(page.getByRole("heading", { name: "UNSAFE" })).toBeVisible();
  await expect(page.getByTestId("eligibility-basis")).toContainText("rehearsed: 5 statement(s), 1 proof(s)");
  const proof = page.getByTestId("rehearsal-proof");
  await expect(proof.locator("code")).toHaveText(PROOF.statement);
  await expect(proof).toContainText(PROOF.error);
  await expect(proof).toContainText("812 call(s) observed");
  await expect(page.getByRole("table")).toContainText("1.9.0");
});
