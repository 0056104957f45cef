import "server-only";
import { auditKeyWarning, formatKeyedFrom } from "@rollgate/core/access/audit-chain";
import type { Db } from "@rollgate/db/client";
import { DEVELOPMENT_SECRET_KEY, readDbEnv } from "@rollgate/db/env";
import { readKeyRecord, sealKeyRecord } from "@rollgate/db/queries/audit";
import { database } from "@rollgate/db/runtime";
import { log } from "@rollgate/log";
import { env } from "../env";
import { logError } from "../errors";

/** Non-null when anyone can compute the audit key (it derives from the development key). */
export function auditKeyWarningNow() {
  const web = env();
  return auditKeyWarning({
    auditKeySet: readDbEnv().ROLLGATE_AUDIT_KEY !== undefined,
    secretKeyIsDevelopmentKey: web.secretKey === DEVELOPMENT_SECRET_KEY,
    production: web.NODE_ENV === "production",
  });
}

/**
 * Logs the key record the database holds: each start puts a copy in the log, where the
 * database's owner cannot change it (ROLLGATE_AUDIT_KEYED_FROM takes the value it prints).
 */
export async function logAuditKeyRecord(db: Db): Promise<void> {
  const record = await readKeyRecord(db);
  if (!record) log().info("no audit key record yet: it is written with the first keyed audit entry");
  else if (record.macValid)
    log().info(
      { auditKeyedFrom: formatKeyedFrom(record) },
      "audit key record: keyed hashing began at this entry (ROLLGATE_AUDIT_KEYED_FROM pins it)",
    );
  else
    log().error(
      { auditKeyedFrom: formatKeyedFrom(record) },
      "the audit key record does not verify under the audit key: forged, or written with another key",
    );
}

/** Says loudly, when anyone can compute the audit key, that they can. */
export function logAuditKeyWarning(): void {
  const warning = auditKeyWarningNow();
  if (warning) log()[warning.level]({ auditKey: "public" }, warning.message);
}

/** At every start: the warning when the audit key is public, then the key record (in the background). */
export function announceAuditKey(): void {
  logAuditKeyWarning();
  void database()
    .then(async ({ db }) => {
      await sealKeyRecord(db);
      await logAuditKeyRecord(db);
    })
    .catch((error: unknown) => logError("reading the audit key record at start", error));
}
