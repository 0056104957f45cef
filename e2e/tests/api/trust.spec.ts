import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { createApiToken } from "@rollgate/db/queries/tokens";
import { openDatabase } from "@rollgate/db/client";
import {
  CONTRACT,
  event,
  EXPAND,
  makeService,
  post,
  query,
  requestLease,
  SECRET_KEY,
  sha,
  signed,
  type TestService,
} from "../../support/api";

// Attacks on the gate by a pipeline holding a token, each named after the finding of issue 12
// that it reproduces. Every one answered 202 (or 201) before the fix.

const gateOf = async (base: string, svc: TestService, environment = "staging") =>
  (
    await fetch(`${base}/api/v1/rollouts/${svc.slug}/${environment}/r1/gate`, {
      headers: { authorization: `Bearer ${svc.token}` },
    })
  ).json();

async function send(
  base: string,
  svc: TestService,
  type: string,
  data: Record<string, unknown>,
  environment = "staging",
) {
  return post(base, signed(svc, event(svc, type, data, "r1", environment)));
}

/** Takes r1 in `environment` to an elapsed window with every signal green (approvals by policy). */
async function elapsedWindow(base: string, svc: TestService, environment = "staging", contract = CONTRACT) {
  for (const [type, data] of [
    [
      "release.created",
      { title: "Email", author: "dev@example.com", app_version: "2.0.0", expand_sql: EXPAND, contract_sql: contract },
    ],
    ["migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) }],
    ["migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) }],
    ["backup.verified", { backup_id: "b", restore_tested: true }],
    ["app.deployed", { version: "2.0.0" }],
    ["flag.changed", { flag: "f", percent: 100 }],
    ["slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 }],
  ] as const)
    expect((await send(base, svc, type, data, environment)).status, type).toBe(202);
  await new Promise((r) => setTimeout(r, 2200));
}

/** A signed-in approver's approval of the rollout's current contract script, straight in the database. */
async function approve(svc: TestService, environment: string, checksum: string, role = "approver") {
  const email = `approver.${randomUUID().slice(0, 8)}@example.com`;
  const [user] = await query<{ id: string }>(`insert into users (email) values ($1) returning id`, [email]);
  await query(`insert into user_roles (user_id, role) values ($1, $2)`, [user!.id, role]);
  await query(
    `insert into approvals (rollout_id, approver_id, role, decision, contract_checksum, decided_at)
     select r.id, $1, $2, 'approve', $3, now() from rollouts r join releases l on l.id = r.release_id join services s on s.id = l.service_id join environments e on e.id = r.environment_id
     where s.slug = $4 and e.name = $5 and l.key = 'r1'`,
    [user!.id, role, checksum, svc.slug, environment],
  );
  return user!.id;
}

test("finding 1: a lease granted for an approved script cannot run a different, unapproved script", async () => {
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({
    policy: { approvals: { required: 1, expirySeconds: 86_400, allowedRoles: ["approver"] } },
  });
  await elapsedWindow(base, svc);
  // Two approvers: the author is nobody Rollgate knows, which costs one approval more.
  await approve(svc, "staging", sha(CONTRACT));
  await approve(svc, "staging", sha(CONTRACT));
  const granted = await requestLease(base, svc);
  expect(granted.status).toBe(201);
  const { lease_id, checksum } = await granted.json();
  expect(checksum).toBe(sha(CONTRACT));

  const evil = "DROP TABLE users;";
  expect(
    (
      await send(base, svc, "release.created", {
        title: "Email",
        author: "dev@example.com",
        app_version: "2.0.0",
        contract_sql: evil,
      })
    ).status,
  ).toBe(202);
  const swapped = await send(base, svc, "migration.started", {
    phase: "contract",
    name: "c",
    checksum: sha(evil),
    sql: evil,
    lease_id,
  });
  expect(swapped.status).toBe(409);
  // Changing the script voided the lease: not even the approved script runs under it now.
  const original = await send(base, svc, "migration.started", {
    phase: "contract",
    name: "c",
    checksum: sha(CONTRACT),
    lease_id,
  });
  expect(original.status).toBe(409);
  expect(original.json.error.details.reason).toBe("lease_required");
  const [lease] = await query<{ outcome: string }>(`select outcome from leases where id = $1`, [lease_id]);
  expect(lease!.outcome).toMatch(/^void/);
  expect((await gateOf(base, svc)).state).not.toBe("contracting");
});

test("finding 1: the gate is re-checked in the transaction that starts the contract", async () => {
  const base = test.info().project.use.baseURL!;
  const svc = await makeService();
  await elapsedWindow(base, svc);
  const { lease_id } = await (await requestLease(base, svc)).json();
  // An incident opens after the lease was granted.
  await query(
    `insert into incidents (environment_id, title, severity, opened_at, blocks_contract) select e.id, 'Checkout errors', 'sev1', now(), true from environments e join services s on s.id = e.service_id where s.slug = $1 and e.name = 'staging'`,
    [svc.slug],
  );
  const started = await send(base, svc, "migration.started", {
    phase: "contract",
    name: "c",
    checksum: sha(CONTRACT),
    lease_id,
  });
  expect(started.status).toBe(409);
  expect(started.json.error.details.reason).toBe("gate_closed");
  expect(started.json.error.message).toContain("Checkout errors");
});

test("finding 2: a token limited to staging cannot change production's contract or its approvals", async () => {
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({
    policy: { approvals: { required: 2, expirySeconds: 86_400, allowedRoles: ["approver"] } },
  });
  expect(
    (
      await send(
        base,
        svc,
        "release.created",
        { title: "Email", author: "dev@example.com", app_version: "2.0.0", expand_sql: EXPAND, contract_sql: CONTRACT },
        "production",
      )
    ).status,
  ).toBe(202);
  await approve(svc, "production", sha(CONTRACT));
  await approve(svc, "production", sha(CONTRACT));
  // The author is nobody Rollgate knows, so production asks one approval more (finding 7).
  expect((await gateOf(base, svc, "production")).approvals).toEqual({ have: 2, need: 3 });

  const handle = await openDatabase({ url: process.env.DATABASE_URL!, max: 1 });
  const [service] = await query<{ id: string }>(`select id from services where slug = $1`, [svc.slug]);
  const stagingOnly = await createApiToken(handle.db, {
    serviceId: service!.id,
    name: "staging-only",
    environments: ["staging"],
    scopes: ["events:write", "gate:read"],
    createdBy: "e2e",
    secretKey: SECRET_KEY,
  }).finally(() => handle.close());
  const attacker: TestService = {
    slug: svc.slug,
    token: stagingOnly.token,
    secret: stagingOnly.secret,
    tokenId: stagingOnly.id,
  };
  // Its own environment: accepted, and production does not move.
  expect(
    (
      await post(
        base,
        signed(
          attacker,
          event(attacker, "release.created", {
            title: "Email",
            author: "dev@example.com",
            app_version: "2.0.0",
            contract_sql: "drop table users;",
          }),
        ),
      )
    ).status,
  ).toBe(202);
  // Production itself: refused by scope.
  expect(
    (
      await post(
        base,
        signed(
          attacker,
          event(
            attacker,
            "release.created",
            { title: "Email", author: "dev@example.com", app_version: "2.0.0", contract_sql: "drop table users;" },
            "r1",
            "production",
          ),
        ),
      )
    ).status,
  ).toBe(403);
  const production = await gateOf(base, svc, "production");
  expect(production.contract_checksum).toBe(sha(CONTRACT));
  expect(production.approvals).toEqual({ have: 2, need: 3 });
  // Nor can it rewrite who wrote the release (self-approval by the back door).
  const author = await post(
    base,
    signed(
      attacker,
      event(attacker, "release.created", { title: "Email", author: "approver@example.com", app_version: "2.0.0" }),
    ),
  );
  expect(author.status).toBe(409);
  expect(author.json.error.details.field).toBe("data.author");
});

test("finding 8: a backdated deploy and flag change do not shorten the rollback window", async () => {
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({ policy: { rollbackWindowSeconds: 3600 } });
  const threeHoursAgo = new Date(Date.now() - 3 * 3_600_000).toISOString();
  const backdated = (type: string, data: Record<string, unknown>) =>
    post(base, signed(svc, { ...event(svc, type, data), occurred_at: threeHoursAgo }));
  for (const [type, data] of [
    [
      "release.created",
      { title: "Email", author: "dev@example.com", app_version: "2.0.0", expand_sql: EXPAND, contract_sql: CONTRACT },
    ],
    ["migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) }],
    ["migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) }],
    ["app.deployed", { version: "2.0.0" }],
    ["flag.changed", { flag: "f", percent: 100 }],
  ] as const)
    expect((await backdated(type, data)).status).toBe(202);
  const gate = await gateOf(base, svc);
  expect(gate.checks.find((c: { id: string }) => c.id === "rollback_window").status).toBe("pending");
  expect(Date.parse(gate.window_ends_at)).toBeGreaterThan(Date.now() + 50 * 60_000);
  // Kept as information, and flagged.
  const flagged = await query<{ n: number }>(
    `select count(*)::int as n from audit_events a join rollouts r on r.id = a.rollout_id join releases l on l.id = r.release_id join services s on s.id = l.service_id where s.slug = $1 and a.data ? 'clockSkewSeconds'`,
    [svc.slug],
  );
  expect(flagged[0]!.n).toBeGreaterThanOrEqual(5);
});

test("finding 17: taking a lease needs gate:lease and a signature, and only the token that took it may use it", async () => {
  const base = test.info().project.use.baseURL!;
  const svc = await makeService();
  await elapsedWindow(base, svc);
  expect((await requestLease(base, svc, { unsigned: true })).status).toBe(401);

  const handle = await openDatabase({ url: process.env.DATABASE_URL!, max: 1 });
  const [service] = await query<{ id: string }>(`select id from services where slug = $1`, [svc.slug]);
  const other = await createApiToken(handle.db, {
    serviceId: service!.id,
    name: "events-only",
    environments: ["staging"],
    scopes: ["events:write"],
    createdBy: "e2e",
    secretKey: SECRET_KEY,
  }).finally(() => handle.close());
  const eventsOnly: TestService = { slug: svc.slug, token: other.token, secret: other.secret, tokenId: other.id };
  expect((await requestLease(base, eventsOnly)).status).toBe(403);

  const { lease_id } = await (await requestLease(base, svc)).json();
  const misuse = await post(
    base,
    signed(
      eventsOnly,
      event(eventsOnly, "migration.started", { phase: "contract", name: "c", checksum: sha(CONTRACT), lease_id }),
    ),
  );
  expect(misuse.status).toBe(409);
  expect(misuse.json.error.details.reason).toBe("lease_other_token");
  expect((await gateOf(base, svc)).state).not.toBe("contracting");
});

test("finding 5: an approval stops counting the moment its approver's role is revoked", async () => {
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({
    policy: { approvals: { required: 1, expirySeconds: 86_400, allowedRoles: ["approver"] } },
  });
  await elapsedWindow(base, svc);
  const first = await approve(svc, "staging", sha(CONTRACT));
  await approve(svc, "staging", sha(CONTRACT));
  expect((await gateOf(base, svc)).approvals).toEqual({ have: 2, need: 2 });
  await query(`delete from user_roles where user_id = $1`, [first]);
  const gate = await gateOf(base, svc);
  expect(gate.approvals).toEqual({ have: 1, need: 2 });
  expect(gate.checks.find((c: { id: string }) => c.id === "approvals").message).toContain(
    "no longer hold a role that may approve",
  );
  expect((await requestLease(base, svc)).status).toBe(409);
});
