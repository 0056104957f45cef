import type { Node } from "../types.ts";

export interface QualifiedName {
  schema?: string;
  name: string;
}

export function rangeVar(rv: Node | undefined): QualifiedName {
  return { ...(rv?.schemaname ? { schema: rv.schemaname as string } : {}), name: (rv?.relname as string) ?? "?" };
}

/** DROP … objects: a List of Strings (tables, views, indexes), a String (schemas) or a TypeName. */
export function dropObjectName(object: Node): QualifiedName {
  const parts: string[] = object.List
    ? object.List.items.map((i: Node) => i.String?.sval)
    : object.TypeName
      ? object.TypeName.names.map((i: Node) => i.String?.sval)
      : [object.String?.sval ?? "?"];
  const name = parts.at(-1) ?? "?";
  return parts.length > 1 ? { schema: parts.at(-2), name } : { name };
}

export function display(q: QualifiedName, column?: string): string {
  return [q.schema, q.name, column].filter(Boolean).join(".");
}

export function tableKey(q: QualifiedName): string {
  return `${q.schema ?? "public"}.${q.name}`.toLowerCase();
}
