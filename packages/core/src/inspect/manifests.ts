import type { Inspection, WorkloadStatement } from "../contract/inspection.ts";
import { decodeUsage, grownEntries, type Usage } from "./usage.ts";

// Observed schema manifests: what each app version read and wrote, learned from the calls
// that grew between two inspections while that version, and only it, was deployed.

export interface UsageSnapshot {
  receivedAt: Date;
  /** Which database was inspected: its name, and its cluster's `system_identifier` when sent. */
  database?: { name: string; systemIdentifier: string | null };
  /** pg_postmaster_start_time(), pg_stat_statements_info's stats_reset and dealloc. */
  serverStartedAt: string;
  statsReset: string | null;
  dealloc: number | null;
  /** Statistics were available and the usage map was sent whole. */
  complete: boolean;
  usage: Usage;
  /** Its workload (cumulative calls per statement and role); null when it sent none. */
  workload: { statements: WorkloadStatement[]; complete: boolean } | null;
}

export interface Attribution {
  /** The version live for the whole interval; null when none or several were. */
  version: string | null;
  /** `schema.table` and `schema.table.column` used in the interval. */
  entries: string[];
  from: Date;
  to: Date;
  /** Why the interval teaches nothing (a restart, a reset, evictions, a deploy inside it). */
  skipped?: string;
  /** The statements whose calls grew, with the growth; null when an inspection sent no workload. */
  statements: WorkloadStatement[] | null;
  /** Both workloads were whole: no statement that grew can be missing. */
  statementsComplete: boolean;
}

export interface ObservedManifest {
  version: string;
  entries: string[];
  from: Date;
  to: Date;
}

/** An inspection as the attribution compares it: `usage` is its stored map (null when it was not sent whole). */
export function usageSnapshot(
  receivedAt: Date,
  summary: Omit<Inspection, "usage" | "workload">,
  usage: Record<string, string> | null,
  workload: WorkloadStatement[] | null = null,
): UsageSnapshot {
  return {
    database: { name: summary.server.database, systemIdentifier: summary.server.system_identifier ?? null },
    workload: workload ? { statements: workload, complete: summary.workload_complete ?? false } : null,
    receivedAt,
    serverStartedAt: summary.server.started_at,
    statsReset: summary.statistics.stats_reset ?? null,
    dealloc: summary.statistics.dealloc ?? null,
    complete: summary.statistics.available && usage !== null,
    usage: decodeUsage(usage ?? {}),
  };
}

/** Attributes what ran between two consecutive inspections to the version deployed throughout. */
export function attributeInterval(
  prev: UsageSnapshot,
  next: UsageSnapshot,
  deployments: Array<{ version: string; deployedAt: Date }>,
): Attribution {
  const base = {
    from: prev.receivedAt,
    to: next.receivedAt,
    entries: [] as string[],
    statements: null,
    statementsComplete: false,
  };
  const skip = (why: string): Attribution => ({ ...base, version: null, skipped: why });
  if (!prev.complete || !next.complete) return skip("an inspection had no complete usage");
  if (prev.database && next.database) {
    const [a, b] = [prev.database, next.database];
    const otherCluster = a.systemIdentifier && b.systemIdentifier && a.systemIdentifier !== b.systemIdentifier;
    // Counters of two databases are not one database's growth.
    if (a.name !== b.name || otherCluster) return skip("the two inspections read different databases");
  }
  if (prev.serverStartedAt !== next.serverStartedAt) return skip("the server restarted");
  if (prev.statsReset !== next.statsReset) return skip("pg_stat_statements was reset");
  // Evicted entries take their counts with them: another statement's growth could hide behind that.
  if ((prev.dealloc ?? 0) !== (next.dealloc ?? 0))
    return skip("pg_stat_statements evicted entries (raise pg_stat_statements.max)");
  const before = deployments.filter((d) => d.deployedAt <= prev.receivedAt);
  const during = deployments.filter((d) => d.deployedAt > prev.receivedAt && d.deployedAt <= next.receivedAt);
  if (during.length) return skip(`a deploy (${during.map((d) => d.version).join(", ")}) happened in between`);
  const live = before.reduce<{ version: string; deployedAt: Date } | null>(
    (a, b) => (!a || b.deployedAt >= a.deployedAt ? b : a),
    null,
  );
  if (!live) return skip("no version was deployed yet");
  return {
    ...base,
    version: live.version,
    entries: grownEntries(prev.usage, next.usage),
    ...grownStatements(prev.workload, next.workload),
  };
}

const statementKey = (s: WorkloadStatement) => `${s.id}\u0000${s.role ?? ""}`;

/** The statements (per queryid and role) whose calls grew between two workloads, each with its growth. */
export function grownStatements(
  prev: UsageSnapshot["workload"],
  next: UsageSnapshot["workload"],
): { statements: WorkloadStatement[] | null; statementsComplete: boolean } {
  if (!prev || !next) return { statements: null, statementsComplete: false };
  const before = new Map(prev.statements.map((s) => [statementKey(s), s.calls]));
  const grown: WorkloadStatement[] = [];
  for (const s of next.statements) {
    const was = before.get(statementKey(s));
    // Absent from a whole earlier workload, it had not run yet; from a cut one, its growth is unknown.
    const base = was ?? (prev.complete ? 0 : null);
    if (base === null || s.calls <= base) continue;
    grown.push({ ...s, calls: s.calls - base });
  }
  return { statements: grown, statementsComplete: prev.complete && next.complete };
}

/** What inspections saw a version run: statements with their calls while it alone was deployed. */
export interface ObservedWorkload {
  version: string;
  statements: WorkloadStatement[];
  from: Date;
  to: Date;
  /** No interval had to leave statements out. */
  complete: boolean;
}

/** At most this many statements are kept per version, most-called first. */
export const MAX_OBSERVED_STATEMENTS = 10_000;

/** Folds an interval's statements into a version's observed workload (calls add up; the newest text and role win). */
export function mergeObservedWorkload(current: ObservedWorkload | null, a: Attribution): ObservedWorkload | null {
  if (!a.version || !a.statements) return current;
  const byKey = new Map((current?.statements ?? []).map((s) => [statementKey(s), s]));
  for (const s of a.statements) {
    const had = byKey.get(statementKey(s));
    byKey.set(statementKey(s), { ...s, calls: (had?.calls ?? 0) + s.calls });
  }
  const all = [...byKey.values()].sort(
    (x, y) => y.calls - x.calls || x.id.localeCompare(y.id) || (x.role ?? "").localeCompare(y.role ?? ""),
  );
  return {
    version: a.version,
    statements: all.slice(0, MAX_OBSERVED_STATEMENTS),
    from: current && current.from < a.from ? current.from : a.from,
    to: current && current.to > a.to ? current.to : a.to,
    complete: (current?.complete ?? true) && a.statementsComplete && all.length <= MAX_OBSERVED_STATEMENTS,
  };
}

/** Folds an interval into a version's observed manifest. */
export function mergeObserved(current: ObservedManifest | null, a: Attribution): ObservedManifest | null {
  if (!a.version) return current;
  if (!current) return { version: a.version, entries: a.entries, from: a.from, to: a.to };
  return {
    version: a.version,
    entries: [...new Set([...current.entries, ...a.entries])].sort(),
    from: current.from < a.from ? current.from : a.from,
    to: current.to > a.to ? current.to : a.to,
  };
}
