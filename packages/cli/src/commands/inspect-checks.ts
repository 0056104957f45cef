import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  SAMPLES_WITHHELD_TEXT,
  dataCheckListSchema,
  type DataCheckDeclaration,
  type DataCheckResult,
} from "@rollgate/core/contract/data-checks";
import type { DeclaredDataCheck } from "@rollgate/core/contract/data-checks";
import type { DataCheckToRun } from "@rollgate/core/inspect/data-checks";
import { readOnlySelect } from "@rollgate/core/sql";
import { UsageError, type Io } from "../io.ts";

// `rollgate inspect --checks FILE`: a JSON array of `{ "name": "...", "sql": "SELECT ..." }` (the
// same shape as release.created's `data_checks`). Each must be one read-only SELECT; a bad file
// is a usage error before the database is touched or anything is sent.

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The checks of a --checks file, validated as Rollgate validates them. */
export async function readChecksFile(file: string): Promise<DataCheckDeclaration[]> {
  const text = await readFile(file, "utf8").catch(() => {
    throw new UsageError(`cannot read ${file}.`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${file} is not JSON (${(error as Error).message}); write [{ "name": "...", "sql": "SELECT ..." }].`,
    );
  }
  const parsed = dataCheckListSchema.safeParse(json);
  if (!parsed.success)
    throw new UsageError(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "the file"}: ${i.message}`).join("; ")}. Write [{ "name": "...", "sql": "SELECT ..." }].`,
    );
  for (const check of parsed.data) {
    const verdict = await readOnlySelect(check.sql);
    if (!verdict.ok) throw new UsageError(`${file}: data check "${check.name}" is refused: ${verdict.reason}.`);
  }
  return parsed.data;
}

/** What to run: the rollout's declared checks, with the file's in place of a same-named one it declared itself. */
export function checksToRun(
  declared: readonly DeclaredDataCheck[],
  file: readonly DataCheckDeclaration[],
): DataCheckToRun[] {
  const fromFile = new Set(file.map((c) => c.name));
  for (const d of declared)
    if (fromFile.has(d.name) && d.source !== "inspect")
      throw new UsageError(
        `data check "${d.name}" of the --checks file is already declared by the ${d.source}; give it another name.`,
      );
  return [
    ...declared
      .filter((d) => !fromFile.has(d.name))
      .map((d) => ({ name: d.name, sql: d.sql, checksum: sha256(d.sql) })),
    ...file.map((c) => ({ name: c.name, sql: c.sql, checksum: sha256(c.sql) })),
  ];
}

/**
 * One line per check on stderr: its count and sample keys (or why they are withheld), or its error;
 * a failing check's line says FAILS, and a last line counts them. The exit code does not change:
 * `rollgate inspect` reports evidence (0: the summary was sent), the gate decides on it, and
 * `rollgate gate` / `rollgate lease` are where a pipeline stops.
 */
export function reportChecks(results: readonly DataCheckResult[], io: Io): void {
  for (const r of results)
    io.err(
      r.error !== undefined
        ? `rollgate inspect: data check "${r.name}" FAILS: it could not run: ${r.error}`
        : `rollgate inspect: data check "${r.name}" ${r.rows > 0 ? "FAILS" : "passes"}: ${r.rows} row(s)${r.sample_keys.length ? ` (keys ${r.sample_keys.join(", ")}${r.rows > r.sample_keys.length ? ", …" : ""})` : r.samples_withheld ? ` (${SAMPLES_WITHHELD_TEXT[r.samples_withheld]})` : ""}, ${r.duration_ms} ms.`,
    );
  const failing = results.filter((r) => r.error !== undefined || r.rows > 0).length;
  if (failing > 0)
    io.err(
      `rollgate inspect: ${failing} of ${results.length} data check(s) fail: the gate's check "Data is carried over" fails until each returns no rows in a later inspection (the exit code says only whether the summary was sent).`,
    );
}
