import {
  INSPECTION_FORMAT,
  MAX_WORKLOAD_STATEMENTS,
  type Inspection,
  type InspectedStatement,
  type WorkloadStatement,
} from "../contract/inspection.ts";
import type { RemovedObject } from "../sql/types.ts";
import { addedObjectsSync, type AddedObject } from "../sql/added.ts";
import { analyseSqlSync, loadSqlParser } from "../sql/analyse.ts";
import {
  resolveStatement,
  type Catalog,
  type CatalogFunction,
  type CatalogRelation,
  type Reference,
} from "./resolve.ts";
import { addUsage, encodeUsage, type Usage } from "./usage.ts";
import { runDataChecks, type DataCheckToRun, type DescribeColumns } from "./data-checks.ts";
import type { DataCheckDeclaration } from "../contract/data-checks.ts";

// What `rollgate inspect` reads, in one read-only transaction: pg_stat_statements, the
// catalog and current activity. The caller passes the query function (postgres.js on one
// connection, or PGlite), so this module does no I/O of its own and runs the same in the
// CLI and the drill.

export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface CollectOptions {
  contract?: { sql: string; checksum: string };
  expand?: { sql: string; checksum: string };
  windowStart?: boolean;
  /** Per-query timeout inside the inspection (default 5 s). */
  statementTimeoutMs?: number;
  /** Sessions older than this (or idle in a transaction) on the contract's tables are reported. */
  longSeconds?: number;
  /** The body limit the summary must fit (default 240 KiB, under the API's 256 KiB). */
  budgetBytes?: number;
  clock?: () => number;
  /** Data checks to run (the rollout's declared ones and those of --checks), each under `dataCheckTimeoutMs`. */
  dataChecks?: readonly DataCheckToRun[];
  /** Checks `--checks FILE` declares: sent with the summary so Rollgate registers them. */
  declaredChecks?: readonly DataCheckDeclaration[];
  /** Each data check's statement timeout (default 60 s). */
  dataCheckTimeoutMs?: number;
  /** The row description of a statement without running it (postgres.js's `describe()`), on the
   * same connection: data checks report sample keys only when it shows a primary key column. */
  describe?: DescribeColumns;
}

const ENABLE =
  "add pg_stat_statements to shared_preload_libraries (restart), then CREATE EXTENSION pg_stat_statements in this database";

export async function collectInspection(query: Query, options: CollectOptions = {}): Promise<Inspection> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  await loadSqlParser();
  const contract = options.contract ? analyseSqlSync(options.contract.sql, { phase: "contract" }) : null;
  const removed = contract?.objects ?? [];
  const added = options.expand ? addedObjectsSync(options.expand.sql) : [];

  await query("begin transaction read only");
  try {
    await query(`set local statement_timeout = ${Math.max(1, Math.floor(options.statementTimeoutMs ?? 5000))}`);
    // The database's own clock and identity: Rollgate orders one database's inspections by them.
    const [server] = await query<{
      version: string;
      started_at: Date | string;
      database: string;
      search_path: string;
      now: Date | string;
      control: boolean;
    }>(
      "select current_setting('server_version') as version, pg_postmaster_start_time() as started_at, current_database() as database, current_setting('search_path') as search_path, now() as now, has_function_privilege('pg_catalog.pg_control_system()', 'execute') as control",
    );
    const [cluster] = server!.control
      ? await query<{ id: string }>("select system_identifier::text as id from pg_catalog.pg_control_system()")
      : [];
    const catalog = await readCatalog(query, server!.search_path);
    const stats = await readStatements(query);
    catalog.tracksNested = stats.track === "all";
    await resolveBodies(catalog);

    const usage: Usage = new Map();
    const statements: InspectedStatement[] = [];
    /** The queryids of the application's statements: those that name an object of its schema. */
    const application = new Set<string>();
    let unresolved = 0;
    let hidden = 0;
    for (const row of stats.rows) {
      if (row.query === "<insufficient privilege>") {
        hidden += 1;
        continue;
      }
      const r = resolveStatement(row.query, catalog);
      if (r.utility) continue;
      if (r.unknown.length || r.refs.some((ref) => !isExtensionObject(ref.object))) application.add(row.id);
      const calls = Number(row.calls);
      addUsage(usage, r.refs, calls);
      if (r.unknown.length) unresolved += 1;
      if (removed.length === 0) continue;
      const objects = namedRemoved(r.refs, removed);
      const mentions = objects.length === 0 && r.unknown.length > 0 && mentionsRemoved(row.query, removed);
      if (objects.length || mentions)
        statements.push({
          id: row.id,
          calls,
          text: row.query.slice(0, 2000),
          objects,
          ...(r.unknown.length ? { unknown: r.unknown.join("; ").slice(0, 500) } : {}),
        });
    }

    const workload = stats.available ? await readWorkload(query, stats.schema!, application) : null;

    const tables = new Set<string>();
    for (const s of contract?.statements ?? []) if (s.table && s.lock) tables.add(qualify(s.table));
    for (const o of removed) if (o.table || o.kind === "table") tables.add(qualify(o.table ?? o.name, o.schema));
    const touched = [...tables].slice(0, 500);
    const expand = await expandState(query, added);
    const tableRows = await tableSizes(query, touched);
    const sessions = await sessionsOn(query, touched, options.longSeconds ?? 5);
    // Last: each check sets its own statement timeout.
    const dataChecks = await runDataChecks(query, options.dataChecks ?? [], {
      timeoutMs: options.dataCheckTimeoutMs ?? 60_000,
      clock,
      describe: options.describe,
    });

    const summary: Inspection = {
      format: INSPECTION_FORMAT,
      ...(options.windowStart ? { window_start: true } : {}),
      server: {
        version: server!.version,
        started_at: iso(server!.started_at),
        database: server!.database,
        now: iso(server!.now),
        ...(cluster ? { system_identifier: cluster.id } : {}),
      },
      statistics: stats.available
        ? {
            available: true,
            track: stats.track,
            stats_reset: stats.statsReset,
            dealloc: stats.dealloc,
            statements: stats.rows.length,
            unresolved,
            ...(hidden ? { hidden } : {}),
          }
        : { available: false, reason: stats.reason, statements: 0, unresolved: 0 },
      ...(options.contract ? { contract_checksum: options.contract.checksum } : {}),
      ...(options.expand ? { expand_checksum: options.expand.checksum } : {}),
      statements: statements.slice(0, 500),
      usage: encodeUsage(usage),
      usage_complete: stats.available && hidden === 0,
      ...(workload
        ? {
            workload: workload.slice(0, MAX_WORKLOAD_STATEMENTS),
            workload_complete: hidden === 0 && workload.length <= MAX_WORKLOAD_STATEMENTS,
          }
        : {}),
      expand,
      tables: tableRows,
      sessions,
      duration_ms: 0,
      ...(options.dataChecks?.length ? { data_checks: dataChecks } : {}),
      ...(options.declaredChecks?.length ? { declared_checks: [...options.declaredChecks] } : {}),
    };
    summary.duration_ms = Math.round(clock() - started);
    return fit(summary, options.budgetBytes ?? 240 * 1024);
  } finally {
    await query("rollback").catch(() => undefined);
  }
}

/** Cuts what matters least until the summary fits the body limit: the workload's least-called
 * statements first, then usage, then flagged statements (and says so). */
export function fit(summary: Inspection, budget: number): Inspection {
  const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;
  const size = () => bytes(summary);
  if (size() <= budget) return summary;
  if (summary.workload?.length) {
    // Keeps the most-called prefix that fits: the rest of the summary, then each entry and its comma.
    const all = summary.workload;
    summary.workload = [];
    summary.workload_complete = false;
    let total = size();
    let kept = 0;
    for (const entry of all) {
      const grown = total + bytes(entry) + (kept ? 1 : 0);
      if (grown > budget) break;
      total = grown;
      kept += 1;
    }
    summary.workload = all.slice(0, kept);
    if (total <= budget) return summary;
  }
  summary.usage = {};
  summary.usage_complete = false;
  while (size() > budget && summary.statements.length > 0)
    summary.statements = summary.statements.slice(0, Math.floor(summary.statements.length / 2));
  return summary;
}

async function readCatalog(query: Query, searchPath: string): Promise<Catalog> {
  const rels = await query<{
    schema: string;
    name: string;
    kind: string;
    columns: string[] | string | null;
    definition: string | null;
  }>(
    `select n.nspname as schema, c.relname as name, c.relkind as kind,
            (select array_agg(a.attname::text order by a.attnum) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
            case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end as definition
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'`,
  );
  const functions = await query<{ schema: string; name: string; language: string; body: string | null }>(
    `select n.nspname as schema, p.proname as name, l.lanname as language, p.prosrc as body
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
      where n.nspname not in ('pg_catalog', 'information_schema') and l.lanname not in ('c', 'internal')`,
  );
  const types = await query<{ name: string }>(
    `select n.nspname || '.' || t.typname as name from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where t.typtype in ('e', 'd', 'r', 'm') and n.nspname not in ('pg_catalog', 'information_schema')`,
  );
  const relations = new Map<string, CatalogRelation & { definition?: string }>();
  for (const r of rels) {
    const kind = r.kind === "v" || r.kind === "m" ? "view" : "table";
    relations.set(`${r.schema}.${r.name}`.toLowerCase(), {
      schema: r.schema,
      name: r.name,
      kind,
      columns: pgArray(r.columns),
      ...(r.definition ? { definition: r.definition } : {}),
    });
  }
  const fns = new Map<string, CatalogFunction & { body?: string | null }>();
  for (const f of functions)
    fns.set(`${f.schema}.${f.name}`.toLowerCase(), {
      schema: f.schema,
      name: f.name,
      language: f.language,
      reads: null,
      body: f.language === "sql" ? f.body : null,
    });
  const path = searchPath
    .split(",")
    .map((s) => s.trim().replace(/^"|"$/g, ""))
    .filter((s) => s && s !== "$user");
  return {
    searchPath: path.length ? path : ["public"],
    relations,
    functions: fns,
    types: new Set(types.map((t) => t.name.toLowerCase())),
    tracksNested: false,
  };
}

/** Views read what their definitions name, SQL functions what their bodies name (two passes: views of views). */
async function resolveBodies(catalog: Catalog): Promise<void> {
  for (let pass = 0; pass < 2; pass += 1) {
    for (const rel of catalog.relations.values() as Iterable<CatalogRelation & { definition?: string }>) {
      if (rel.definition)
        rel.reads = resolveStatement(rel.definition, catalog).refs.map((r) => ({ ...r, mode: "read" as const }));
    }
  }
  for (const fn of catalog.functions.values() as Iterable<CatalogFunction & { body?: string | null }>) {
    if (fn.body) fn.reads = resolveStatement(fn.body, catalog).refs;
    else if (fn.language === "sql") fn.reads = [];
  }
}

/** The extension's own views and functions: what the inspection itself reads. */
function isExtensionObject(object: string): boolean {
  return /^[^.]+\.pg_stat_statements(_info)?(\.|$)/.test(object);
}

/**
 * The database's statements per queryid and role, most-called first: every one the application
 * ran (`application`: not utility, naming an object of its schema), which leaves out the
 * inspection's own catalog reads and any query of the system catalogs alone.
 */
async function readWorkload(query: Query, schema: string, application: Set<string>): Promise<WorkloadStatement[]> {
  const ns = `"${schema.replaceAll('"', '""')}"`;
  const rows = await query<{ id: string; role: string | null; calls: number | string; query: string }>(
    `select s.queryid::text as id, r.rolname::text as role, sum(s.calls)::bigint as calls, min(s.query) as query
       from ${ns}.pg_stat_statements(true) s left join pg_catalog.pg_roles r on r.oid = s.userid
      where s.dbid = (select oid from pg_database where datname = current_database()) and s.queryid is not null
      group by s.queryid, s.userid, r.rolname order by calls desc, id`,
  );
  return rows
    .filter((r) => application.has(r.id) && r.query !== "<insufficient privilege>" && r.query.length > 0)
    .map((r) => ({
      id: r.id,
      text: r.query.slice(0, 2000),
      calls: Number(r.calls),
      ...(r.role ? { role: r.role } : {}),
    }));
}

interface Statistics {
  available: boolean;
  /** The extension's schema. */
  schema?: string;
  reason?: string;
  track?: "none" | "top" | "all";
  statsReset: string | null;
  dealloc: number;
  rows: Array<{ id: string; calls: number | string; query: string }>;
}

async function readStatements(query: Query): Promise<Statistics> {
  const none = (reason: string): Statistics => ({ available: false, reason, statsReset: null, dealloc: 0, rows: [] });
  const [ext] = await query<{ schema: string | null; preload: string }>(
    "select (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_stat_statements') as schema, current_setting('shared_preload_libraries') as preload",
  );
  if (!ext?.preload.split(",").some((l) => l.trim() === "pg_stat_statements"))
    return none(`pg_stat_statements is not loaded: ${ENABLE}.`);
  if (!ext.schema)
    return none(
      `pg_stat_statements is loaded but not installed in this database: run CREATE EXTENSION pg_stat_statements (or ${ENABLE}).`,
    );
  const ns = `"${ext.schema.replaceAll('"', '""')}"`;
  const [setting] = await query<{ track: string | null }>(
    "select current_setting('pg_stat_statements.track', true) as track",
  );
  const [info] = await query<{ dealloc: number | string; stats_reset: Date | string | null }>(
    `select dealloc, stats_reset from ${ns}.pg_stat_statements_info`,
  );
  const rows = await query<{ id: string; calls: number | string; query: string }>(
    `select queryid::text as id, sum(calls)::bigint as calls, min(query) as query from ${ns}.pg_stat_statements(true)
      where dbid = (select oid from pg_database where datname = current_database()) and queryid is not null group by queryid`,
  );
  const track = (setting?.track ?? "top") as Statistics["track"];
  return {
    available: true,
    schema: ext.schema,
    track,
    statsReset: info?.stats_reset ? iso(info.stats_reset) : null,
    dealloc: Number(info?.dealloc ?? 0),
    rows,
  };
}

async function expandState(query: Query, added: AddedObject[]): Promise<Inspection["expand"]> {
  const out: Inspection["expand"] = [];
  for (const o of added.slice(0, 500)) {
    if (o.kind === "column") {
      const parts = o.name.split(".");
      const [row] = await query<{ type: string }>(
        "select format_type(a.atttypid, a.atttypmod) as type from pg_attribute a where a.attrelid = to_regclass($1) and a.attname = $2 and not a.attisdropped",
        [parts.slice(0, -1).join("."), parts.at(-1)],
      );
      if (!row) out.push({ kind: "column", name: o.name, ...(o.type ? { expected: o.type } : {}), state: "missing" });
      else if (o.type && normaliseType(row.type) !== normaliseType(o.type))
        out.push({ kind: "column", name: o.name, expected: o.type, state: "different", actual: row.type });
      else out.push({ kind: "column", name: o.name, ...(o.type ? { expected: o.type } : {}), state: "present" });
      continue;
    }
    const lookup: Record<string, string> = {
      table: "select to_regclass($1) is not null as ok",
      view: "select to_regclass($1) is not null as ok",
      index: "select to_regclass($1) is not null as ok",
      sequence: "select to_regclass($1) is not null as ok",
      type: "select to_regtype($1) is not null as ok",
      function:
        "select exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname || '.' || p.proname = $1) as ok",
      constraint:
        "select exists (select 1 from pg_constraint c where c.conrelid = to_regclass(substring($1 from '^(.*)\\.[^.]*$')) and c.conname = substring($1 from '[^.]*$')) as ok",
    };
    const [row] = await query<{ ok: boolean }>(lookup[o.kind]!, [o.name]);
    out.push({ kind: o.kind, name: o.name, state: row?.ok ? "present" : "missing" });
  }
  return out;
}

async function tableSizes(query: Query, tables: string[]): Promise<Inspection["tables"]> {
  if (tables.length === 0) return [];
  const rows = await query<{ name: string; bytes: number | string; rows: number | string }>(
    `select n.nspname || '.' || c.relname as name, pg_total_relation_size(c.oid) as bytes, c.reltuples::float8 as rows
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = any (select to_regclass(t) from unnest($1::text[]) t)`,
    [tables],
  );
  return rows.map((r) => ({
    name: r.name,
    bytes: Number(r.bytes),
    rows: Number(r.rows) < 0 ? null : Math.round(Number(r.rows)),
  }));
}

/** Sessions that would block (or queue behind) the contract's locks: waiting, idle in a transaction, or long-running. */
async function sessionsOn(query: Query, tables: string[], longSeconds: number): Promise<Inspection["sessions"]> {
  if (tables.length === 0) return [];
  const rows = await query<{
    pid: number;
    state: string | null;
    mode: string;
    granted: boolean;
    xact_seconds: number | null;
    application: string | null;
    name: string;
  }>(
    `select a.pid, a.state, l.mode, l.granted, extract(epoch from now() - a.xact_start)::float8 as xact_seconds, a.application_name as application, n.nspname || '.' || c.relname as name
       from pg_locks l join pg_stat_activity a on a.pid = l.pid join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
      where l.locktype = 'relation' and l.relation = any (select to_regclass(t) from unnest($1::text[]) t) and a.pid <> pg_backend_pid()
        and (not l.granted or a.state like 'idle in transaction%' or now() - a.xact_start > make_interval(secs => $2))
      order by a.xact_start limit 500`,
    [tables, longSeconds],
  );
  return rows.map((r) => ({
    pid: r.pid,
    state: r.state ?? "unknown",
    table: r.name,
    mode: r.mode,
    granted: r.granted,
    xact_seconds: r.xact_seconds === null ? null : Math.round(Number(r.xact_seconds) * 10) / 10,
    ...(r.application ? { application: r.application.slice(0, 100) } : {}),
  }));
}

/** The removed objects a statement's references name. */
function namedRemoved(refs: Reference[], removed: RemovedObject[]): string[] {
  const out = new Set<string>();
  for (const o of removed) {
    const schema = (o.schema ?? "public").toLowerCase();
    const name = o.name.toLowerCase();
    for (const ref of refs) {
      const obj = ref.object.toLowerCase();
      const hit =
        o.kind === "column"
          ? ref.kind === "column" && obj === `${schema}.${(o.table ?? "").toLowerCase()}.${name}`
          : o.kind === "table" || o.kind === "view"
            ? (ref.kind === "table" || ref.kind === "column") &&
              (obj === `${schema}.${name}` || obj.startsWith(`${schema}.${name}.`))
            : o.kind === "type"
              ? ref.kind === "type" && obj === `${schema}.${name}`
              : o.kind === "schema"
                ? obj.startsWith(`${name}.`)
                : false;
      if (hit) out.add(o.kind === "column" ? `${schema}.${o.table}.${o.name}` : `${schema}.${o.name}`);
    }
  }
  return [...out];
}

function mentionsRemoved(text: string, removed: RemovedObject[]): boolean {
  const words = new Set(text.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) ?? []);
  return removed.some((o) => words.has(o.name.toLowerCase()));
}

function qualify(table: string, schema?: string): string {
  const t = table.toLowerCase();
  return t.includes(".") ? t : `${(schema ?? "public").toLowerCase()}.${t}`;
}

function pgArray(value: string[] | string | null): string[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string")
    return value
      .replace(/^\{|\}$/g, "")
      .split(",")
      .filter(Boolean)
      .map((s) => s.replace(/^"|"$/g, ""));
  return [];
}

function normaliseType(t: string): string {
  return t
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/\s*,\s*/g, ",");
}

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
