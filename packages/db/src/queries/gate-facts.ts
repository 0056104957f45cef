import type { SamplesWithheld } from "@rollgate/core/contract/data-checks";
import { authorIdentities, type AuthorMatching } from "@rollgate/core/access/identity";
import { rolloutAuthor } from "@rollgate/core/access/release-binding";
import type {
  ApprovalFact,
  DatabaseFacts,
  DataCheckFact,
  GateCheckId,
  GateFacts,
  InspectionFact,
  OverrideFact,
} from "@rollgate/core/gate";
import type { RehearsalFact } from "@rollgate/core/eligibility";
import { mayBeBaseline } from "@rollgate/core/inspect/baseline";
import type { RolloutState } from "@rollgate/core/types";
import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type Db } from "../client.ts";
import { authorMatching } from "../env.ts";
import { canonicalIdentitySql, userEmailIdentitySql } from "./identities.ts";
import { compiledStatement } from "./compiled.ts";
import { projectionOf, type GateRow } from "./rollouts.ts";

/** One rollout to load facts for; the caller supplies what needs the SQL analyser. */
export interface GateFactsInput {
  row: GateRow;
  expandDestructiveFindings: number | null;
  contract?: DatabaseFacts["contract"];
}

/**
 * Everything the gate needs for one rollout, as aggregates: SLOs since the window started
 * come back as a count and worst values (from per-minute rollups), never as a series, so the
 * gate stays fast with millions of snapshots. The caller supplies what needs the SQL analyser.
 */
export async function loadGateFacts(
  db: Db,
  row: GateRow,
  now: Date,
  expandDestructiveFindings: number | null,
  contract: DatabaseFacts["contract"] = null,
): Promise<GateFacts> {
  return (await loadGateFactsMany(db, [{ row, expandDestructiveFindings, contract }], now))[0]!;
}

/** How the facts of many rollouts are split: at most `statements` statements, each of at least `perStatement` rollouts. */
export interface FactsSplit {
  statements: number;
  perStatement: number;
}
const SPLIT: FactsSplit = { statements: 4, perStatement: 100 };

/**
 * The gate's facts for many rollouts in a fixed number of statements, whatever their number:
 * each rollout is a row of a `jsonb_to_recordset`, and every fact a correlated sub-select on an
 * index of that rollout or its environment. A big overview's rollouts are split over up to four
 * statements sent at once, which PostgreSQL runs on as many connections and cores (on one
 * connection, inside a transaction or on PGlite, they simply queue); each rollout's facts still
 * come from one statement, so from one snapshot.
 */
export async function loadGateFactsMany(
  db: Db,
  inputs: readonly GateFactsInput[],
  now: Date,
  split: FactsSplit = SPLIT,
): Promise<GateFacts[]> {
  const size = Math.max(split.perStatement, Math.ceil(inputs.length / split.statements));
  const chunks: GateFactsInput[][] = [];
  for (let i = 0; i < inputs.length; i += size) chunks.push(inputs.slice(i, i + size));
  return (await Promise.all(chunks.map((chunk) => loadFactsStatement(db, chunk, now)))).flat();
}

async function loadFactsStatement(db: Db, inputs: readonly GateFactsInput[], now: Date): Promise<GateFacts[]> {
  const matching = authorMatching();
  const keys = inputs.map(({ row }, i) => ({
    i,
    rollout_id: row.rollout.id,
    environment_id: row.rollout.environmentId,
    service_id: row.serviceId,
    release_id: row.release.id,
    position: row.environmentPosition,
    ws: row.rollout.windowStartedAt?.toISOString() ?? null,
    version: row.rollout.releaseVersion,
    contract_checksum: row.rollout.contractChecksum,
    authors: authorIdentitiesOf(rolloutAuthor(row.rollout, row.release.author), matching),
  }));
  const statement = matching.plusAddressing ? compiledFacts.plus : compiledFacts.exact;
  const rows = rowsOf<{ i: number; facts: unknown }>(
    await db.execute(statement(JSON.stringify(keys), now.toISOString())),
  );
  const byIndex = new Map(
    rows.map((r) => [Number(r.i), (typeof r.facts === "string" ? JSON.parse(r.facts) : r.facts) as RawFacts]),
  );
  return inputs.map((input, i) => toGateFacts(input, byIndex.get(i)!));
}

/** What an author that counts here may name; nothing while the rollout's author is provisional. */
const authorIdentitiesOf = (author: string | null, matching: AuthorMatching) =>
  author === null ? [] : authorIdentities(author, matching);

/** Whole UTC minutes or hours, as the rollup triggers bin them (date_trunc would follow the session's time zone). */
const floorTo = (unit: "minute" | "hour", value: SQL) =>
  sql`date_bin(${sql.raw(`'1 ${unit}'`)}, ${value}, timestamptz '2000-01-01 00:00:00+00')`;

/** One compiled statement per author-matching setting (it changes how stored identities compare). */
const compiledFacts = {
  plus: compiledStatement(factsStatement({ plusAddressing: true }), ["\u0000keys", "\u0000now"]),
  exact: compiledStatement(factsStatement({ plusAddressing: false }), ["\u0000keys", "\u0000now"]),
};

function factsStatement(matching: AuthorMatching) {
  return (keys: string, now: string) => {
    const at = sql`${now}::timestamptz`;
    const inspection = sql`json_build_object('id', i.id, 'receivedAt', i.received_at, 'summary', i.summary)`;
    const candidate = sql`json_build_object('id', i.id, 'receivedAt', i.received_at, 'summary', i.summary, 'rolloutId', i.rollout_id, 'windowStart', i.window_start)`;
    // The SLO summary (as test/slo-summary.ts writes it plainly): whole hours from slo_hours, whole
    // minutes around them from slo_minutes, and only the partial minutes at the edges raw.
    return sql`
    with w as (
      select * from jsonb_to_recordset(${keys}::jsonb) as w(i int, rollout_id uuid, environment_id uuid, service_id uuid, release_id uuid, position int, ws timestamptz, version text, contract_checksum text, authors jsonb)
    ), b as (
      select w.*, m.m1, m.m2, ${floorTo("hour", sql`m.m1`)} + case when ${floorTo("hour", sql`m.m1`)} = m.m1 then interval '0' else interval '1 hour' end as h1, ${floorTo("hour", sql`m.m2`)} as h2
      from w cross join lateral (
        select ${floorTo("minute", sql`w.ws`)} + case when ${floorTo("minute", sql`w.ws`)} = w.ws then interval '0' else interval '1 minute' end as m1, ${floorTo("minute", at)} as m2
      ) m
    )
    select b.i, json_build_object(
      'slo', (select json_build_object('samples', coalesce(sum(samples), 0)::int, 'a', min(a), 'b', min(bb), 'r', max(r)) from (
          select 1 as samples, availability as a, error_budget_remaining as bb, burn_rate as r from slo_snapshots s
            where s.rollout_id = b.rollout_id and b.m1 < b.m2 and s.observed_at >= b.ws and s.observed_at < b.m1
          union all
          select 1, availability, error_budget_remaining, burn_rate from slo_snapshots s
            where s.rollout_id = b.rollout_id and s.observed_at >= case when b.m1 < b.m2 then b.m2 else b.ws end and s.observed_at <= ${at}
          union all
          select samples, min_availability, min_error_budget_remaining, max_burn_rate from slo_minutes m
            where m.rollout_id = b.rollout_id and b.m1 < b.m2 and m.minute >= b.m1 and m.minute < case when b.h1 < b.h2 then b.h1 else b.m2 end
          union all
          select samples, min_availability, min_error_budget_remaining, max_burn_rate from slo_minutes m
            where m.rollout_id = b.rollout_id and b.m1 < b.m2 and b.h1 < b.h2 and m.minute >= b.h2 and m.minute < b.m2
          union all
          select samples, min_availability, min_error_budget_remaining, max_burn_rate from slo_hours h
            where h.rollout_id = b.rollout_id and b.m1 < b.m2 and b.h1 < b.h2 and h.hour >= b.h1 and h.hour < b.h2
        ) parts),
      'lastPull', (select json_build_object('at', p.pulled_at, 'ok', p.ok, 'error', p.error) from slo_pulls p where p.rollout_id = b.rollout_id and p.slot_at <= ${at} order by p.slot_at desc limit 1),
      'lastOkPullAt', (select p.pulled_at from slo_pulls p where p.rollout_id = b.rollout_id and p.ok and p.slot_at <= ${at} order by p.slot_at desc limit 1),
      'backup', (select json_build_object('backupId', k.backup_id, 'verifiedAt', k.verified_at) from backups k
          where k.environment_id = b.environment_id and k.restore_tested and k.verified_at <= ${at} order by k.verified_at desc limit 1),
      -- with the checksum of the newest contract that succeeded there: promotion is of that script, not of the key
      'earlier', (select coalesce(json_agg(json_build_object('name', e.name, 'state', r.state,
            'contractChecksum', (select m.checksum from migration_runs m where m.rollout_id = r.id and m.phase = 'contract'
              and m.status = 'succeeded' order by m.finished_at desc nulls last, m.id desc limit 1)) order by e.position), '[]') from environments e
          left join rollouts r on r.environment_id = e.id and r.release_id = b.release_id where e.service_id = b.service_id and e.position < b.position),
      'incidents', (select coalesce(json_agg(json_build_object('title', n.title, 'openedAt', n.opened_at, 'source', n.source, 'url', n.url) order by n.opened_at, n.id), '[]') from incidents n
          where n.environment_id = b.environment_id and n.closed_at is null and n.blocks_contract),
      'approvals', (select coalesce(json_agg(json_build_object('approverId', a.approver_id, 'approverEmail', u.email, 'role', a.role, 'decision', a.decision,
            'contractChecksum', a.contract_checksum, 'decidedAt', a.decided_at, 'withdrawnAt', a.withdrawn_at,
            -- the roles each approver holds on this service *now*: a revoked role stops counting at once
            'currentRoles', (select coalesce(json_agg(ur.role), '[]') from user_roles ur where ur.user_id = a.approver_id and (ur.service_id is null or ur.service_id = b.service_id)))
          order by a.decided_at, a.id), '[]') from approvals a join users u on u.id = a.approver_id where a.rollout_id = b.rollout_id),
      'overrides', (select coalesce(json_agg(json_build_object('kind', o.kind, 'checks', o.checks, 'actor', u.email, 'createdAt', o.created_at, 'expiresAt', o.expires_at, 'confirmedAt', o.confirmed_at)
          order by o.created_at, o.id), '[]') from overrides o join users u on u.id = o.actor_id where o.rollout_id = b.rollout_id),
      'lease', (select json_build_object('holder', l.holder, 'expiresAt', l.expires_at) from leases l where l.rollout_id = b.rollout_id and l.released_at is null and l.expires_at > ${at} limit 1),
      'recent', (select coalesce(json_agg(${inspection} order by i.received_at desc), '[]') from (
          select id, received_at, summary from inspections where environment_id = b.environment_id and received_at < ${at} + interval '1 millisecond' order by received_at desc limit 2) i),
      -- the window's first inspection taken for this rollout: the newest flagged one just before
      -- the start, else its first one after it (another release's inspection is not its baseline)
      'baseline', coalesce(
          (select ${candidate} from inspections i where i.environment_id = b.environment_id and i.rollout_id = b.rollout_id and i.window_start and i.received_at >= b.ws - interval '10 minutes' and i.received_at < b.ws order by i.received_at desc limit 1),
          (select ${candidate} from inspections i where i.environment_id = b.environment_id and i.rollout_id = b.rollout_id and i.received_at >= b.ws order by i.received_at asc limit 1)),
      -- each declared data check with its newest run of the same text since the window started
      'dataChecks', (select coalesce(json_agg(json_build_object('name', c.name, 'checksum', c.checksum, 'source', c.source, 'declaredAt', c.declared_at,
            'newest', (select json_build_object('receivedAt', r.received_at, 'rows', r.rows, 'sampleKeys', r.sample_keys, 'samplesWithheld', r.samples_withheld, 'durationMs', r.duration_ms, 'error', r.error)
              from data_check_runs r where r.environment_id = b.environment_id and r.checksum = c.checksum and r.name = c.name
              and r.received_at >= b.ws and r.received_at < ${at} + interval '1 millisecond' order by r.received_at desc limit 1))
          order by c.name), '[]') from data_checks c where c.rollout_id = b.rollout_id),
      -- the version a rollback would go back to (the newest other one that ran here) and the
      -- rehearsal of it against this release's contract script (by checksum) that decides: the
      -- newest with a proof, else the newest (core's rehearsalFor: a later clean one hides no proof)
      'rehearsal', (select json_build_object('previousVersion', pv.version, 'newest', (select json_build_object('version', h.version,
            'contractChecksum', h.contract_checksum, 'source', h.source, 'statements', h.statements, 'passed', h.passed, 'noise', h.noise,
            'unverifiable', h.unverifiable, 'proofCount', h.proof_count, 'proofs', h.proofs, 'receivedAt', h.received_at)
          from rollback_rehearsals h where h.environment_id = b.environment_id and h.version = pv.version and h.contract_checksum = b.contract_checksum
          and h.received_at < ${at} + interval '1 millisecond'
          order by (h.proof_count > 0 or jsonb_array_length(h.proofs) > 0) desc, h.received_at desc limit 1))
        from (select d.version from app_deployments d where d.environment_id = b.environment_id and d.version <> b.version
          and d.occurred_at < ${at} + interval '1 millisecond' order by d.occurred_at desc limit 1) pv),
      'authorIds', (select coalesce(json_agg(x.id), '[]') from (
          select user_id as id from user_identities where ${canonicalIdentitySql(sql`identity`, matching)} in (select jsonb_array_elements_text(b.authors))
          union select id from users where ${canonicalIdentitySql(userEmailIdentitySql(sql`email`), matching)} in (select jsonb_array_elements_text(b.authors))) x)
    ) as facts
    from b`;
  };
}

type Time = string;
interface RawInspection {
  id: string;
  receivedAt: Time;
  summary: InspectionFact["summary"];
}
interface RawFacts {
  slo: { samples: number; a: number | null; b: number | null; r: number | null };
  lastPull: { at: Time; ok: boolean; error: string | null } | null;
  lastOkPullAt: Time | null;
  backup: { backupId: string; verifiedAt: Time } | null;
  earlier: Array<{ name: string; state: string | null; contractChecksum: string | null }>;
  incidents: Array<{ title: string; openedAt: Time; source: string; url: string | null }>;
  approvals: Array<Omit<ApprovalFact, "decidedAt" | "withdrawnAt"> & { decidedAt: Time; withdrawnAt: Time | null }>;
  overrides: Array<{
    kind: string;
    checks: string[];
    actor: string;
    createdAt: Time;
    expiresAt: Time;
    confirmedAt: Time | null;
  }>;
  lease: { holder: string; expiresAt: Time } | null;
  recent: RawInspection[];
  baseline: (RawInspection & { rolloutId: string | null; windowStart: boolean }) | null;
  authorIds: string[];
  rehearsal: {
    previousVersion: string;
    newest:
      | (Omit<RehearsalFact, "receivedAt" | "statements" | "passed" | "noise" | "unverifiable" | "proofCount"> & {
          receivedAt: Time;
          statements: number | string;
          passed: number | string;
          noise: number | string;
          unverifiable: number | string;
          proofCount: number | string;
        })
      | null;
  } | null;
  dataChecks: Array<{
    name: string;
    checksum: string;
    source: DataCheckFact["source"];
    declaredAt: Time;
    newest: {
      receivedAt: Time;
      rows: number | string;
      sampleKeys: string[];
      samplesWithheld: SamplesWithheld | null;
      durationMs: number;
      error: string | null;
    } | null;
  }>;
}

const date = (t: Time) => new Date(t);
const maybeDate = (t: Time | null) => (t === null ? null : new Date(t));
const inspectionFact = (i: RawInspection): InspectionFact => ({
  id: i.id,
  receivedAt: date(i.receivedAt),
  summary: i.summary,
});
const num = (v: number | string | null) => (v === null ? null : Number(v));

function toGateFacts({ row, expandDestructiveFindings, contract = null }: GateFactsInput, raw: RawFacts): GateFacts {
  const { rollout, release } = row;
  const windowStart = rollout.windowStartedAt;
  const slo = {
    samples: Number(raw.slo.samples),
    minAvailability: num(raw.slo.a),
    minErrorBudgetRemaining: num(raw.slo.b),
    maxBurnRate: num(raw.slo.r),
  };
  const lastAttempt = raw.lastPull
    ? { at: date(raw.lastPull.at), ok: raw.lastPull.ok, error: raw.lastPull.error }
    : null;
  const [recent, previous] = raw.recent.map(inspectionFact);
  return {
    rollout: projectionOf(rollout),
    expandDestructiveFindings,
    slo: windowStart ? { ...slo, pulls: { lastOkAt: maybeDate(raw.lastOkPullAt), lastAttempt } } : slo,
    latestTestedBackup: raw.backup ? { backupId: raw.backup.backupId, verifiedAt: date(raw.backup.verifiedAt) } : null,
    earlierEnvironments: raw.earlier.map((e) => ({
      name: e.name,
      state: (e.state as RolloutState | null) ?? null,
      contractChecksum: e.contractChecksum ?? null,
    })),
    openIncidents: raw.incidents.map((n) => ({ ...n, openedAt: date(n.openedAt) })),
    environment: row.environmentName,
    productionLike: row.environmentProductionLike,
    releaseAuthor:
      rolloutAuthor(rollout, release.author) ??
      `${release.author}, as another environment's pipeline registered it (this environment's has not yet)`,
    authorIds: raw.authorIds,
    approvals: raw.approvals.map((a) => ({
      ...a,
      decidedAt: date(a.decidedAt),
      withdrawnAt: maybeDate(a.withdrawnAt),
    })),
    activeLease: raw.lease ? { holder: raw.lease.holder, expiresAt: date(raw.lease.expiresAt) } : null,
    overrides: raw.overrides.map((o) => ({
      ...o,
      kind: o.kind as OverrideFact["kind"],
      checks: o.checks as GateCheckId[],
      createdAt: date(o.createdAt),
      expiresAt: date(o.expiresAt),
      confirmedAt: maybeDate(o.confirmedAt),
    })),
    database: {
      baseline:
        raw.baseline &&
        mayBeBaseline(
          { ...raw.baseline, receivedAt: date(raw.baseline.receivedAt) },
          { id: rollout.id, windowStartedAt: windowStart },
        )
          ? inspectionFact(raw.baseline)
          : null,
      recent: recent ?? null,
      previous: previous ?? null,
      environmentInspected: Boolean(recent),
      contract,
      expandChecksum: rollout.expandChecksum,
    },
    rehearsal: {
      previousVersion: raw.rehearsal?.previousVersion ?? null,
      newest: raw.rehearsal?.newest
        ? {
            ...raw.rehearsal.newest,
            receivedAt: date(raw.rehearsal.newest.receivedAt),
            statements: Number(raw.rehearsal.newest.statements),
            passed: Number(raw.rehearsal.newest.passed),
            noise: Number(raw.rehearsal.newest.noise),
            unverifiable: Number(raw.rehearsal.newest.unverifiable),
            proofCount: Number(raw.rehearsal.newest.proofCount),
          }
        : null,
    },
    dataChecks: raw.dataChecks.map((c) => ({
      ...c,
      declaredAt: date(c.declaredAt),
      newest: c.newest && { ...c.newest, receivedAt: date(c.newest.receivedAt), rows: Number(c.newest.rows) },
    })),
  };
}
