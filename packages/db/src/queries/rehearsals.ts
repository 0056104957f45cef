import type { RehearsalFact } from "@rollgate/core/eligibility";
import type { RehearsalProof } from "@rollgate/core/contract/rehearsal";
import { desc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { rollbackRehearsals } from "../schema/index.ts";

/** One received `rollback.rehearsed` (fact kind "rehearsal"), timed by receipt. */
export async function insertRehearsal(
  db: Db,
  params: {
    environmentId: string;
    rolloutId: string;
    receivedAt: Date;
    rehearsal: {
      version: string;
      contractChecksum: string;
      source: "observed" | "file";
      statements: number;
      passed: number;
      noise: number;
      unverifiable: number;
      proofCount: number;
      proofs: RehearsalProof[];
    };
  },
) {
  const r = params.rehearsal;
  await db.insert(rollbackRehearsals).values({
    environmentId: params.environmentId,
    rolloutId: params.rolloutId,
    version: r.version,
    contractChecksum: r.contractChecksum,
    source: r.source,
    statements: r.statements,
    passed: r.passed,
    noise: r.noise,
    unverifiable: r.unverifiable,
    proofCount: r.proofCount,
    proofs: r.proofs,
    receivedAt: params.receivedAt,
  });
}

const COLUMNS = {
  version: rollbackRehearsals.version,
  contractChecksum: rollbackRehearsals.contractChecksum,
  source: rollbackRehearsals.source,
  statements: rollbackRehearsals.statements,
  passed: rollbackRehearsals.passed,
  noise: rollbackRehearsals.noise,
  unverifiable: rollbackRehearsals.unverifiable,
  proofCount: rollbackRehearsals.proofCount,
  proofs: rollbackRehearsals.proofs,
  receivedAt: rollbackRehearsals.receivedAt,
};

/**
 * Every rehearsal received in an environment, newest first (eligibility keeps, per version and
 * contract checksum, the newest). An environment receives a few per release, so all are read.
 */
export async function listRehearsals(db: Db, environmentId: string): Promise<RehearsalFact[]> {
  return db
    .select(COLUMNS)
    .from(rollbackRehearsals)
    .where(eq(rollbackRehearsals.environmentId, environmentId))
    .orderBy(desc(rollbackRehearsals.receivedAt));
}
