import {
  planDataChecks,
  refusedDataChecks,
  type DataCheckDeclaration,
  type DataCheckSource,
} from "@rollgate/core/contract/data-checks";
import type { EventBody } from "@rollgate/core/contract/events";
import type { Db } from "@rollgate/db/client";
import { lockDataChecks, saveDataChecks } from "@rollgate/db/queries/data-checks";
import { sha256Hex } from "@rollgate/db/secrets";
import { AppError } from "../errors";

/** The data checks an event declares: release.created's, `rollgate inspect --checks`' and a backfill's own. */
export interface DataCheckDeclarations {
  source: DataCheckSource;
  /** release.created sends the release's whole set: a check it no longer names is withdrawn. */
  replace: boolean;
  checks: Array<DataCheckDeclaration & { path: string }>;
}

export function declaredDataChecks(body: EventBody): DataCheckDeclarations | null {
  const at = (prefix: string, checks: readonly DataCheckDeclaration[]) =>
    checks.map((c, i) => ({ ...c, path: `${prefix}.${i}.sql` }));
  switch (body.type) {
    case "release.created":
      return body.data.data_checks
        ? { source: "release", replace: true, checks: at("data.data_checks", body.data.data_checks) }
        : null;
    case "database.inspected":
      return body.data.declared_checks?.length
        ? { source: "inspect", replace: false, checks: at("data.declared_checks", body.data.declared_checks) }
        : null;
    case "backfill.started":
      return { source: "backfill", replace: false, checks: [{ ...body.data.check, path: "data.check.sql" }] };
    default:
      return null;
  }
}

/** Refuses, before anything is recorded, a declaration whose SQL is not one read-only SELECT: 400, naming each check. */
export async function refuseUnsafeDataChecks(declared: DataCheckDeclarations | null): Promise<void> {
  if (!declared) return;
  const refused = await refusedDataChecks(declared.checks);
  if (refused.length)
    throw new AppError(
      "invalid_request",
      refused.length === 1 ? refused[0]!.message : `${refused.length} data checks are refused; see details.`,
      refused.map((r) => ({ path: r.path, name: r.name, message: r.message })),
    );
}

/** Stores a declaration in the event's transaction (each text pinned by its SHA-256); a conflict refuses the whole event. */
export async function saveDeclaredDataChecks(
  tx: Db,
  input: { rolloutId: string; contractStarted: boolean; declared: DataCheckDeclarations; now: Date },
): Promise<void> {
  const { declared } = input;
  const plan = planDataChecks(
    await lockDataChecks(tx, input.rolloutId),
    declared.checks.map((c) => ({ name: c.name, sql: c.sql, checksum: sha256Hex(c.sql) })),
    declared.source,
    { replace: declared.replace, contractStarted: input.contractStarted },
  );
  if (!plan.ok) throw new AppError("conflict", plan.message, { reason: plan.code, name: plan.name });
  await saveDataChecks(tx, {
    rolloutId: input.rolloutId,
    source: declared.source,
    upsert: plan.upsert,
    remove: plan.remove,
    now: input.now,
  });
}
