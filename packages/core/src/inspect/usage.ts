import type { Reference } from "./resolve.ts";

// Cumulative calls per object, the input of observed manifests. The wire form is one string
// per table, `"=12/3,email=10/1,id=12"`: the table's own calls (reads/writes), then each
// column's; writes are left out when zero, and `public.` is left out of the key. That keeps
// 5,000 tables of usage well inside the event's body limit.

export type Usage = Map<string, Map<string, { r: number; w: number }>>;

/** Adds a statement's calls to every object it names. */
export function addUsage(usage: Usage, refs: Reference[], calls: number): void {
  for (const ref of refs) {
    if (ref.kind !== "table" && ref.kind !== "column") continue;
    const parts = ref.object.split(".");
    const table = parts.slice(0, 2).join(".");
    const column = ref.kind === "column" ? parts.slice(2).join(".") : "";
    let cols = usage.get(table);
    if (!cols) usage.set(table, (cols = new Map()));
    const entry = cols.get(column) ?? { r: 0, w: 0 };
    if (ref.mode === "write") entry.w += calls;
    else entry.r += calls;
    cols.set(column, entry);
  }
}

export function encodeUsage(usage: Usage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [table, cols] of usage) {
    const key = table.startsWith("public.") ? table.slice(7) : table;
    out[key] = [...cols].map(([c, { r, w }]) => `${c}=${r}${w ? `/${w}` : ""}`).join(",");
  }
  return out;
}

export function decodeUsage(wire: Record<string, string>): Usage {
  const usage: Usage = new Map();
  for (const [key, value] of Object.entries(wire)) {
    const table = key.includes(".") ? key : `public.${key}`;
    const cols = new Map<string, { r: number; w: number }>();
    for (const item of value.split(",")) {
      if (!item) continue;
      const eq = item.lastIndexOf("=");
      const [r, w] = item.slice(eq + 1).split("/");
      cols.set(item.slice(0, eq), { r: Number(r) || 0, w: Number(w ?? 0) || 0 });
    }
    usage.set(table, cols);
  }
  return usage;
}

/** `schema.table` and `schema.table.column` entries whose calls grew from `before` to `after`. */
export function grownEntries(before: Usage, after: Usage): string[] {
  const out: string[] = [];
  for (const [table, cols] of after) {
    const prior = before.get(table);
    for (const [column, now] of cols) {
      const then = prior?.get(column) ?? { r: 0, w: 0 };
      if (now.r + now.w > then.r + then.w) out.push(column ? `${table}.${column}` : table);
    }
  }
  return out.sort();
}
