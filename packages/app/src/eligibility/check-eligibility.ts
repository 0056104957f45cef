import {
  contractFact,
  rollbackEligibility,
  scriptThatRan,
  type ContractFact,
  type Eligibility,
} from "@rollgate/core/eligibility";
import { analyseSql } from "@rollgate/core/sql";
import type { Db } from "@rollgate/db/client";
import { listContractRuns, listDeployments } from "@rollgate/db/queries/eligibility";
import { listObservedManifests } from "@rollgate/db/queries/inspections";
import { listRehearsals } from "@rollgate/db/queries/rehearsals";
import { findEnvironment } from "@rollgate/db/queries/rollouts";
import { sha256Hex } from "@rollgate/db/secrets";
import { AppError } from "../errors";

export interface EligibilityReport extends Eligibility {
  /** Every version deployed here, newest first, each with its own answer. */
  versions: Array<{
    version: string;
    lastDeployedAt: Date;
    verdict: Eligibility["verdict"];
    /** Which way that answer knows; absent when no contract ran since the version's deploy. */
    basis?: Eligibility["basis"];
  }>;
  currentVersion: string | null;
}

/** "Can I roll back to `version`?" for one environment; without a version, the one before the current. */
export async function checkEligibility(
  db: Db,
  params: { service: string; environment: string; version?: string },
): Promise<EligibilityReport> {
  const env = await findEnvironment(db, params.service, params.environment);
  if (!env) throw new AppError("not_found", `Service ${params.service} has no environment ${params.environment}.`);
  const deployments = await listDeployments(db, env.environmentId);
  const runs = await listContractRuns(db, env.environmentId);
  const contracts: ContractFact[] = await Promise.all(
    runs.map(async (r) => {
      // Judged by the text that ran, never by one held under another checksum: unseen is UNKNOWN.
      const sql = scriptThatRan(r, {
        sql: r.contractSql,
        checksum: r.contractSql === null ? null : sha256Hex(r.contractSql),
      });
      return contractFact(r, sql ? await analyseSql(sql, { phase: "contract" }) : null);
    }),
  );
  // Declared manifests first; what inspections observed each version use otherwise.
  const observed = await listObservedManifests(db, env.environmentId);
  // Rehearsals count only for the checksum of the contract that ran (core's rehearsalFor).
  const rehearsals = await listRehearsals(db, env.environmentId);
  const facts = deployments
    .filter((d) => d.kind === "deployed")
    .map((d) => ({ version: d.version, deployedAt: d.deployedAt, manifest: d.manifest }));
  const lastByVersion = new Map<string, Date>();
  for (const d of facts) lastByVersion.set(d.version, d.deployedAt);
  const currentVersion = deployments.at(-1)?.version ?? null;
  const ordered = [...lastByVersion.entries()].sort((a, b) => b[1].getTime() - a[1].getTime());
  const target = params.version ?? ordered.find(([v]) => v !== currentVersion)?.[0];
  if (!target)
    throw new AppError(
      "not_found",
      `Nothing has been deployed to ${params.service}/${params.environment} before the current version; there is no version to roll back to.`,
    );
  const versions = ordered.map(([version, lastDeployedAt]) => {
    const { verdict, basis } = rollbackEligibility({
      targetVersion: version,
      deployments: facts,
      contracts,
      observed,
      rehearsals,
    });
    return { version, lastDeployedAt, verdict, ...(basis ? { basis } : {}) };
  });
  return {
    ...rollbackEligibility({ targetVersion: target, deployments: facts, contracts, observed, rehearsals }),
    versions,
    currentVersion,
  };
}
