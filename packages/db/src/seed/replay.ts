import { applyEvent, plannedRollout, type ContractLease, type DomainEvent } from "@rollgate/core/lifecycle";
import { defaultPolicy } from "@rollgate/core/policy";
import type { RolloutProjection } from "@rollgate/core/types";
import { sha256Hex as sha } from "../secrets.ts";
import { HOUR, type DemoRelease, type DemoRollout } from "./world.ts";

export interface ReplayedStory {
  projection: RolloutProjection;
  events: Array<{
    type: string;
    occurredAt: Date;
    data: Record<string, unknown>;
    stateBefore: string;
    stateAfter: string;
  }>;
  migrationRuns: Array<{
    phase: string;
    name: string;
    status: string;
    startedAt: Date;
    finishedAt: Date | null;
    durationMs: number | null;
    exitCode: number | null;
    logTail: string | null;
  }>;
  deployments: Array<{ kind: string; version: string; manifest: string[] | null; occurredAt: Date }>;
  flagChanges: Array<{ flag: string; percent: number; occurredAt: Date }>;
  /** SLO snapshots cover the time the release's version was live. */
  sloFrom: Date;
  sloUntil: Date;
}

/** Runs a demo rollout's steps through the real lifecycle, so seeded state is state Rollgate could reach. */
export function replayStory(release: DemoRelease, plan: DemoRollout, now: Date): ReplayedStory {
  const policy = defaultPolicy(plan.environment);
  const checksum = (phase: unknown) => (phase === "contract" ? release.contractSql : release.expandSql);
  let projection = plannedRollout(release.appVersion, {
    expandChecksum: sha(release.expandSql),
    contractChecksum: release.contractSql ? sha(release.contractSql) : null,
  });
  const story: ReplayedStory = {
    projection,
    events: [],
    migrationRuns: [],
    deployments: [],
    flagChanges: [],
    sloFrom: now,
    sloUntil: now,
  };

  for (const step of plan.steps) {
    const occurredAt = new Date(now.getTime() - step.hoursAgo * HOUR);
    const d = step.data;
    const event: DomainEvent =
      step.type === "app.deployed" || step.type === "app.rolled_back"
        ? { type: step.type, occurredAt, version: String(d.version), manifest: (d.manifest as string[]) ?? null }
        : step.type === "flag.changed"
          ? { type: step.type, occurredAt, percent: Number(d.percent) }
          : {
              type: step.type,
              occurredAt,
              phase: d.phase as "expand" | "contract",
              name: String(d.name),
              checksum: sha(checksum(d.phase)),
              destructiveFindings: 0,
              lease: storyLease(sha(checksum(d.phase))),
            };
    const result = applyEvent(projection, event, policy);
    if (!result.ok)
      throw new Error(
        `demo story for ${release.key}/${plan.environment} is not a legal rollout: ${result.rejection.message}`,
      );
    story.events.push({
      type: step.type,
      occurredAt,
      data: d,
      stateBefore: projection.state,
      stateAfter: result.rollout.state,
    });
    projection = result.rollout;

    if (step.type === "migration.started")
      story.migrationRuns.push({
        phase: String(d.phase),
        name: String(d.name),
        status: "started",
        startedAt: occurredAt,
        finishedAt: null,
        durationMs: null,
        exitCode: null,
        logTail: null,
      });
    if (step.type === "migration.succeeded" || step.type === "migration.failed") {
      const run = story.migrationRuns.findLast((r) => r.name === d.name)!;
      Object.assign(run, {
        status: step.type === "migration.succeeded" ? "succeeded" : "failed",
        finishedAt: occurredAt,
        durationMs: Number(d.durationMs ?? 0),
        exitCode: Number(d.exitCode ?? 0),
        logTail: (d.logTail as string) ?? null,
      });
    }
    if (step.type === "app.deployed" || step.type === "app.rolled_back") {
      story.deployments.push({
        kind: step.type === "app.deployed" ? "deployed" : "rolled_back",
        version: String(d.version),
        manifest: (d.manifest as string[]) ?? null,
        occurredAt,
      });
      if (step.type === "app.deployed") story.sloFrom = occurredAt;
      else story.sloUntil = occurredAt;
    }
    if (step.type === "flag.changed")
      story.flagChanges.push({ flag: String(d.flag), percent: Number(d.percent), occurredAt });
  }
  // After the contract the release's SLO story is told; stop the series there.
  const contractEnd = story.events.findLast((e) => e.stateAfter === "contracted");
  if (contractEnd) story.sloUntil = contractEnd.occurredAt;
  if (story.sloFrom > story.sloUntil) story.sloFrom = story.sloUntil;
  story.projection = projection;
  return story;
}

/** The demo's past contracts ran under a lease for their script while the gate was open. */
function storyLease(checksum: string): ContractLease {
  return { held: { kind: "gate", tokenId: null, checksum }, senderTokenId: null, gate: { allowed: true, failing: [] } };
}
