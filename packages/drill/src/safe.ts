import { createHash } from "node:crypto";
import { rollbackEligibility, type DeploymentFact, type Eligibility } from "@rollgate/core/eligibility";
import { evaluateGate, openChecks, type GateFacts } from "@rollgate/core/gate";
import { applyEvent, plannedRollout, type ContractLease, type DomainEvent } from "@rollgate/core/lifecycle";
import { defaultPolicy } from "@rollgate/core/policy";
import { analyseSql } from "@rollgate/core/sql";
import type { RolloutProjection } from "@rollgate/core/types";
import { BASE_SCHEMA, v1, v2 } from "./app-versions.ts";
import { inspectDrill, openDrillDatabase } from "./inspect.ts";
import type { DatabaseFacts, InspectionFact } from "@rollgate/core/gate";
import type { TemplateOptions } from "./template.ts";
import { Timeline, type Step } from "./timeline.ts";

export const EXPAND_SQL =
  "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text;\nUPDATE users SET email_address = email WHERE email_address IS NULL;\n";
export const CONTRACT_SQL = "SET lock_timeout = '3s';\nALTER TABLE users DROP COLUMN IF EXISTS email;\n";
/** A domain event without its time: the drill stamps each one as it happens. */
type EventInput = DomainEvent extends infer E ? (E extends DomainEvent ? Omit<E, "occurredAt"> : never) : never;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** Expand, deploy behind a flag, roll back and forward safely, wait out the window with the gate, contract. */
export async function safeScenario(
  options: { windowMs?: number; onStep?: (step: Step) => void } & TemplateOptions = {},
) {
  const windowMs = options.windowMs ?? 1000;
  const t = new Timeline("safe", options.onStep);
  const { db, noStatistics } = await openDrillDatabase({ cacheDir: options.cacheDir });
  // Without statement statistics the new check can only be unknown: the drill then shows it, informational.
  const policy = {
    ...defaultPolicy("staging"),
    rollbackWindowSeconds: windowMs / 1000,
    database: { checks: noStatistics ? ("informational" as const) : ("blocking" as const) },
  };
  const inspections: InspectionFact[] = [];
  let contractFacts: DatabaseFacts["contract"] = null;
  const database = (): DatabaseFacts => ({
    baseline: inspections[0] ?? null,
    previous: inspections.at(-2) ?? null,
    recent: inspections.at(-1) ?? null,
    environmentInspected: inspections.length > 0,
    contract: contractFacts,
    expandChecksum: sha(EXPAND_SQL),
  });
  const inspect = async () => {
    inspections.push(
      await inspectDrill(db, { contract: CONTRACT_SQL, expand: EXPAND_SQL }, new Date(), inspections.length === 0),
    );
    return evaluateGate(facts(), policy, new Date()).checks.find((c) => c.id === "usage")!;
  };
  let rollout: RolloutProjection = plannedRollout(v2.version, {
    expandChecksum: sha(EXPAND_SQL),
    contractChecksum: sha(CONTRACT_SQL),
  });
  const deployments: DeploymentFact[] = [];
  let eligibility: Eligibility | undefined;
  let flagOn = false;
  const move = (event: EventInput) => {
    const result = applyEvent(rollout, { ...event, occurredAt: new Date() }, policy);
    if (!result.ok) throw new Error(`Rollgate refused ${event.type}: ${result.rejection.message}`);
    rollout = result.rollout;
    return rollout.state.replaceAll("_", " ");
  };
  const facts = (): GateFacts => ({
    rollout,
    expandDestructiveFindings: 0,
    slo: { samples: 3, minAvailability: 99.98, minErrorBudgetRemaining: 0.9, maxBurnRate: 0.4 },
    latestTestedBackup: { backupId: "drill-backup", verifiedAt: new Date() },
    earlierEnvironments: [],
    openIncidents: [],
    environment: "drill",
    productionLike: false,
    releaseAuthor: "author@example.com",
    authorIds: ["author"],
    approvals: approved
      ? [
          {
            approverId: "rm",
            approverEmail: "release.manager@example.com",
            role: "release_manager",
            currentRoles: ["release_manager"],
            decision: "approve",
            contractChecksum: sha(CONTRACT_SQL),
            decidedAt: new Date(),
            withdrawnAt: null,
          },
        ]
      : [],
    activeLease: null,
    overrides: [],
    database: database(),
  });
  let approved = false;

  try {
    await t.step("v1 runs on the original schema", "succeeds", async () => {
      await db.exec(BASE_SCHEMA);
      await v1.healthCheck(db, false);
      deployments.push({ version: v1.version, deployedAt: new Date(), manifest: v1.manifest });
      return "50 users; v1 healthy";
    });
    await t.step("expand: the analyser finds nothing destructive, and the migration runs", "succeeds", async () => {
      const analysis = await analyseSql(EXPAND_SQL, { phase: "expand" });
      if (analysis.summary.errors > 0)
        throw new Error(`expand refused: ${analysis.findings.map((f) => f.rule).join(", ")}`);
      move({
        type: "migration.started",
        phase: "expand",
        name: "expand",
        checksum: sha(EXPAND_SQL),
        destructiveFindings: 0,
      });
      await db.exec(EXPAND_SQL);
      return move({ type: "migration.succeeded", phase: "expand", name: "expand", checksum: sha(EXPAND_SQL) });
    });
    await t.step("v1 still works on the expanded schema", "succeeds", async () => {
      await v1.healthCheck(db, false);
      await v1.signUp(db, "during-expand@example.com", false);
      return "health check and sign-up pass";
    });
    await t.step("deploy v2 with its flag off", "succeeds", async () => {
      await v2.healthCheck(db, false);
      await v2.signUp(db, "v2-dark@example.com", false);
      deployments.push({ version: v2.version, deployedAt: new Date(), manifest: v2.manifest });
      return move({ type: "app.deployed", version: v2.version });
    });
    await t.step("ramp the flag to 100 %: the rollback window starts", "succeeds", async () => {
      flagOn = true;
      await v2.healthCheck(db, flagOn);
      await v2.signUp(db, "v2-live@example.com", flagOn);
      return move({ type: "flag.changed", percent: 100 });
    });
    await t.step("roll the app back to v1 inside the window", "succeeds", async () => {
      flagOn = false;
      move({ type: "app.rolled_back", version: v1.version });
      await v1.healthCheck(db, false);
      await v1.signUp(db, "after-rollback@example.com", false);
      return "v1 reads and writes normally: the app rollback is data-safe";
    });
    await t.step("redeploy v2 at 100 %: the window restarts", "succeeds", async () => {
      deployments.push({ version: v2.version, deployedAt: new Date(), manifest: v2.manifest });
      move({ type: "app.deployed", version: v2.version });
      flagOn = true;
      await v2.healthCheck(db, flagOn);
      return `${rollout.state.replaceAll("_", " ")}; window until ${new Date(rollout.windowStartedAt!.getTime() + windowMs).toISOString()}`;
    });
    await t.step("rollgate inspect reads the database as the window starts", "succeeds", async () => {
      const analysis = await analyseSql(CONTRACT_SQL, { phase: "contract" });
      contractFacts = { checksum: sha(CONTRACT_SQL), removed: analysis.objects, statements: analysis.statements };
      await inspect();
      const s = inspections[0]!.summary.statistics;
      return s.available
        ? `${s.statements} statement(s) in pg_stat_statements; expand is live: ${inspections[0]!.summary.expand.every((o) => o.state === "present")}`
        : `no statement statistics: ${noStatistics ?? s.reason}`;
    });
    await t.step(
      noStatistics
        ? "a forgotten v1 worker reads users.email: without statistics the new check is unknown"
        : "a forgotten v1 worker still reads users.email: the new check refuses the contract",
      "fails",
      async () => {
        await v1.healthCheck(db, false);
        const usage = await inspect();
        if (usage.status !== "pass") throw new Error(`${usage.status}: ${usage.message}`);
      },
    );
    await t.step(
      noStatistics
        ? "the worker is stopped; the check stays unknown (informational in this drill)"
        : "the worker is stopped: the next inspection finds nothing using users.email",
      noStatistics ? "fails" : "succeeds",
      async () => {
        await v2.healthCheck(db, flagOn);
        const usage = await inspect();
        if (usage.status !== "pass") throw new Error(`${usage.status}: ${usage.message}`);
        return usage.message;
      },
    );
    await t.step("the gate refuses the contract while the window is open", "fails", async () => {
      const verdict = evaluateGate(facts(), policy, new Date());
      if (!verdict.allowed)
        throw new Error(
          openChecks(verdict.checks)
            .map((c) => c.message)
            .join(" "),
        );
    });
    await t.step("the window passes and a release manager approves the exact contract script", "succeeds", async () => {
      const end = rollout.windowStartedAt!.getTime() + windowMs;
      await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now() + 20)));
      approved = true;
      const verdict = evaluateGate(facts(), policy, new Date());
      if (!verdict.allowed)
        throw new Error(
          openChecks(verdict.checks)
            .map((c) => c.message)
            .join(" "),
        );
      return "every gate check passes";
    });
    await t.step("contract: the lease is taken and the old column dropped", "succeeds", async () => {
      // The gate was open a moment ago, so the lease is granted for exactly this script.
      const lease: ContractLease = {
        held: { kind: "gate", tokenId: "drill", checksum: sha(CONTRACT_SQL) },
        senderTokenId: "drill",
        gate: { allowed: evaluateGate(facts(), policy, new Date()).allowed, failing: [] },
      };
      move({ type: "migration.started", phase: "contract", name: "contract", checksum: sha(CONTRACT_SQL), lease });
      await db.exec(CONTRACT_SQL);
      move({ type: "migration.succeeded", phase: "contract", name: "contract", checksum: sha(CONTRACT_SQL) });
      await v2.healthCheck(db, true);
      return "contracted; v2 healthy";
    });
    await t.step("after the contract, rolling back to v1 is UNSAFE — and Rollgate says why", "succeeds", async () => {
      const { objects } = await analyseSql(CONTRACT_SQL, { phase: "contract" });
      eligibility = rollbackEligibility({
        targetVersion: v1.version,
        deployments,
        contracts: [{ release: "drill-release", migrationName: "contract", ranAt: new Date(), objects }],
      });
      if (eligibility.verdict !== "UNSAFE") throw new Error(`expected UNSAFE, got ${eligibility.verdict}`);
      return `${eligibility.verdict}: ${eligibility.reasons[0]!.message}`;
    });
    await t.step("and indeed v1 would fail now", "fails", () => v1.healthCheck(db, false));
    return { steps: t.steps, eligibility: eligibility!, finalState: rollout.state };
  } finally {
    await db.close().catch(() => {});
  }
}
