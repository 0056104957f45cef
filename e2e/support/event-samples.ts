export { SAMPLE_DATA } from "@rollgate/core/testing/samples";

/** The path (dotted, as the server reports it) of every string in `value`, with a setter. */
export function stringPaths(value: unknown, path: string[] = []): string[][] {
  if (typeof value === "string") return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...path, String(i)]));
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, k]));
  return [];
}

/** A deep copy of `value` with `suffix` appended to the string at `path`. */
export function appendAt(value: unknown, path: string[], suffix: string): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let parent: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  parent[last] = `${parent[last] as string}${suffix}`;
  return copy;
}
