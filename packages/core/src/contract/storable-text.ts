// PostgreSQL's text and jsonb cannot hold a NUL character, and UTF-8 cannot encode a lone
// UTF-16 surrogate (JSON's "\ud800" parses to one). Either would fail deep inside a query
// as a 500; this walk finds them at the parse boundary, for every string and every key.

export interface TextProblem {
  /** Where, as dotted field names and array indexes (`data.manifest.3`); a bad key is escaped. */
  path: string;
  message: string;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL cannot store `text`, or null when it can. */
export function unstorableReason(text: string): string | null {
  if (text.includes("\u0000")) return "contains a NUL character (\\u0000), which PostgreSQL cannot store";
  if (LONE_SURROGATE.test(text)) return "contains a lone UTF-16 surrogate (e.g. \\ud800), which is not valid Unicode";
  return null;
}

/** A key as it can be shown in a path: escaped when it holds what the path reports. */
const showKey = (key: string) =>
  unstorableReason(key) === null
    ? key
    : JSON.stringify(key)
        .slice(1, -1)
        .replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

/**
 * Every string and object key in a parsed JSON value that PostgreSQL cannot store, with its
 * path; at most `limit`. Iterative, so a deeply nested body cannot overflow the stack.
 */
export function findUnstorableText(value: unknown, options: { prefix?: string; limit?: number } = {}): TextProblem[] {
  const limit = options.limit ?? 20;
  const problems: TextProblem[] = [];
  const stack: Array<[unknown, string]> = [[value, options.prefix ?? ""]];
  const join = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);
  while (stack.length > 0 && problems.length < limit) {
    const [current, path] = stack.pop()!;
    if (typeof current === "string") {
      const reason = unstorableReason(current);
      if (reason) problems.push({ path, message: reason });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push([current[i], join(path, String(i))]);
    } else if (current !== null && typeof current === "object") {
      const children: Array<[unknown, string]> = [];
      for (const [key, child] of Object.entries(current)) {
        const keyPath = join(path, showKey(key));
        const reason = unstorableReason(key);
        if (reason) problems.push({ path: keyPath, message: `the field name ${reason}` });
        else children.push([child, keyPath]);
      }
      for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i]!);
    }
  }
  return problems.slice(0, limit);
}
