import type { RemovedObject } from "../types.ts";
import type { Context, FileState, Node, QualifiedName, RawFinding } from "../types.ts";
import { contract } from "./findings.ts";
import { display, dropObjectName, objectKey, rangeVar, tableKey } from "./names.ts";

// Statements that remove or change what an older app version may still read, write or call.

type Kind = RemovedObject["kind"];
const words = new Map<string, string>();
/** `OBJECT_FOREIGN_TABLE` → `foreign table`, computed once per type. */
function word(objectType: string): string {
  let w = words.get(objectType);
  if (w === undefined)
    words.set(
      objectType,
      (w = objectType
        .replace(/^OBJECT_/, "")
        .replace(/_/g, " ")
        .toLowerCase()),
    );
  return w;
}

/** Per object type: the rule id, and the kind rollback eligibility knows it as (when it does). */
const OBJECTS: Record<string, { drop: string; rename: string; kind?: Kind }> = {
  OBJECT_TABLE: { drop: "drop-table", rename: "rename-table", kind: "table" },
  OBJECT_FOREIGN_TABLE: { drop: "drop-table", rename: "rename-table", kind: "table" },
  OBJECT_COLUMN: { drop: "drop-column", rename: "rename-column", kind: "column" },
  OBJECT_SCHEMA: { drop: "drop-schema", rename: "rename-schema", kind: "schema" },
  OBJECT_TYPE: { drop: "drop-type", rename: "rename-type", kind: "type" },
  OBJECT_DOMAIN: { drop: "drop-type", rename: "rename-type", kind: "type" },
  OBJECT_ATTRIBUTE: { drop: "drop-column", rename: "rename-attribute" },
  OBJECT_VIEW: { drop: "drop-view", rename: "rename-view", kind: "view" },
  OBJECT_MATVIEW: { drop: "drop-view", rename: "rename-view", kind: "view" },
  OBJECT_SEQUENCE: { drop: "drop-sequence", rename: "rename-sequence" },
  OBJECT_FUNCTION: { drop: "drop-function", rename: "rename-function" },
  OBJECT_PROCEDURE: { drop: "drop-function", rename: "rename-function" },
  OBJECT_ROUTINE: { drop: "drop-function", rename: "rename-function" },
  OBJECT_AGGREGATE: { drop: "drop-function", rename: "rename-function" },
  OBJECT_TRIGGER: { drop: "drop-trigger", rename: "rename-object" },
  OBJECT_POLICY: { drop: "drop-policy", rename: "rename-object" },
  OBJECT_RULE: { drop: "drop-rule", rename: "rename-object" },
  OBJECT_EXTENSION: { drop: "drop-extension", rename: "rename-object" },
  OBJECT_ROLE: { drop: "drop-role", rename: "rename-role" },
  OBJECT_DATABASE: { drop: "drop-database", rename: "rename-database" },
};

/** Dropping these removes nothing a query names: the planner's aids, and indexes (a locking question, see locking.ts). */
const HARMLESS_DROPS = new Set(["OBJECT_INDEX", "OBJECT_STATISTIC_EXT"]);
/** Names no application query uses: renaming them is invisible to older app versions. */
const HARMLESS_RENAMES = new Set([
  "OBJECT_INDEX",
  "OBJECT_TABCONSTRAINT",
  "OBJECT_DOMCONSTRAINT",
  "OBJECT_TRIGGER",
  "OBJECT_POLICY",
  "OBJECT_RULE",
  "OBJECT_STATISTIC_EXT",
  "OBJECT_EVENT_TRIGGER",
  "OBJECT_OPCLASS",
  "OBJECT_OPFAMILY",
  "OBJECT_SUBSCRIPTION",
  "OBJECT_TABLESPACE",
  "OBJECT_FDW",
  "OBJECT_FOREIGN_SERVER",
  "OBJECT_LANGUAGE",
  "OBJECT_CONVERSION",
  "OBJECT_TSPARSER",
  "OBJECT_TSTEMPLATE",
  "OBJECT_TSDICTIONARY",
]);

/** Tables, views and other objects this script created itself are nobody else's yet. */
export function createdHere(name: QualifiedName, state: FileState): boolean {
  if (state.createdTables.size === 0 && state.createdObjects.size === 0) return false;
  const bare = objectKey(name);
  if (state.createdObjects.has(bare)) return true;
  // Most names miss: the bare-name check spares building the qualified key.
  return state.createdTableNames.has(bare) && state.createdTables.has(tableKey(name));
}

export function dropObjects(stmt: Node, ctx: Context): RawFinding[] {
  const type = stmt.removeType as string;
  if (HARMLESS_DROPS.has(type)) return [];
  const spec = OBJECTS[type] ?? { drop: "drop-object", rename: "rename-object" };
  const out: RawFinding[] = [];
  for (const object of (stmt.objects as Node[]) ?? []) {
    const name = dropObjectName(object);
    if (createdHere(name, ctx.state)) continue;
    const what = `${word(type)} ${display(name)}`;
    const removed: RemovedObject | undefined =
      spec.kind && spec.kind !== "column" ? { kind: spec.kind, ...name, change: "dropped" } : undefined;
    out.push(
      contract(
        spec.drop,
        `Drops ${what}: an app version that still uses it breaks, and an app rollback no longer helps.`,
        `Stop using ${display(name)} in a released app version first; drop it in a contract script after the rollback window.`,
        removed,
      ),
    );
  }
  return out;
}

export function renameObject(stmt: Node, ctx: Context): RawFinding[] {
  const type = stmt.renameType as string;
  if (HARMLESS_RENAMES.has(type)) return [];
  const spec = OBJECTS[type] ?? { drop: "drop-object", rename: "rename-object" };
  let target: { schema?: string; table?: string; name: string };
  if (type === "OBJECT_COLUMN" || type === "OBJECT_ATTRIBUTE")
    target = stmt.relation.schemaname
      ? { schema: stmt.relation.schemaname, table: stmt.relation.relname, name: stmt.subname }
      : { table: stmt.relation.relname, name: stmt.subname };
  else if (stmt.subname && !stmt.relation && !stmt.object) target = { name: stmt.subname };
  else if (stmt.relation) target = rangeVar(stmt.relation);
  else target = dropObjectName(stmt.object ?? {});
  if (createdHere(stmt.relation ? rangeVar(stmt.relation) : target, ctx.state)) return [];
  const shown =
    "table" in target && target.table
      ? `${target.schema ? `${target.schema}.` : ""}${target.table}.${target.name}`
      : display(target);
  const kind = word(type);
  const object: RemovedObject | undefined = spec.kind ? { kind: spec.kind, ...target, change: "renamed" } : undefined;
  return [
    contract(
      spec.rename,
      `Renames ${kind} ${shown} to ${stmt.newname}: the running app version still uses the old name.`,
      `Add the new ${kind} beside the old one (expand), move the app to it, and drop the old one in a later contract script; a view or trigger can bridge both names meanwhile.`,
      object,
    ),
  ];
}

export function moveToSchema(stmt: Node, ctx: Context): RawFinding[] {
  const type = stmt.objectType as string;
  if (type === "OBJECT_STATISTIC_EXT") return [];
  const from = stmt.relation ? rangeVar(stmt.relation) : dropObjectName(stmt.object ?? {});
  if (createdHere(from, ctx.state)) return [];
  const kind = OBJECTS[type]?.kind;
  const object: RemovedObject | undefined =
    kind === "table" || kind === "view" ? { kind, ...from, change: "moved" } : undefined;
  return [
    contract(
      "move-to-schema",
      `Moves ${word(type)} ${display(from)} to schema ${stmt.newschema}: queries that name the old schema (or rely on search_path) break.`,
      "Create the object in the new schema, let the app use it, and remove the old one in a contract script.",
      object,
    ),
  ];
}

export function truncate(stmt: Node): RawFinding[] {
  const tables = (stmt.relations as Node[]).map((r) => display(rangeVar(r.RangeVar))).join(", ");
  return [
    contract(
      "truncate",
      `Truncates ${tables}: every row is gone and only a restore brings it back.`,
      "Archive or migrate the rows first; delete data only in a contract script after the rollback window.",
    ),
  ];
}

export function deleteRows(stmt: Node, ctx: Context): RawFinding[] {
  const table = rangeVar(stmt.relation);
  if (createdHere(table, ctx.state)) return [];
  const scope = stmt.whereClause ? "rows" : "every row";
  return [
    contract(
      "delete",
      `Deletes ${scope} from ${display(table)} inside a migration: an older app version may still need them.`,
      "Delete data in a contract script after the rollback window, in batches, with a backup verified first.",
    ),
  ];
}

/** MERGE … WHEN … THEN DELETE deletes rows like DELETE does. */
export function mergeRows(stmt: Node, ctx: Context): RawFinding[] {
  const deletes = ((stmt.mergeWhenClauses as Node[]) ?? []).some(
    (c) => c.MergeWhenClause?.commandType === "CMD_DELETE",
  );
  return deletes ? deleteRows({ ...stmt, whereClause: true }, ctx) : [];
}

export function revoke(stmt: Node): RawFinding[] {
  if (stmt.is_grant) return [];
  const privileges =
    ((stmt.privileges as Node[] | undefined) ?? []).map((p) => p.AccessPriv?.priv_name).join(", ") || "all privileges";
  return [
    contract(
      "revoke-privileges",
      `Revokes ${privileges}: an app version that relies on them gets permission errors.`,
      "Revoke privileges only after no running or rollback-target version needs them, in a contract script.",
    ),
  ];
}

export function revokeRole(stmt: Node): RawFinding[] {
  if (stmt.is_grant) return [];
  return [
    contract(
      "revoke-privileges",
      "Revokes membership in a role: an app role that relied on it loses those rights.",
      "Revoke role memberships in a contract script.",
    ),
  ];
}
