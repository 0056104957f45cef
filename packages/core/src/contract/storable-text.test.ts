import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findUnstorableText, unstorableReason } from "./storable-text.ts";

// JSON text without the two things PostgreSQL cannot store.
const clean = fc.string({ unit: "grapheme" }).map((s) => s.replaceAll("\u0000", ""));
const cleanJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    clean,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(clean, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** Puts `bad` somewhere in `value` (a string or a key), returning the new value and its path. */
function plant(
  value: unknown,
  bad: string,
  choice: number,
  path: string[] = [],
): { value: unknown; path: string } | null {
  if (typeof value === "string") return { value: value + bad, path: path.join(".") };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const planted = plant(value[(i + choice) % value.length], bad, choice, [
        ...path,
        String((i + choice) % value.length),
      ]);
      if (planted)
        return {
          value: value.map((v, j) => (j === (i + choice) % value.length ? planted.value : v)),
          path: planted.path,
        };
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return null;
    const [key, child] = entries[choice % entries.length]!;
    if (choice % 2 === 0) {
      const planted = plant(child, bad, choice, [...path, key]);
      if (planted) return { value: { ...value, [key]: planted.value }, path: planted.path };
    }
    const badKey = `${key}${bad}`;
    return {
      value: { ...Object.fromEntries(entries.filter(([k]) => k !== badKey)), [badKey]: child },
      path: [
        ...path,
        JSON.stringify(badKey)
          .slice(1, -1)
          .replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`),
      ].join("."),
    };
  }
  return null;
}

describe("finding 18: text PostgreSQL cannot store is found anywhere in a parsed body", () => {
  it("finding 18: a NUL character or a lone surrogate in any string or key is reported with its path", () => {
    fc.assert(
      fc.property(
        fc.dictionary(clean, cleanJson, { minKeys: 1, maxKeys: 4 }),
        fc.constantFrom("\u0000", "\ud800", "\udfff", "a\u0000b"),
        fc.nat(),
        (json, bad, choice) => {
          const planted = plant({ data: json, title: "t" }, bad, choice);
          expect(planted).not.toBeNull();
          const problems = findUnstorableText(planted!.value);
          expect(problems.map((p) => p.path)).toContain(planted!.path);
        },
      ),
    );
  });

  it("finds nothing in JSON PostgreSQL can store, surrogate pairs (emoji) included", () => {
    fc.assert(
      fc.property(cleanJson, (json) => {
        expect(findUnstorableText(json)).toEqual([]);
      }),
    );
    expect(unstorableReason("rollback 🚀 ok")).toBeNull();
  });

  it("names nested fields, array items and keys", () => {
    const body = {
      type: "app.deployed",
      data: { manifest: ["users.id", "users.e\u0000mail"], ["ke\u0000y"]: 1 },
      title: "\ud800",
    };
    expect(
      findUnstorableText(body)
        .map((p) => p.path)
        .sort(),
    ).toEqual(["data.ke\\u0000y", "data.manifest.1", "title"]);
  });

  it("walks a body nested 100,000 deep without overflowing the stack", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}"\\u0000"${"]".repeat(100_000)}`);
    expect(findUnstorableText(deep)).toHaveLength(1);
  });
});
