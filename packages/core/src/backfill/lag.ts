// Replica lag as the primary sees it. `pg_stat_replication.replay_lag` stays NULL or stale
// when a standby's replay is paused (pg_wal_replay_pause) while its receiver keeps up, so the
// backfill also measures the lag itself: it remembers (time, pg_current_wal_lsn()) samples,
// and a standby whose replay_lsn is behind a sample taken at time t is at least now − t behind.

/** A WAL position `X/Y` as one number. */
export function parseLsn(lsn: string): bigint {
  const [high, low] = lsn.split("/");
  if (high === undefined || low === undefined) throw new Error(`not an LSN: ${lsn}`);
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

export interface WalSample {
  atMs: number;
  lsn: bigint;
}

export interface StandbyReading {
  name: string;
  /** null when the role may not see it (pg_monitor) or the standby reported none yet. */
  replayLsn: bigint | null;
  replayLagMs: number | null;
}

/**
 * Each standby's lag: the larger of its replay_lag and now minus the time of the oldest sample
 * whose LSN it has not replayed; 0 when it has replayed every sample (the newest is the
 * primary's current position, read with the standbys), whatever replay_lag says: after a
 * paused replay resumes, a real standby catches up at once but its replay_lag keeps showing
 * the pause's length until its next status reply, up to wal_receiver_status_interval (10 s)
 * later (measured in packages/cli/src/database/standby.live.test.ts). null when the role can
 * see neither.
 */
export function standbyLag(samples: readonly WalSample[], standby: StandbyReading, nowMs: number): number | null {
  let measured: number | null = null;
  if (standby.replayLsn !== null) {
    const oldest = samples.find((s) => s.lsn > standby.replayLsn!);
    if (!oldest && samples.length > 0) return 0;
    measured = oldest ? Math.max(0, nowMs - oldest.atMs) : 0;
  }
  if (measured === null && standby.replayLagMs === null) return null;
  return Math.max(measured ?? 0, standby.replayLagMs ?? 0);
}

/** The largest lag among the standbys (null when there is none, or none can be read). */
export function replicaLag(
  samples: readonly WalSample[],
  standbys: readonly StandbyReading[],
  nowMs: number,
): { lagMs: number | null; standby: string | null } {
  let worst: { lagMs: number | null; standby: string | null } = { lagMs: null, standby: null };
  for (const s of standbys) {
    const lag = standbyLag(samples, s, nowMs);
    if (lag !== null && (worst.lagMs === null || lag > worst.lagMs)) worst = { lagMs: lag, standby: s.name };
  }
  return worst;
}

/**
 * The samples worth keeping: samples are in time order; a sample that every standby has
 * replayed is dropped except the newest of those, and the list never grows past `max`
 * (the oldest go first, so a measured lag is at most as old as the history kept).
 */
export function keepSamples(
  samples: readonly WalSample[],
  standbys: readonly StandbyReading[],
  max = 10_000,
): WalSample[] {
  const replayed = standbys.map((s) => s.replayLsn).filter((l): l is bigint => l !== null);
  const floor =
    replayed.length === standbys.length && replayed.length > 0 ? replayed.reduce((a, b) => (a < b ? a : b)) : null;
  let start = 0;
  if (floor !== null) while (start + 1 < samples.length && samples[start + 1]!.lsn <= floor) start += 1;
  const kept = samples.slice(start);
  return kept.length > max ? kept.slice(kept.length - max) : kept;
}
