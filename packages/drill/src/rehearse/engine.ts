import type { PGlite } from "@electric-sql/pglite";
import type { RehearsalReport, RehearsalStatement, StatementRehearsal, StepError } from "@rollgate/core/rehearsal";
import { loadSqlParser } from "@rollgate/core/sql";
import { freshDrillDatabase } from "../template.ts";
import { type RehearsalInput, type RehearsalOptions } from "./input.ts";
import { bindMessage, executeMessage, parseMessage, prepareMany, queryMessage, send, syncMessage } from "./protocol.ts";
import {
  applyScript,
  cleanDump,
  createRoles,
  extensionsOf,
  loadExtensions,
  rolesOf,
  splitScript,
  UNDEFINED_SQLSTATES,
  type Script,
  type Skipped,
} from "./script.ts";
import { shapeOf, type StatementShape } from "./statement.ts";
import { Catalog, type Profile, type Table } from "./values.ts";

type Failure = StepError & { step: "prepare" | "execute" };

interface Attempt {
  failure: Failure | null;
  /** The values a write ran with after expand, reused after the contract. */
  values?: Array<string | null>;
  profile?: Profile;
}

/** Rehearses `input.statements` after expand, then after the contract. Throws RehearsalInputError on bad input. */
export async function rehearse(input: RehearsalInput, options: RehearsalOptions = {}): Promise<RehearsalReport> {
  const started = performance.now();
  const { signal } = options;
  await loadSqlParser();

  const before: Script[] =
    "dump" in input.before
      ? [splitScript("the schema dump", cleanDump(input.before.dump))]
      : input.before.migrations.map((m) => splitScript(m.name, m.sql));
  const expand = splitScript("the expand script", input.expand);
  const contract = splitScript("the contract", input.contract);
  const scripts = [...before, expand, contract];
  const { available, missing } = extensionsOf(scripts);
  const missingSet = new Set(missing);
  signal?.throwIfAborted();

  const db = await freshDrillDatabase({ extensions: (await loadExtensions(available)) as never });
  try {
    await createRoles(db, rolesOf(scripts));
    const skippedBefore: Skipped[] = [];
    for (const script of before) skippedBefore.push(...(await applyScript(db, script, missingSet)));
    // A dump empties the search path and sets session options; the statements run with the defaults.
    await db.exec("RESET ALL");
    skippedBefore.push(...(await applyScript(db, relabel(expand), missingSet)));
    await db.exec("RESET ALL");
    signal?.throwIfAborted();

    const shapes = input.statements.map((s) => shapeOf(s.text));
    const expandCatalog = new Catalog(db, enumLabelsRemovedBy(contract));
    const texts = input.statements.map((s) => s.text);
    const preparedAfterExpand = await prepareMany(db, texts);
    const afterExpand: Attempt[] = [];
    for (const [i, statement] of input.statements.entries()) {
      signal?.throwIfAborted();
      afterExpand.push(await attemptAfterExpand(db, expandCatalog, statement, shapes[i]!, preparedAfterExpand[i]!));
    }

    const skippedContract = await applyScript(db, relabel(contract), missingSet);
    await db.exec("RESET ALL");
    const contractCatalog = new Catalog(db);
    const preparedAfterContract = await prepareMany(db, texts);
    const results: StatementRehearsal[] = [];
    for (const [i, statement] of input.statements.entries()) {
      signal?.throwIfAborted();
      const shape = shapes[i]!;
      const first = afterExpand[i]!;
      const base = { statement, write: shape.write, afterExpand: first.failure };
      if (first.failure) {
        const unverifiable =
          missing.length > 0 && first.failure.sqlstate !== undefined && UNDEFINED_SQLSTATES.has(first.failure.sqlstate)
            ? `fails after expand (${first.failure.message}) while the schema needs ${list(missing)}, which PGlite does not ship`
            : null;
        results.push(
          unverifiable
            ? { ...base, outcome: "unverifiable", afterContract: null, unverifiable }
            : { ...base, outcome: "noise", afterContract: null },
        );
        continue;
      }
      const failure = await attemptAfterContract(
        db,
        contractCatalog,
        statement.text,
        shape,
        first,
        preparedAfterContract[i]!,
      );
      if (failure) results.push({ ...base, outcome: "proof", afterContract: failure });
      else if (skippedContract.length > 0) {
        const s = skippedContract[0]!;
        results.push({
          ...base,
          outcome: "unverifiable",
          afterContract: null,
          unverifiable: `the contract's line ${s.line} could not be applied here (${s.error}; needs ${list(missing)}, which PGlite does not ship)`,
        });
      } else results.push({ ...base, outcome: "passed", afterContract: null });
    }
    return { missingExtensions: missing, statements: results, durationMs: Math.round(performance.now() - started) };
  } finally {
    await db.close();
  }
}

const list = (names: string[]) => names.join(", ");

/** Errors while applying expand or the contract say which script failed to apply. */
function relabel(script: Script): Script {
  return { ...script, label: `${script.label} does not apply` };
}

/** Enum labels the contract drops, by type name: a CREATE TYPE … AS ENUM that recreates a type
 * without some of its labels, an ALTER TYPE … RENAME VALUE. A write binds one of them when the
 * type after expand has it, so that the removal is put to the test. */
function enumLabelsRemovedBy(contract: Script): (typeName: string, label: string) => boolean {
  const kept = new Map<string, Set<string>>();
  const renamed = new Set<string>();
  const nameOf = (typeName: unknown) => {
    const parts = (typeName as Array<{ String?: { sval?: string } }> | undefined) ?? [];
    return parts[parts.length - 1]?.String?.sval ?? "";
  };
  for (const s of contract.statements) {
    if (s.type === "CreateEnumStmt") {
      const vals = (s.node.vals as Array<{ String?: { sval?: string } }> | undefined) ?? [];
      kept.set(nameOf(s.node.typeName), new Set(vals.map((v) => v.String?.sval ?? "")));
    }
    if (s.type === "AlterEnumStmt" && typeof s.node.oldVal === "string")
      renamed.add(`${nameOf(s.node.typeName)}\u0000${s.node.oldVal}`);
  }
  return (typeName, label) =>
    renamed.has(`${typeName}\u0000${label}`) || (kept.has(typeName) && !kept.get(typeName)!.has(label));
}

type Prepared = Awaited<ReturnType<typeof prepareMany>>[number];
const prepared = ({ error, parameterTypes }: Prepared) => ({
  failure: error ? ({ ...error, step: "prepare" } as Failure) : null,
  types: parameterTypes,
});

async function attemptAfterExpand(
  db: PGlite,
  catalog: Catalog,
  statement: RehearsalStatement,
  shape: StatementShape,
  answer: Prepared,
): Promise<Attempt> {
  const { failure: prepareFailure, types } = prepared(answer);
  if (prepareFailure) return { failure: prepareFailure };
  // A read is bound only with the application's own values: a shaped value in a read (the enum
  // label the contract drops, say) would be a guess about what the application looks up, and a
  // guess is no proof. A write's shaped values are what it would store.
  if (!shape.write && (types.length === 0 || !statement.params)) return { failure: null };
  const tries: Array<{ profile: Profile; values: Array<string | null> | null }> = statement.params
    ? [{ profile: "plain", values: statement.params }]
    : [
        { profile: "wide", values: null },
        { profile: "plain", values: null },
      ];
  let failure: Failure | null = null;
  for (const attempt of tries) {
    const values = attempt.values ?? (await valuesFor(catalog, shape, types, attempt.profile));
    failure = shape.write
      ? await execute(db, statement.text, values, await seedsFor(db, catalog, shape, attempt.profile))
      : await bind(db, statement.text, values);
    if (!failure) return { failure: null, values, profile: attempt.profile };
  }
  // A read whose parameters no shape binds is still rehearsed: prepared, as it was.
  return shape.write ? { failure } : { failure: null };
}

async function attemptAfterContract(
  db: PGlite,
  catalog: Catalog,
  text: string,
  shape: StatementShape,
  first: Attempt,
  answer: Prepared,
): Promise<Failure | null> {
  const { failure } = prepared(answer);
  if (failure) return failure;
  if (!first.values) return null;
  if (!shape.write) return bind(db, text, first.values);
  return execute(db, text, first.values, await seedsFor(db, catalog, shape, first.profile ?? "plain"));
}

/** A read is not executed, but its values are bound: an enum label the contract removes fails there. */
async function bind(db: PGlite, text: string, values: Array<string | null>): Promise<Failure | null> {
  const { error } = await send(db, [parseMessage(text), bindMessage(values), syncMessage()]);
  return error ? { ...error, step: "execute" } : null;
}

/** Executes a write in a transaction that is rolled back, after its seed rows. */
async function execute(
  db: PGlite,
  text: string,
  values: Array<string | null>,
  seeds: string[],
): Promise<Failure | null> {
  const messages = [
    queryMessage(
      seeds.length > 0
        ? `BEGIN; SET CONSTRAINTS ALL IMMEDIATE; SET LOCAL session_replication_role = replica; ${seeds.join("; ")}; SET LOCAL session_replication_role = origin`
        : "BEGIN; SET CONSTRAINTS ALL IMMEDIATE",
    ),
  ];
  messages.push(parseMessage(text), bindMessage(values), executeMessage(), syncMessage(), queryMessage("ROLLBACK"));
  const { error } = await send(db, messages);
  return error ? { ...error, step: "execute" } : null;
}

/** A value for every parameter: shaped like the column it goes into when the parse tree says so, else like its type. */
async function valuesFor(
  catalog: Catalog,
  shape: StatementShape,
  types: number[],
  profile: Profile,
): Promise<Array<string | null>> {
  const table = shape.target ? await catalog.table(shape.target.schema, shape.target.name) : null;
  const values: Array<string | null> = [];
  for (const [i, oid] of types.entries()) {
    const target = shape.params.get(i + 1);
    const column =
      target && table
        ? typeof target.column === "number"
          ? table.columns[target.column]
          : table.columns.find((c) => c.name === target.column)
        : undefined;
    let value: string | null = null;
    if (column && !target!.array && (await fits(catalog, column.type, oid)))
      value = await catalog.value(column.type, column.typmod, profile);
    else if (column && target!.array && (await catalog.type(oid))?.elem === column.type) {
      const elem = await catalog.value(column.type, column.typmod, profile);
      value = elem === null ? null : `{"${elem.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"}`;
    }
    values.push(value ?? (await catalog.value(oid, -1, profile)));
  }
  return values;
}

/** Whether a value of the column's type can be bound to the parameter's: the same category, or
 * an enum's label as text (`CAST($1::text AS "Role")`). */
async function fits(catalog: Catalog, column: number, param: number): Promise<boolean> {
  if (column === param) return true;
  const [x, y] = [await catalog.type(column), await catalog.type(param)];
  if (!x || !y) return false;
  if (x.typtype === "e") return y.category === "S";
  return x.category === y.category && y.typtype !== "e";
}

const seedCache = new WeakMap<Catalog, Map<string, string[]>>();
const rowCache = new WeakMap<Catalog, Map<string, string | null>>();

/**
 * Rows inserted before a write so that it has something to touch: one in each table its
 * target's foreign keys reference, and for an UPDATE/DELETE/MERGE one in the target itself. Every
 * column gets the value of its type, the same value a parameter of that type gets, so that
 * `WHERE id = $1` finds the row and a foreign key finds its parent. A seed row PostgreSQL
 * refuses (a CHECK the shapes fail) is left out; each table's row is tried once per phase
 * (seeds go in without foreign-key checks, so one table's row never depends on another's).
 */
async function seedsFor(db: PGlite, catalog: Catalog, shape: StatementShape, profile: Profile): Promise<string[]> {
  if (!shape.target) return [];
  const table = await catalog.table(shape.target.schema, shape.target.name);
  if (!table || (table.kind !== "r" && table.kind !== "p")) return [];
  const key = `${table.oid}:${shape.insert}:${profile}`;
  let cache = seedCache.get(catalog);
  if (!cache) seedCache.set(catalog, (cache = new Map()));
  const cached = cache.get(key);
  if (cached) return cached;

  // Seeds go in without foreign-key checks, so only the statement's own checks need parents:
  // the tables the target references directly (none for a DELETE).
  const order: Table[] = [];
  if (!shape.delete) for (const p of table.parents) order.push(await catalog.tableByOid(p));
  order.push(table);
  const seeds: string[] = [];
  for (const t of order) {
    if (t.oid === table.oid && shape.insert) continue;
    const row = await acceptedSeedRow(db, catalog, t, profile);
    if (row) seeds.push(row);
  }
  cache.set(key, seeds);
  return seeds;
}

async function acceptedSeedRow(db: PGlite, catalog: Catalog, table: Table, profile: Profile): Promise<string | null> {
  let cache = rowCache.get(catalog);
  if (!cache) rowCache.set(catalog, (cache = new Map()));
  const key = `${table.oid}:${profile}`;
  if (cache.has(key)) return cache.get(key)!;
  let row = await seedRow(catalog, table, profile);
  if (row) {
    const { error } = await send(db, [
      queryMessage(`BEGIN; SET LOCAL session_replication_role = replica; ${row}`),
      queryMessage("ROLLBACK"),
    ]);
    if (error) row = null;
  }
  cache.set(key, row);
  return row;
}

const literal = (v: string | null) => (v === null ? "DEFAULT" : `'${v.replaceAll("'", "''")}'`);
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

async function seedRow(catalog: Catalog, table: Table, profile: Profile): Promise<string | null> {
  const columns = table.columns.filter((c) => !c.generated);
  if (columns.length === 0) return null;
  const values: string[] = [];
  for (const c of columns) values.push(literal(await catalog.value(c.type, c.typmod, profile)));
  return `INSERT INTO ${table.sql} (${columns.map((c) => ident(c.name)).join(", ")}) OVERRIDING SYSTEM VALUE VALUES (${values.join(", ")})`;
}
