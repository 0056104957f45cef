import { z } from "zod";
import { readOnlySelect } from "../sql/read-only-select.ts";
import { SAMPLES_WITHHELD } from "./samples-withheld.ts";

// Data checks: named read-only SELECTs that must return no rows before the contract may run
// ("every invoice's email was copied to billing_email"). A release declares them with
// `release.created`, `rollgate inspect --checks FILE` adds its own, and each backfill adds the
// rows that still match its --where. `rollgate inspect` runs them; the gate check "Data is
// carried over" reads the results. A check is pinned by the SHA-256 of its SQL: a result
// counts only for the text it ran.

export const MAX_DATA_CHECKS = 50;
export const MAX_SAMPLE_KEYS = 5;

export const dataCheckNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "lower-case letters, digits, '.', '_' or '-', at most 100 characters");

/** One declared check: its name (unique per rollout) and one read-only SELECT. */
export const dataCheckSchema = z.strictObject({
  name: dataCheckNameSchema,
  sql: z.string().min(1).max(20_000),
});
export type DataCheckDeclaration = z.infer<typeof dataCheckSchema>;

export const dataCheckListSchema = z
  .array(dataCheckSchema)
  .max(MAX_DATA_CHECKS)
  .refine((checks) => new Set(checks.map((c) => c.name)).size === checks.length, "two checks share a name");

/** Where a declared check came from. */
export const DATA_CHECK_SOURCES = ["release", "inspect", "backfill"] as const;
export type DataCheckSource = (typeof DATA_CHECK_SOURCES)[number];

const checksum = z.string().regex(/^[a-f0-9]{64}$/, "the SHA-256 of the check's SQL, 64 lower-case hex characters");

export { SAMPLES_WITHHELD, SAMPLES_WITHHELD_TEXT, type SamplesWithheld } from "./samples-withheld.ts";

/** What one run of a check found (in a `database.inspected` summary). Sample keys are values of the
 * first column of the first rows, as text, and only when that column is a primary key column
 * (otherwise `samples_withheld` says why): never any other column's value. */
export const dataCheckResultSchema = z
  .strictObject({
    name: dataCheckNameSchema,
    checksum,
    rows: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    sample_keys: z.array(z.string().max(200)).max(MAX_SAMPLE_KEYS),
    /** Set when the check found rows but reports no sample keys, with the reason. */
    samples_withheld: z.enum(SAMPLES_WITHHELD).optional(),
    duration_ms: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    /** PostgreSQL's error when the check failed to run (a timeout, a missing column): it counts as failing. */
    error: z.string().max(1000).optional(),
  })
  .refine((r) => r.samples_withheld === undefined || r.sample_keys.length === 0, {
    message: "a result whose samples are withheld carries no sample keys",
    path: ["sample_keys"],
  });
export type DataCheckResult = z.infer<typeof dataCheckResultSchema>;

/** A check as the server holds it (the answer of `GET …/data-checks`). */
export const declaredDataCheckSchema = z.strictObject({
  name: dataCheckNameSchema,
  sql: z.string().max(20_000),
  checksum,
  source: z.enum(DATA_CHECK_SOURCES),
  declared_at: z.iso.datetime({ offset: true }),
});
export const dataChecksResponseSchema = z.strictObject({ checks: z.array(declaredDataCheckSchema) });
export type DeclaredDataCheck = z.infer<typeof declaredDataCheckSchema>;

/** Why one declared check is refused, with where it sits in the body. */
export interface DataCheckRefusal {
  path: string;
  name: string;
  message: string;
}

/** The checks that are not one read-only SELECT, each with its reason; empty when all are. */
export async function refusedDataChecks(
  checks: ReadonlyArray<{ name: string; sql: string; path: string }>,
): Promise<DataCheckRefusal[]> {
  const refused: DataCheckRefusal[] = [];
  for (const check of checks) {
    const verdict = await readOnlySelect(check.sql);
    if (!verdict.ok)
      refused.push({
        path: check.path,
        name: check.name,
        message: `Data check "${check.name}" is refused: ${verdict.reason}.`,
      });
  }
  return refused;
}

/** A check as the server stores it. */
export interface StoredDataCheck {
  name: string;
  checksum: string;
  source: DataCheckSource;
}

export type DataCheckPlan =
  | { ok: true; upsert: Array<{ name: string; sql: string; checksum: string }>; remove: string[] }
  | { ok: false; code: "data_check_conflict" | "script_locked"; name: string; message: string };

/**
 * What a declaration changes: new checks and changed texts (a new checksum, so earlier results stop
 * counting), and with `replace` (release.created) the release's checks it no longer names. A name
 * belongs to the source that declared it first: `rollgate inspect --checks` cannot redefine the
 * release's check, nor a backfill's. Once the contract has started nothing changes: the checks it
 * was allowed under are the ones it ran under.
 */
export function planDataChecks(
  existing: readonly StoredDataCheck[],
  declared: ReadonlyArray<{ name: string; sql: string; checksum: string }>,
  source: DataCheckSource,
  options: { replace: boolean; contractStarted: boolean },
): DataCheckPlan {
  const byName = new Map(existing.map((c) => [c.name, c]));
  const upsert = [];
  for (const d of declared) {
    const held = byName.get(d.name);
    if (held && held.source !== source)
      return {
        ok: false,
        code: "data_check_conflict",
        name: d.name,
        message: `Data check "${d.name}" is already declared by the ${held.source}; give this one another name.`,
      };
    if (!held || held.checksum !== d.checksum) upsert.push(d);
  }
  const named = new Set(declared.map((d) => d.name));
  const remove = options.replace
    ? existing.filter((c) => c.source === source && !named.has(c.name)).map((c) => c.name)
    : [];
  const changed = upsert[0]?.name ?? remove[0];
  if (options.contractStarted && changed !== undefined)
    return {
      ok: false,
      code: "script_locked",
      name: changed,
      message: `Data check "${changed}" cannot be declared, changed or withdrawn: the contract has started.`,
    };
  return { ok: true, upsert, remove };
}
