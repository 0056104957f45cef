import type { Inspection } from "../contract/inspection.ts";
import { decodeUsage, grownEntries, type Usage } from "./usage.ts";

// Observed schema manifests: what each app version read and wrote, learned from the calls
// that grew between two inspections while that version, and only it, was deployed.

export interface UsageSnapshot {
  receivedAt: Date;
  /** pg_postmaster_start_time(), pg_stat_statements_info's stats_reset and dealloc. */
  serverStartedAt: string;
  statsReset: string | null;
  dealloc: number | null;
  /** Statistics were available and the usage map was sent whole. */
  complete: boolean;
  usage: Usage;
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
  summary: Omit<Inspection, "usage">,
  usage: Record<string, string> | null,
): UsageSnapshot {
  return {
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
  const base = { from: prev.receivedAt, to: next.receivedAt, entries: [] as string[] };
  const skip = (why: string): Attribution => ({ ...base, version: null, skipped: why });
  if (!prev.complete || !next.complete) return skip("an inspection had no complete usage");
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
  return { ...base, version: live.version, entries: grownEntries(prev.usage, next.usage) };
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
