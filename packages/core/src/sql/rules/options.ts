import type { Node } from "../types.ts";

const OFF = new Set(["false", "off", "no", "0"]);

/** Whether a statement option list (`(FULL)`, `(ANALYZE false)`, `(CONCURRENTLY on)`) turns `name` on. */
export function optionOn(options: Node[] | undefined, name: string): boolean {
  const def = (options ?? []).find((o) => o.DefElem?.defname === name)?.DefElem;
  if (!def) return false;
  const arg = def.arg;
  if (!arg) return true;
  if (arg.Boolean) return arg.Boolean.boolval === true;
  if (arg.Integer) return Boolean(arg.Integer.ival);
  return !OFF.has(String(arg.String?.sval ?? "").toLowerCase());
}
