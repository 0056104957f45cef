import { LOCK_MODES, type LockMode, type Outcome } from "./types.ts";

const RANK = Object.fromEntries(LOCK_MODES.map((mode, i) => [mode, i])) as Record<LockMode, number>;

/** The stronger of two locks; null is no lock at all. */
export function stronger(a: LockMode | null, b: LockMode | null): LockMode | null {
  if (!a) return b;
  if (!b) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/** SHARE and above conflict with ROW EXCLUSIVE: while such a lock waits or is held, writes queue behind it. */
export function blocksWrites(lock: LockMode | null): boolean {
  return lock !== null && RANK[lock] >= RANK.SHARE;
}

/** `LOCK … IN <mode> MODE` carries the mode as PostgreSQL's number, 1 (ACCESS SHARE) to 8 (ACCESS EXCLUSIVE). */
export function lockOfMode(mode: number | undefined): LockMode {
  return LOCK_MODES[(mode ?? 8) - 1] ?? "ACCESS EXCLUSIVE";
}

/** Folds an inner outcome into an outer one: the strongest lock (and its table) wins. */
export function merge(into: Outcome, from: Outcome, runs: boolean): void {
  into.findings.push(...from.findings);
  if (!runs) return;
  into.rewrites ||= from.rewrites;
  if (from.lock && stronger(into.lock, from.lock) === from.lock && from.lock !== into.lock) {
    into.lock = from.lock;
    into.table = from.table;
  }
}
