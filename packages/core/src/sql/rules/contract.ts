import type { Node, RawFinding } from "../types.ts";
import { display, dropObjectName, rangeVar } from "./names.ts";

// Statements that remove or change what an older app version may still read or write.

const DROP_KINDS: Record<string, { rule: string; kind: "table" | "schema" | "type" | "view" }> = {
  OBJECT_TABLE: { rule: "drop-table", kind: "table" },
  OBJECT_SCHEMA: { rule: "drop-schema", kind: "schema" },
  OBJECT_TYPE: { rule: "drop-type", kind: "type" },
  OBJECT_DOMAIN: { rule: "drop-type", kind: "type" },
  OBJECT_VIEW: { rule: "drop-view", kind: "view" },
  OBJECT_MATVIEW: { rule: "drop-view", kind: "view" },
};

export function dropObjects(stmt: Node): RawFinding[] {
  const spec = DROP_KINDS[stmt.removeType as string];
  if (!spec) return [];
  return (stmt.objects as Node[]).map((object) => {
    const name = dropObjectName(object);
    return {
      rule: spec.rule,
      category: "contract",
      message: `Drops ${spec.kind} ${display(name)}: an app version that still uses it breaks, and an app rollback no longer helps.`,
      suggestion: `Stop using ${display(name)} in a released app version first; drop it in a contract script after the rollback window.`,
      object: { kind: spec.kind, ...name, change: "dropped" },
    };
  });
}

const RENAME_KINDS: Record<string, { rule: string; kind: "table" | "column" | "schema" | "type" | "view" }> = {
  OBJECT_TABLE: { rule: "rename-table", kind: "table" },
  OBJECT_COLUMN: { rule: "rename-column", kind: "column" },
  OBJECT_SCHEMA: { rule: "rename-schema", kind: "schema" },
  OBJECT_TYPE: { rule: "rename-type", kind: "type" },
  OBJECT_DOMAIN: { rule: "rename-type", kind: "type" },
  OBJECT_VIEW: { rule: "rename-view", kind: "view" },
  OBJECT_MATVIEW: { rule: "rename-view", kind: "view" },
};

export function renameObject(stmt: Node): RawFinding[] {
  const spec = RENAME_KINDS[stmt.renameType as string];
  if (!spec) return [];
  let target: { schema?: string; table?: string; name: string };
  if (spec.kind === "column") target = { ...schemaOf(stmt.relation), table: stmt.relation.relname, name: stmt.subname };
  else if (spec.kind === "schema") target = { name: stmt.subname };
  else if (stmt.relation) target = rangeVar(stmt.relation);
  else target = dropObjectName(stmt.object ?? {});
  const shown = [target.schema, target.table, target.name].filter(Boolean).join(".");
  return [
    {
      rule: spec.rule,
      category: "contract",
      message: `Renames ${spec.kind} ${shown} to ${stmt.newname}: the running app version still uses the old name.`,
      suggestion: `Add the new ${spec.kind} beside the old one (expand), move the app to it, and drop the old one in a later contract script; a view or trigger can bridge both names meanwhile.`,
      object: { kind: spec.kind, ...target, change: "renamed" },
    },
  ];
}

function schemaOf(rv: Node | undefined): { schema?: string } {
  return rv?.schemaname ? { schema: rv.schemaname } : {};
}

export function truncate(stmt: Node): RawFinding[] {
  const tables = (stmt.relations as Node[]).map((r) => display(rangeVar(r.RangeVar))).join(", ");
  return [{ rule: "truncate", category: "contract", message: `Truncates ${tables}: every row is gone and only a restore brings it back.`, suggestion: "Archive or migrate the rows first; delete data only in a contract script after the rollback window." }];
}

export function deleteRows(stmt: Node): RawFinding[] {
  const table = display(rangeVar(stmt.relation));
  const scope = stmt.whereClause ? "rows" : "every row";
  return [{ rule: "delete", category: "contract", message: `Deletes ${scope} from ${table} inside a migration: an older app version may still need them.`, suggestion: "Delete data in a contract script after the rollback window, in batches, with a backup verified first." }];
}

export function moveToSchema(stmt: Node): RawFinding[] {
  if (stmt.objectType !== "OBJECT_TABLE" && stmt.objectType !== "OBJECT_VIEW") return [];
  const from = rangeVar(stmt.relation);
  return [
    {
      rule: "move-to-schema",
      category: "contract",
      message: `Moves ${display(from)} to schema ${stmt.newschema}: queries that name the old schema (or rely on search_path) break.`,
      suggestion: "Create the object in the new schema, let the app use it, and remove the old one in a contract script.",
      object: { kind: stmt.objectType === "OBJECT_VIEW" ? "view" : "table", ...from, change: "moved" },
    },
  ];
}

export function revoke(stmt: Node): RawFinding[] {
  if (stmt.is_grant) return [];
  const privileges = ((stmt.privileges as Node[] | undefined) ?? []).map((p) => p.AccessPriv?.priv_name).join(", ") || "all privileges";
  return [{ rule: "revoke-privileges", category: "contract", message: `Revokes ${privileges}: an app version that relies on them gets permission errors.`, suggestion: "Revoke privileges only after no running or rollback-target version needs them, in a contract script." }];
}
