import { parseSync } from "libpg-query";
import { loadSqlParser } from "./analyse.ts";
import type { Node } from "./types.ts";

// The objects an expand script adds, for "expand is live": the inspection checks each exists
// in the live catalog, and a column with the type PostgreSQL's `format_type` would print.

export interface AddedObject {
  kind: "table" | "column" | "index" | "view" | "type" | "function" | "sequence" | "constraint";
  /** `schema.name`, `schema.table.column` for a column, `schema.table.constraint` for a constraint. */
  name: string;
  /** For columns: the declared type as `format_type` prints it (`character varying(20)`, `bigint[]`). */
  type?: string;
}

export async function addedObjects(sql: string): Promise<AddedObject[]> {
  await loadSqlParser();
  return addedObjectsSync(sql);
}

/** What CREATE and ALTER … ADD statements create; a script that does not parse adds nothing known. */
export function addedObjectsSync(sql: string): AddedObject[] {
  let stmts: Node[];
  try {
    stmts = parseSync(sql).stmts ?? [];
  } catch {
    return [];
  }
  const out: AddedObject[] = [];
  const add = (o: AddedObject) => {
    if (!out.some((x) => x.kind === o.kind && x.name === o.name)) out.push(o);
  };
  for (const raw of stmts) {
    const type = Object.keys(raw.stmt as Node)[0]!;
    const n = (raw.stmt as Node)[type] as Node;
    switch (type) {
      case "CreateStmt": {
        const table = qualified(n.relation);
        add({ kind: "table", name: table });
        for (const e of (n.tableElts as Node[] | undefined) ?? [])
          if (e.ColumnDef) add(column(table, e.ColumnDef as Node));
        break;
      }
      case "AlterTableStmt": {
        const table = qualified(n.relation);
        for (const c of (n.cmds as Node[] | undefined) ?? []) {
          const cmd = c.AlterTableCmd as Node;
          if (cmd.subtype === "AT_AddColumn" && cmd.def?.ColumnDef) add(column(table, cmd.def.ColumnDef as Node));
          if (cmd.subtype === "AT_AddConstraint" && cmd.def?.Constraint?.conname)
            add({ kind: "constraint", name: `${table}.${cmd.def.Constraint.conname as string}` });
        }
        break;
      }
      case "IndexStmt":
        if (n.idxname)
          add({
            kind: "index",
            name: `${(n.relation?.schemaname as string | undefined) ?? "public"}.${n.idxname as string}`.toLowerCase(),
          });
        break;
      case "ViewStmt":
        add({ kind: "view", name: qualified(n.view) });
        break;
      case "CreateTableAsStmt":
        add({ kind: n.objtype === "OBJECT_MATVIEW" ? "view" : "table", name: qualified(n.into?.rel) });
        break;
      case "CreateSeqStmt":
        add({ kind: "sequence", name: qualified(n.sequence) });
        break;
      case "CreateEnumStmt":
      case "CompositeTypeStmt":
      case "CreateRangeStmt":
      case "CreateDomainStmt": {
        const names = ((n.typeName ?? n.typevar ?? n.domainname) as Node[] | Node | undefined) ?? [];
        const parts = Array.isArray(names)
          ? names.map((x: Node) => x.String?.sval as string)
          : [(names as Node).schemaname as string | undefined, (names as Node).relname as string].filter(Boolean);
        add({
          kind: "type",
          name: (parts.length > 1 ? parts.slice(-2).join(".") : `public.${parts[0]}`).toLowerCase(),
        });
        break;
      }
      case "CreateFunctionStmt": {
        const parts = ((n.funcname as Node[] | undefined) ?? []).map((x) => x.String?.sval as string);
        add({
          kind: "function",
          name: (parts.length > 1 ? parts.slice(-2).join(".") : `public.${parts[0]}`).toLowerCase(),
        });
        break;
      }
    }
  }
  return out;
}

function qualified(rv: Node | undefined): string {
  return `${(rv?.schemaname as string | undefined) ?? "public"}.${(rv?.relname as string | undefined) ?? "?"}`.toLowerCase();
}

function column(table: string, def: Node): AddedObject {
  return {
    kind: "column",
    name: `${table}.${def.colname as string}`.toLowerCase(),
    type: typeText(def.typeName as Node),
  };
}

/** PostgreSQL's internal and SQL-standard names, as `format_type` prints them. */
const TYPE_NAMES: Record<string, string> = {
  int2: "smallint",
  int4: "integer",
  int: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  varchar: "character varying",
  bpchar: "character",
  timestamptz: "timestamp with time zone",
  timestamp: "timestamp without time zone",
  timetz: "time with time zone",
  time: "time without time zone",
  varbit: "bit varying",
  decimal: "numeric",
};

export function typeText(typeName: Node | undefined): string {
  const names = ((typeName?.names as Node[] | undefined) ?? [])
    .map((x) => x.String?.sval as string)
    .filter((x) => x !== "pg_catalog");
  let base = (names.at(-1) ?? "?").toLowerCase();
  const mods = ((typeName?.typmods as Node[] | undefined) ?? []).map(
    (m) => m.A_Const?.ival?.ival ?? m.A_Const?.ival ?? "",
  );
  base = TYPE_NAMES[base] ?? base;
  // timestamp(3) with time zone: the precision sits inside the name.
  const withMods = mods.length
    ? base.includes(" with")
      ? base.replace(/^(\w+)/, `$1(${mods.join(",")})`)
      : `${base}(${mods.join(",")})`
    : base;
  return withMods + "[]".repeat(((typeName?.arrayBounds as Node[] | undefined) ?? []).length);
}
