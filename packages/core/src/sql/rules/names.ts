import type { Node, QualifiedName } from "../types.ts";

export type { QualifiedName };

export function rangeVar(rv: Node | undefined): QualifiedName {
  const name = (rv?.relname as string | undefined) ?? "?";
  return rv?.schemaname ? { schema: rv.schemaname as string, name } : { name };
}

/** DROP … objects: a List of Strings (tables, views, indexes), a String (schemas), a TypeName or an ObjectWithArgs (functions). */
export function dropObjectName(object: Node): QualifiedName {
  const parts = nameParts(object);
  const name = parts.at(-1) ?? "?";
  return parts.length > 1 ? { schema: parts.at(-2), name } : { name };
}

export function nameParts(object: Node): string[] {
  if (object.List) return object.List.items.map((i: Node) => i.String?.sval);
  if (object.TypeName) return object.TypeName.names.map((i: Node) => i.String?.sval);
  if (object.ObjectWithArgs) return object.ObjectWithArgs.objname.map((i: Node) => i.String?.sval);
  if (Array.isArray(object)) return object.map((i: Node) => i.String?.sval);
  return [object.String?.sval ?? "?"];
}

/** `DROP TRIGGER t ON s.tbl` and friends name the table before the object: ["s", "tbl", "t"]. */
export function tableOfMember(object: Node): QualifiedName | null {
  const parts = nameParts(object);
  if (parts.length < 2) return null;
  const name = parts.at(-2)!;
  return parts.length > 2 ? { schema: parts.at(-3), name } : { name };
}

export function display(q: QualifiedName, column?: string): string {
  const table = q.schema ? `${q.schema}.${q.name}` : q.name;
  return column ? `${table}.${column}` : table;
}

export function tableKey(q: QualifiedName): string {
  return `${q.schema ?? "public"}.${q.name}`.toLowerCase();
}

/** The key `createdObjects` uses: the bare lower-case name. */
export function objectKey(q: QualifiedName): string {
  return q.name.toLowerCase();
}
