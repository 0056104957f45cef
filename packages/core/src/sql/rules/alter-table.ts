import type { FileState, Node, RawFinding } from "../types.ts";
import { display, rangeVar, tableKey } from "./names.ts";

// ALTER TABLE: one statement, many sub-commands, each judged on its own.

const VOLATILE = new Set(["random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v4", "clock_timestamp", "timeofday", "nextval", "txid_current"]);

export function alterTable(stmt: Node, state: FileState): RawFinding[] {
  const table = rangeVar(stmt.relation);
  const fresh = state.createdTables.has(tableKey(table));
  const out: RawFinding[] = [];
  for (const item of (stmt.cmds as Node[]) ?? []) {
    const cmd = item.AlterTableCmd as Node | undefined;
    if (cmd) out.push(...command(cmd, table, fresh));
  }
  return out;
}

function command(cmd: Node, table: { schema?: string; name: string }, fresh: boolean): RawFinding[] {
  const column = cmd.name as string | undefined;
  const where = display(table, column);
  switch (cmd.subtype) {
    case "AT_DropColumn":
      return [
        {
          rule: "drop-column",
          category: "contract",
          message: `Drops column ${where}: an app version that still reads or writes it breaks, and an app rollback no longer helps.`,
          suggestion: `Ship an app version that no longer uses ${where}, wait out the rollback window, then drop it in a contract script.`,
          object: { kind: "column", ...table, table: table.name, name: column!, change: "dropped" },
        },
        ...(cmd.missing_ok ? [] : [notIdempotent("drop-without-if-exists", `DROP COLUMN ${column} fails when run a second time.`, "Write DROP COLUMN IF EXISTS.")]),
      ];
    case "AT_AlterColumnType":
      return [
        {
          rule: "change-column-type",
          category: "contract",
          message: `Changes the type of ${where}: older app versions may read or write values of the old type, and the table is usually rewritten under an exclusive lock.`,
          suggestion: "Add a new column of the new type, backfill it in batches, move the app to it, and drop the old column in a contract script.",
          object: { kind: "column", ...table, table: table.name, name: column!, change: "type_changed" },
        },
      ];
    case "AT_SetNotNull":
      return [
        {
          rule: "set-not-null",
          category: "contract",
          message: `Makes ${where} NOT NULL: older app versions that insert without it fail, and the check scans the table under an exclusive lock.`,
          suggestion: `Add CHECK (${column} IS NOT NULL) NOT VALID, VALIDATE it separately, then SET NOT NULL in a contract script once no older version can write nulls.`,
          object: { kind: "column", ...table, table: table.name, name: column!, change: "not_null" },
        },
      ];
    case "AT_DropConstraint":
      return [
        { rule: "drop-constraint", category: "contract", message: `Drops constraint ${cmd.name} on ${display(table)}: older app versions may rely on the guarantee it gave.`, suggestion: "Drop or replace constraints in a contract script after the rollback window." },
        ...(cmd.missing_ok ? [] : [notIdempotent("drop-without-if-exists", `DROP CONSTRAINT ${cmd.name} fails when run a second time.`, "Write DROP CONSTRAINT IF EXISTS.")]),
      ];
    case "AT_AddColumn":
      return addColumn(cmd, table, fresh);
    case "AT_AddConstraint":
      return fresh ? [] : addConstraint(cmd.def?.Constraint ?? {}, table);
    default:
      return [];
  }
}

function addColumn(cmd: Node, table: { schema?: string; name: string }, fresh: boolean): RawFinding[] {
  const def = cmd.def?.ColumnDef ?? {};
  const where = display(table, def.colname);
  const constraints: Node[] = ((def.constraints as Node[]) ?? []).map((c) => c.Constraint ?? {});
  const out: RawFinding[] = [];
  const notNull = constraints.some((c) => c.contype === "CONSTR_NOTNULL");
  const fallback = constraints.find((c) => c.contype === "CONSTR_DEFAULT");
  if (notNull && !fallback && !fresh)
    out.push({
      rule: "add-column-not-null-without-default",
      category: "contract",
      message: `Adds ${where} as NOT NULL without a default: it fails on a table with rows, and older app versions that insert without it break.`,
      suggestion: "Add the column nullable (or with a constant default), backfill, then enforce NOT NULL in a later contract script.",
    });
  const volatileCall = fallback?.raw_expr?.FuncCall?.funcname?.at(-1)?.String?.sval as string | undefined;
  if (volatileCall && VOLATILE.has(volatileCall.toLowerCase()) && !fresh)
    out.push({
      rule: "volatile-default",
      category: "locking",
      message: `Adds ${where} with the volatile default ${volatileCall}(): PostgreSQL rewrites the whole table under an exclusive lock.`,
      suggestion: "Add the column without a default (or with a constant one), then backfill in batches and set the default for new rows.",
    });
  if (constraints.some((c) => c.contype === "CONSTR_GENERATED") && !fresh)
    out.push({ rule: "stored-generated-column", category: "locking", message: `Adds the stored generated column ${where}: the whole table is rewritten under an exclusive lock.`, suggestion: "Add a plain column, backfill it in batches and keep it up to date with a trigger, or compute it in a view." });
  if (!cmd.missing_ok) out.push(notIdempotent("add-column-without-if-not-exists", `ADD COLUMN ${def.colname} fails when run a second time.`, "Write ADD COLUMN IF NOT EXISTS."));
  return out;
}

function addConstraint(c: Node, table: { schema?: string; name: string }): RawFinding[] {
  const name = c.conname ? `${c.conname} ` : "";
  const where = display(table);
  switch (c.contype) {
    case "CONSTR_FOREIGN":
      return c.skip_validation ? [] : [locking("add-foreign-key-without-not-valid", `Adds foreign key ${name}on ${where} and validates it at once: both tables are locked while every row is checked.`, "Add it with NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a separate statement.")];
    case "CONSTR_CHECK":
      return c.skip_validation ? [] : [locking("add-check-without-not-valid", `Adds check constraint ${name}on ${where} and validates it at once: writes are blocked while every row is checked.`, "Add it with NOT VALID, then VALIDATE CONSTRAINT separately.")];
    case "CONSTR_UNIQUE":
      return c.indexname ? [] : [locking("add-unique-without-using-index", `Adds unique constraint ${name}on ${where} by building an index under an exclusive lock.`, "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … UNIQUE USING INDEX.")];
    case "CONSTR_PRIMARY":
      return c.indexname ? [] : [locking("add-primary-key", `Adds a primary key on ${where} in place: the index is built and NOT NULL checked under an exclusive lock.`, "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD PRIMARY KEY USING INDEX.")];
    default:
      return [];
  }
}

function locking(rule: string, message: string, suggestion: string): RawFinding {
  return { rule, category: "locking", message, suggestion };
}

function notIdempotent(rule: string, message: string, suggestion: string): RawFinding {
  return { rule, category: "non_idempotent", message, suggestion };
}
