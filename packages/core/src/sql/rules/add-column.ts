import type { Node, QualifiedName, RawFinding } from "../types.ts";
import { display } from "./names.ts";

// ADD COLUMN and ADD CONSTRAINT: additive, so safe for older app versions, unless PostgreSQL
// has to rewrite, scan or index the whole table to do it.

const VOLATILE = new Set([
  "random",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v4",
  "uuidv4",
  "uuidv7",
  "clock_timestamp",
  "timeofday",
  "nextval",
  "txid_current",
]);
const SERIAL = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);

const constraintsOf = (def: Node): Node[] => ((def.constraints as Node[]) ?? []).map((c) => c.Constraint ?? {});

/** Why adding this column rewrites the table, or null: fast defaults (PostgreSQL ≥ 11) need a constant. */
export function addColumnRewrite(cmd: Node): string | null {
  const def = cmd.def?.ColumnDef ?? {};
  if (!def.constraints && !def.typeName?.names?.at(-1)?.String?.sval?.includes("serial")) return null;
  const type = (def.typeName?.names as Node[] | undefined)?.at(-1)?.String?.sval as string | undefined;
  if (type && SERIAL.has(type.toLowerCase())) return `the ${type} default nextval()`;
  for (const c of constraintsOf(def)) {
    if (c.contype === "CONSTR_IDENTITY") return "the identity column's values";
    if (c.contype === "CONSTR_GENERATED") return "the stored generated column";
    const call =
      c.contype === "CONSTR_DEFAULT"
        ? (c.raw_expr?.FuncCall?.funcname?.at(-1)?.String?.sval as string | undefined)
        : undefined;
    if (call && VOLATILE.has(call.toLowerCase())) return `the volatile default ${call}()`;
  }
  return null;
}

export function addColumn(cmd: Node, table: QualifiedName, fresh: boolean, idempotencyApplies: boolean): RawFinding[] {
  const def = cmd.def?.ColumnDef ?? {};
  const where = display(table, def.colname);
  const constraints = constraintsOf(def);
  const out: RawFinding[] = [];
  if (!fresh) {
    if (
      constraints.some((c) => c.contype === "CONSTR_NOTNULL") &&
      !constraints.some((c) => c.contype === "CONSTR_DEFAULT" || c.contype === "CONSTR_IDENTITY")
    )
      out.push({
        rule: "add-column-not-null-without-default",
        category: "contract",
        message: `Adds ${where} as NOT NULL without a default: it fails on a table with rows, and older app versions that insert without it break.`,
        suggestion:
          "Add the column nullable (or with a constant default), backfill, then enforce NOT NULL in a later contract script.",
      });
    const rewrite = addColumnRewrite(cmd);
    if (rewrite?.startsWith("the stored"))
      out.push(
        locking(
          "stored-generated-column",
          `Adds the stored generated column ${where}: the whole table is rewritten under an exclusive lock.`,
          "Add a plain column, backfill it in batches and keep it up to date with a trigger, or compute it in a view.",
        ),
      );
    else if (rewrite)
      out.push(
        locking(
          "volatile-default",
          `Adds ${where} with ${rewrite}: PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock to fill it.`,
          "Add the column without a default (or with a constant one), backfill in batches, then set the default for new rows.",
        ),
      );
    for (const c of constraints) out.push(...inlineConstraint(c, where));
  }
  if (!cmd.missing_ok && idempotencyApplies)
    out.push({
      rule: "add-column-without-if-not-exists",
      category: "non_idempotent",
      message: `ADD COLUMN ${def.colname} fails when run a second time.`,
      suggestion: "Write ADD COLUMN IF NOT EXISTS.",
    });
  return out;
}

/** A constraint written on the new column is checked (or indexed) against every existing row. */
function inlineConstraint(c: Node, where: string): RawFinding[] {
  switch (c.contype) {
    case "CONSTR_UNIQUE":
    case "CONSTR_PRIMARY":
      return [
        locking(
          c.contype === "CONSTR_UNIQUE" ? "add-unique-without-using-index" : "add-primary-key",
          `Adds ${where} with an inline ${c.contype === "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY"}: the index is built under an ACCESS EXCLUSIVE lock.`,
          "Add the column plain, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX.",
        ),
      ];
    case "CONSTR_CHECK":
      return [
        locking(
          "add-check-without-not-valid",
          `Adds ${where} with an inline CHECK: every row is checked under an ACCESS EXCLUSIVE lock.`,
          "Add the column plain, then ADD CONSTRAINT … CHECK … NOT VALID and VALIDATE it separately.",
        ),
      ];
    case "CONSTR_FOREIGN":
      return [
        locking(
          "add-foreign-key-without-not-valid",
          `Adds ${where} with an inline REFERENCES: the foreign key is validated at once, locking both tables.`,
          "Add the column plain, then ADD CONSTRAINT … FOREIGN KEY … NOT VALID and VALIDATE it separately.",
        ),
      ];
    default:
      return [];
  }
}

export function addConstraint(c: Node, table: QualifiedName): RawFinding[] {
  const name = c.conname ? `${c.conname} ` : "";
  const where = display(table);
  switch (c.contype) {
    case "CONSTR_FOREIGN":
      return c.skip_validation
        ? []
        : [
            locking(
              "add-foreign-key-without-not-valid",
              `Adds foreign key ${name}on ${where} and validates it at once: both tables are locked while every row is checked.`,
              "Add it with NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a separate statement.",
            ),
          ];
    case "CONSTR_CHECK":
      return c.skip_validation
        ? []
        : [
            locking(
              "add-check-without-not-valid",
              `Adds check constraint ${name}on ${where} and validates it at once: writes are blocked while every row is checked.`,
              "Add it with NOT VALID, then VALIDATE CONSTRAINT separately.",
            ),
          ];
    case "CONSTR_UNIQUE":
      return c.indexname
        ? []
        : [
            locking(
              "add-unique-without-using-index",
              `Adds unique constraint ${name}on ${where} by building an index under an exclusive lock.`,
              "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … UNIQUE USING INDEX.",
            ),
          ];
    case "CONSTR_PRIMARY":
      return c.indexname
        ? []
        : [
            locking(
              "add-primary-key",
              `Adds a primary key on ${where} in place: the index is built and NOT NULL checked under an exclusive lock.`,
              "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD PRIMARY KEY USING INDEX.",
            ),
          ];
    case "CONSTR_EXCLUSION":
      return [
        locking(
          "add-exclusion-constraint",
          `Adds exclusion constraint ${name}on ${where}: its index is built under an ACCESS EXCLUSIVE lock, and there is no USING INDEX way round it.`,
          "Add it while the table is small, or in a maintenance window, in a script of its own.",
        ),
      ];
    case "CONSTR_NOTNULL":
      return c.skip_validation
        ? []
        : [
            {
              rule: "set-not-null",
              category: "contract",
              message: `Adds NOT NULL constraint ${name}on ${where}: older app versions that insert without the column fail, and every row is checked under an exclusive lock.`,
              suggestion:
                "Add it NOT VALID (PostgreSQL ≥ 18) or as a CHECK … NOT VALID, validate separately, and enforce it in a contract script.",
            },
          ];
    default:
      return [];
  }
}

function locking(rule: string, message: string, suggestion: string): RawFinding {
  return { rule, category: "locking", message, suggestion };
}
