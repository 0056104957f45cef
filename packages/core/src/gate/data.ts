import { SAMPLES_WITHHELD_TEXT } from "../contract/data-checks.ts";
import { utcText } from "../format.ts";
import { databasePolicy, type Policy } from "../policy/index.ts";
import type { DataCheckEvidence, DataCheckFact, GateCheck } from "./facts.ts";

// "Data is carried over": every data check the rollout declares (release, `rollgate inspect
// --checks`, each backfill) returned no rows in its newest run since the rollback window
// started, and that run is recent. The trap it exists for: the old version keeps writing the
// old column after the backfill passed its rows, and the contract would drop those values.
// Break-glass never overrides it (it is not in OVERRIDABLE_CHECKS): no emergency makes
// dropping data that was not copied safe.

const TITLE = "Data is carried over";

/** The newest run that counts: of the declared checksum (the loader's job) and since the window started. */
function countingRun(check: DataCheckFact, windowStartedAt: Date | null) {
  const run = check.newest;
  return run && windowStartedAt && run.receivedAt >= windowStartedAt ? run : null;
}

/** The instant a passing check's newest run grows too old (for the gate's long-poll); null when none will. */
export function dataCheckStaleAt(check: DataCheckFact, windowStartedAt: Date | null, policy: Policy): Date | null {
  const run = countingRun(check, windowStartedAt);
  return run ? new Date(run.receivedAt.getTime() + databasePolicy(policy).dataCheckMaxAgeSeconds * 1000 + 1) : null;
}

export function dataCheck(
  checks: readonly DataCheckFact[] | undefined,
  windowStartedAt: Date | null,
  policy: Policy,
  now: Date,
): GateCheck {
  const base = { id: "data" as const, title: TITLE };
  if (!checks || checks.length === 0)
    return { ...base, status: "pass", message: "This release declares no data checks, so there is nothing to verify." };
  const maxAge = databasePolicy(policy).dataCheckMaxAgeSeconds;
  const evidence: DataCheckEvidence[] = checks.map((c) => {
    const run = countingRun(c, windowStartedAt);
    const stale = run !== null && now.getTime() - run.receivedAt.getTime() > maxAge * 1000;
    const status = !run ? "pending" : run.error !== null || run.rows > 0 ? "fail" : stale ? "pending" : "pass";
    return {
      name: c.name,
      checksum: c.checksum,
      source: c.source,
      status,
      ranAt: run?.receivedAt ?? null,
      rows: run && run.error === null ? run.rows : null,
      sampleKeys: run?.sampleKeys.slice(0, 5) ?? [],
      samplesWithheld: run?.samplesWithheld ?? null,
      error: run?.error ?? null,
    };
  });
  const details = { kind: "data" as const, checks: evidence };
  const out = (status: GateCheck["status"], message: string): GateCheck => ({ ...base, status, message, details });
  const failed = evidence.filter((e) => e.status === "fail");
  if (failed.length)
    return out(
      "fail",
      `${failed.length} of ${evidence.length} data check(s) fail: ${failed.map(failure).join("; ")}. Carry the data over (a backfill pass or a dual-write trigger), then run rollgate inspect again.`,
    );
  if (!windowStartedAt)
    return out(
      "pending",
      `${evidence.length} data check(s) must return no rows in a run after the rollback window starts (rollgate inspect).`,
    );
  const missing = evidence.filter((e) => e.ranAt === null);
  if (missing.length)
    return out(
      "pending",
      `No run since the rollback window started at ${utcText(windowStartedAt)} for ${names(missing)}; run rollgate inspect.`,
    );
  const stale = evidence.filter((e) => e.status === "pending");
  if (stale.length)
    return out(
      "pending",
      `The newest run of ${names(stale)} is older than ${maxAge / 60} min; run rollgate inspect again.`,
    );
  const oldest = Math.min(...evidence.map((e) => e.ranAt!.getTime()));
  return out(
    "pass",
    `All ${evidence.length} data check(s) returned no rows (oldest counting run ${utcText(new Date(oldest))}).`,
  );
}

function failure(e: DataCheckEvidence): string {
  if (e.error !== null) return `"${e.name}" could not run (${e.error})`;
  const keys = e.sampleKeys.length
    ? ` (keys ${e.sampleKeys.join(", ")}${e.rows! > e.sampleKeys.length ? ", …" : ""})`
    : e.samplesWithheld !== null
      ? ` (${SAMPLES_WITHHELD_TEXT[e.samplesWithheld]})`
      : "";
  return `"${e.name}" found ${e.rows} row(s)${keys}`;
}

function names(list: readonly DataCheckEvidence[]): string {
  const shown = list.slice(0, 5).map((e) => `"${e.name}"`);
  return list.length > 5 ? `${shown.join(", ")} and ${list.length - 5} more` : shown.join(", ");
}
