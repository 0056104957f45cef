// Seeds a service whose rollouts carry production-sized histories, for the render benchmark:
// `big` with 1,000,000 SLO snapshots (one a second, about 11.6 days) and 100,000 events,
// `small` with 10,000 snapshots and 1,000 events. Rows are made by PostgreSQL itself
// (generate_series), so the per-minute rollups are filled by the same trigger as in production.
// Run: pnpm exec tsx e2e/bench/seed-scale.ts postgres://… [--snapshots 1000000] [--events 100000]
import { defaultPolicy } from "@rollgate/core/policy";
import { openDatabase } from "@rollgate/db/client";
import { migrateDatabase } from "@rollgate/db/migrate";
import postgres from "postgres";

export interface ScaleCase {
  release: string;
  snapshots: number;
  events: number;
}

export const SCALE_SERVICE = "scale-api";

/** Creates the service (once) and one rollout per case in staging, with its history ending now. */
export async function seedScale(url: string, cases: ScaleCase[]): Promise<void> {
  const handle = await openDatabase({ url, max: 1 });
  await migrateDatabase(handle);
  await handle.close();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [service] = await sql<{ id: string }[]>`
      insert into services (slug, name) values (${SCALE_SERVICE}, 'Scale test') on conflict (slug) do update set name = excluded.name returning id`;
    const [env] = await sql<{ id: string }[]>`
      insert into environments (service_id, name, position, policy) values (${service!.id}, 'staging', 0, ${sql.json(JSON.parse(JSON.stringify(defaultPolicy("staging"))))})
      on conflict (service_id, name) do update set position = 0 returning id`;
    for (const c of cases) {
      await sql.begin(async (tx) => {
        const [release] = await tx<{ id: string }[]>`
          insert into releases (service_id, key, title, author, app_version, expand_sql, expand_checksum, contract_sql, contract_checksum)
          values (${service!.id}, ${c.release}, ${`Scale ${c.release}`}, 'dev@example.com', '2.0.0',
                  'ALTER TABLE users ADD COLUMN email_address text;', 'e', 'ALTER TABLE users DROP COLUMN email;', 'c')
          returning id`;
        const span = `${c.snapshots} seconds`;
        const [rollout] = await tx<{ id: string }[]>`
          insert into rollouts (release_id, environment_id, state, release_version, current_version, deployed_at, flag_percent, flag_full_at, window_started_at, expand_checksum, contract_checksum)
          values (${release!.id}, ${env!.id}, 'verifying', '2.0.0', '2.0.0', now() - ${span}::interval, 100, now() - ${span}::interval + interval '1 hour',
                  now() - ${span}::interval + interval '1 hour', 'e', 'c')
          returning id`;
        const id = rollout!.id;
        // One snapshot a second up to now, with a dip now and then so the charts have shape.
        await tx`
          insert into slo_snapshots (rollout_id, observed_at, availability, error_budget_remaining, burn_rate, latency_p99_ms)
          select ${id}, now() - make_interval(secs => ${c.snapshots} - i), 99.9 + 0.09 * sin(i / 5000.0) - case when i % 97001 = 0 then 0.5 else 0 end,
                 0.8 - i::float8 / ${c.snapshots} / 4, 0.5 + 0.4 * cos(i / 7000.0), 120
          from generate_series(1, ${c.snapshots}) i`;
        // Events spread over the same span: most are snapshots, the rest what a ramp reports.
        await tx`
          insert into rollout_events (rollout_id, type, occurred_at, received_at, data, state_before, state_after)
          select ${id}, t.type, w.at, w.at, t.data, 'verifying', 'verifying'
          from generate_series(1, ${c.events}) i,
          lateral (select now() - make_interval(secs => (${c.snapshots}::float8 * (${c.events} - i) / ${c.events})) as at) w,
          lateral (select case i % 10 when 0 then 'flag.changed' when 5 then 'backup.verified' else 'slo.snapshot' end as type) k,
          lateral (select k.type, case k.type
                     when 'flag.changed' then jsonb_build_object('flag', 'checkout', 'percent', 100)
                     when 'backup.verified' then jsonb_build_object('backup_id', 'b-' || i, 'restore_tested', true)
                     else jsonb_build_object('availability', 99.9, 'error_budget_remaining', 0.8, 'burn_rate', 0.5) end as data) t`;
        await tx`
          insert into flag_changes (rollout_id, flag, percent, occurred_at)
          select ${id}, 'checkout', p, now() - ${span}::interval + make_interval(mins => p / 10) from generate_series(0, 100, 10) p`;
        await tx`
          insert into migration_runs (rollout_id, phase, name, checksum, status, started_at, finished_at, duration_ms, exit_code)
          values (${id}, 'expand', 'add email_address', 'e', 'succeeded', now() - ${span}::interval - interval '1 hour', now() - ${span}::interval - interval '59 minutes', 42000, 0)`;
        await tx`
          insert into backups (environment_id, rollout_id, backup_id, restore_tested, verified_at) values (${env!.id}, ${id}, ${`scale-${c.release}`}, true, now() - interval '1 hour')`;
      });
    }
    await sql`analyze`;
  } finally {
    await sql.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2];
  const option = (name: string, fallback: number) =>
    process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
  if (!url) throw new Error("usage: seed-scale.ts postgres://… [--snapshots N] [--events N]");
  const snapshots = option("--snapshots", 1_000_000);
  const events = option("--events", 100_000);
  await seedScale(url, [{ release: `scale-${snapshots}`, snapshots, events }]);
  console.log(`seeded ${SCALE_SERVICE}/staging/scale-${snapshots}: ${snapshots} SLO snapshots, ${events} events`);
}
