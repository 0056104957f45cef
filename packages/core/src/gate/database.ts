import type { InspectedSession } from "../contract/inspection.ts";
import { utcText } from "../format.ts";
import { absenceUnproven, clip, countersBroken } from "../inspect/continuity.ts";
import { databasePolicy, type Policy } from "../policy/index.ts";
import type { RemovedObject } from "../sql/types.ts";
import type { CheckDetails, DatabaseFacts, GateCheck, InspectionFact, LockRisk } from "./facts.ts";

// The gate checks that read facts from the application's own database, sent by `rollgate
// inspect` as `database.inspected` events. Missing statistics make a check `unknown`: it
// never passes, so an unknown check blocks like a failing one wherever the check blocks.

const ENABLE =
  "Add pg_stat_statements to shared_preload_libraries (a restart), then run CREATE EXTENSION pg_stat_statements in the application's database.";

/** "Nothing still uses what the contract removes": statements whose calls grew during the window. */
export function usageCheck(
  db: DatabaseFacts | undefined,
  windowStartedAt: Date | null,
  policy: Policy,
  now: Date,
): GateCheck {
  const base = {
    id: "usage" as const,
    title: "Nothing still uses what the contract removes",
    blocking: blocks(db, policy),
  };
  const { baseline, recent } = db ?? { baseline: null, recent: null };
  const details: CheckDetails = {
    kind: "usage",
    baselineAt: baseline?.receivedAt ?? null,
    recentAt: recent?.receivedAt ?? null,
    statements: [],
  };
  const out = (status: GateCheck["status"], message: string) => ({ ...base, status, message, details });
  if (!db?.contract) return out("pending", "There is no contract script to look for yet.");
  if (db.contract.removed.length === 0)
    return out("pass", "The contract script removes nothing an application query names.");
  if (!windowStartedAt)
    return out(
      "pending",
      "The first inspection of the rollback window is taken when it starts (rollgate inspect --window-start).",
    );
  if (!baseline)
    return out(
      "pending",
      `No inspection since the rollback window started at ${utcText(windowStartedAt)}; run rollgate inspect --window-start.`,
    );
  const maxAge = databasePolicy(policy).inspectionMaxAgeSeconds;
  if (!recent || recent.id === baseline.id || now.getTime() - recent.receivedAt.getTime() > maxAge * 1000)
    return out(
      "pending",
      `Waiting for a recent inspection (newer than ${maxAge / 60} min) to compare with the one at ${utcText(baseline.receivedAt)}.`,
    );
  for (const [which, i] of [
    ["window-start", baseline],
    ["recent", recent],
  ] as const) {
    if (!i.summary.statistics.available)
      return out(
        "unknown",
        `The ${which} inspection had no statement statistics: ${i.summary.statistics.reason ?? ENABLE}`,
      );
    if (i.summary.statistics.hidden)
      return out(
        "unknown",
        `The ${which} inspection could not read ${i.summary.statistics.hidden} statement(s) of other roles (<insufficient privilege>): grant the inspecting role pg_read_all_stats.`,
      );
    if (i.summary.contract_checksum !== db.contract.checksum)
      return out(
        "unknown",
        `The ${which} inspection looked for the objects of ${i.summary.contract_checksum ? "another contract script" : "no contract script"}; run rollgate inspect --contract with this rollout's contract script.`,
      );
  }
  const [b, r] = [baseline.summary, recent.summary];
  const names = ["window-start", "recent"] as const;
  const broken = countersBroken(b, r, names);
  if (broken) return out("unknown", broken);
  // "Still uses": what grew in the latest interval decides; earlier growth in the window is shown
  // as history. The one before the newest counts only when its counters compare with both ends.
  const p = db.previous?.summary;
  const previous =
    db.previous &&
    p &&
    db.previous.receivedAt > baseline.receivedAt &&
    db.previous.receivedAt < recent.receivedAt &&
    p.statistics.available &&
    !p.statistics.hidden &&
    p.contract_checksum === db.contract.checksum &&
    !countersBroken(b, p, ["window-start", "previous"]) &&
    !countersBroken(p, r, ["previous", "recent"])
      ? db.previous
      : baseline;
  const before = new Map(b.statements.map((s) => [s.id, s.calls]));
  const last = new Map(previous.summary.statements.map((s) => [s.id, s.calls]));
  const went = r.statements.filter((s) => (before.get(s.id) ?? 0) > s.calls || (last.get(s.id) ?? 0) > s.calls);
  if (went.length)
    return out(
      "unknown",
      `Call counters went down between the two inspections (${went.length} statement(s)): a reset or a restart; take a new window-start inspection.`,
    );
  const grown = (from: Map<string, number>) =>
    r.statements
      .map((s) => ({
        id: s.id,
        text: s.text,
        callsBefore: from.get(s.id) ?? 0,
        callsAfter: s.calls,
        objects: s.objects,
        ...(s.unknown ? { unknown: s.unknown } : {}),
      }))
      .filter((s) => s.callsAfter > s.callsBefore);
  const latest = grown(last);
  const earlier = grown(before).filter((s) => !latest.some((x) => x.id === s.id));
  // The evidence travels with every gate poll: the first 50 statements are enough to act on.
  details.statements = [...latest, ...earlier].slice(0, 50);
  const span = `between ${utcText(previous.receivedAt)} and ${utcText(recent.receivedAt)}`;
  const sure = latest.filter((s) => s.objects.length > 0);
  if (sure.length)
    return out(
      "fail",
      `${sure.length} statement(s) still use what the contract removes ${span}: ${sure
        .slice(0, 3)
        .map((s) => `"${clip(s.text)}" (${s.objects.join(", ")}; ${s.callsAfter - s.callsBefore} call(s))`)
        .join("; ")}.`,
    );
  if (latest.length)
    return out(
      "unknown",
      `${latest.length} statement(s) that ran ${span} may use what the contract removes and could not be resolved: ${latest
        .slice(0, 2)
        .map((s) => `"${clip(s.text)}" (${s.unknown})`)
        .join("; ")}.`,
    );
  if (!r.usage_complete && r.statistics.unresolved > 0 && r.statements.length === 0)
    return out(
      "unknown",
      "The recent inspection's usage was cut to fit the body limit and some statements could not be resolved.",
    );
  const unproven =
    absenceUnproven(b, r, names) ??
    (previous === baseline ? null : absenceUnproven(previous.summary, r, ["previous", "recent"]));
  if (unproven) return out("unknown", unproven);
  if (earlier.length)
    return out(
      "pass",
      `No statement that names ${db.contract.removed.map(nameOf).join(", ")} ran ${span}; ${earlier.length} did earlier in the window (since ${utcText(baseline.receivedAt)}), see the evidence.`,
    );
  return out(
    "pass",
    `No statement that names ${db.contract.removed.map(nameOf).join(", ")} ran ${span} (window-start inspection ${utcText(baseline.receivedAt)}).`,
  );
}

/** "Expand is live": what the expand script adds exists in the live catalog as declared. */
export function expandLiveCheck(db: DatabaseFacts | undefined, expandSucceeded: boolean, policy: Policy): GateCheck {
  const recent = db?.recent ?? null;
  const base = { id: "expand_live" as const, title: "Expand is live", blocking: blocks(db, policy) };
  const details: CheckDetails = {
    kind: "expand_live",
    inspectedAt: recent?.receivedAt ?? null,
    objects: recent?.summary.expand ?? [],
  };
  const out = (status: GateCheck["status"], message: string) => ({ ...base, status, message, details });
  if (!expandSucceeded) return out("pending", "The expand migration has not succeeded yet.");
  if (!recent)
    return out("pending", "No inspection of the database since the expand migration; run rollgate inspect --expand.");
  if (recent.summary.expand_checksum !== (db?.expandChecksum ?? undefined))
    return out(
      "unknown",
      "The newest inspection did not check this rollout's expand script; run rollgate inspect --expand with it.",
    );
  const drift = recent.summary.expand.filter((o) => o.state !== "present");
  if (drift.length)
    return out(
      "fail",
      `The live database differs from the expand script: ${drift.map((o) => (o.state === "missing" ? `${o.kind} ${o.name} is missing` : `${o.kind} ${o.name} is ${o.actual}, not ${o.expected}`)).join("; ")}.`,
    );
  return out(
    "pass",
    `All ${recent.summary.expand.length} object(s) the expand script adds exist as declared (inspected ${utcText(recent.receivedAt)}).`,
  );
}

/** Lock risk per contract statement: its lock, the table's size, rewrite, and who blocks it now. */
export function lockRiskCheck(db: DatabaseFacts | undefined, policy: Policy): GateCheck {
  const recent = db?.recent ?? null;
  const blocking = databasePolicy(policy).lockRisk === "blocking";
  const risks = db?.contract ? lockRisks(db.contract, recent) : [];
  const details: CheckDetails = { kind: "lock_risk", inspectedAt: recent?.receivedAt ?? null, statements: risks };
  const base = { id: "lock_risk" as const, title: "Lock risk", blocking, details };
  if (risks.length === 0) return { ...base, status: "pass", message: "The contract script takes no table lock." };
  if (!recent)
    return {
      ...base,
      status: "unknown",
      message: `${risks.length} statement(s) take table locks; no inspection says how large the tables are or who holds them.`,
    };
  const blocked = risks.filter((r) => r.blockers.length);
  const rewrites = risks.filter((r) => r.rewrites);
  if (blocked.length)
    return {
      ...base,
      status: "fail",
      message: `${blocked.map((r) => `${r.table} has ${r.blockers.length} session(s) that would block its ${r.lock} lock`).join("; ")} (inspected ${utcText(recent.receivedAt)}).`,
    };
  return {
    ...base,
    status: "pass",
    message: `No blocking sessions on the contract's tables${rewrites.length ? `; ${rewrites.length} statement(s) rewrite their table` : ""} (inspected ${utcText(recent.receivedAt)}).`,
  };
}

// A contract's risks are the same on every read until a new inspection arrives: the server keeps
// one contract facts object per script (by checksum), so the overview, which evaluates hundreds
// of gates on every poll, builds each contract's list once, not once per gate and read (a
// 50-statement contract on 600 gates: 30,000 objects a read). Keyed by identity, never by id or
// content, so facts built anew (tests, another inspection) are worked out afresh.
const risksByContract = new WeakMap<object, WeakMap<object, readonly LockRisk[]>>();
const NO_INSPECTION = {};

/** Each locking statement of the contract with its table's size and blockers in `recent`; frozen, for sharing. */
function lockRisks(
  contract: NonNullable<DatabaseFacts["contract"]>,
  recent: InspectionFact | null,
): readonly LockRisk[] {
  let byInspection = risksByContract.get(contract);
  if (!byInspection) risksByContract.set(contract, (byInspection = new WeakMap()));
  const known = byInspection.get(recent ?? NO_INSPECTION);
  if (known) return known;
  const tables = new Map((recent?.summary.tables ?? []).map((t) => [t.name, t]));
  const sessions = recent?.summary.sessions ?? [];
  const risks = Object.freeze(
    contract.statements
      .filter((s) => s.lock !== null)
      .map((s) => {
        const key = s.table ? qualify(s.table) : null;
        const t = key ? tables.get(key) : undefined;
        return Object.freeze({
          statement: s.index,
          line: s.line,
          lock: s.lock,
          table: s.table,
          rewrites: s.rewrites,
          bytes: t?.bytes ?? null,
          rows: t?.rows ?? null,
          blockers: Object.freeze(key ? sessions.filter((x) => x.table === key).map(blocker) : []),
        });
      }),
  );
  byInspection.set(recent ?? NO_INSPECTION, risks);
  return risks;
}

/** "auto": the database checks block once the environment sends inspections. */
function blocks(db: DatabaseFacts | undefined, policy: Policy): boolean {
  const mode = databasePolicy(policy).checks;
  return mode === "blocking" || (mode === "auto" && (db?.environmentInspected ?? false));
}

function blocker(s: InspectedSession) {
  return { pid: s.pid, state: s.state, mode: s.mode, xactSeconds: s.xact_seconds };
}

function qualify(table: string): string {
  const t = table.toLowerCase();
  return t.includes(".") ? t : `public.${t}`;
}

function nameOf(o: RemovedObject): string {
  return [o.schema ?? "public", o.table, o.name].filter(Boolean).join(".");
}
