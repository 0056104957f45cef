import type { SamplesWithheld } from "../contract/data-checks.ts";
import type { ExpandObjectState, Inspection } from "../contract/inspection.ts";
import type { RehearsalProof } from "../contract/rehearsal.ts";
import type { RehearsalFact } from "../eligibility/index.ts";
import type { AnalysedStatement, RemovedObject } from "../sql/types.ts";
import type { RolloutProjection, RolloutState } from "../types.ts";

export const GATE_CHECK_IDS = [
  "expand",
  "rollback_window",
  "flag",
  "slo",
  "backup",
  "promotion",
  "no_go",
  "approvals",
  "lease",
  "usage",
  "expand_live",
  "lock_risk",
  "data",
  "rehearsal",
] as const;
export type GateCheckId = (typeof GATE_CHECK_IDS)[number];

export interface ApprovalFact {
  approverId: string;
  approverEmail: string;
  /** The role the approver held when deciding (shown, never counted). */
  role: string;
  /** The roles the approver holds on this service now: a revoked role stops counting. */
  currentRoles: readonly string[];
  decision: "approve" | "reject";
  contractChecksum: string;
  decidedAt: Date;
  withdrawnAt: Date | null;
}

export interface OverrideFact {
  kind: "break_glass" | "recovery";
  checks: GateCheckId[];
  actor: string;
  createdAt: Date;
  expiresAt: Date;
  /** When a second person confirmed it (required where the policy says so, e.g. production). */
  confirmedAt: Date | null;
}

/** What the worker's pulls from the policy's SLO source (Prometheus) found for this rollout. */
export interface SloPullFacts {
  /** When the newest good sample was taken (null: none yet). */
  lastOkAt: Date | null;
  /** The newest attempt, good or not. */
  lastAttempt: { at: Date; ok: boolean; error: string | null } | null;
}

/** Everything the gate needs, loaded cheaply: aggregates, never raw series. */
export interface GateFacts {
  rollout: RolloutProjection;
  /** Contract-category findings of the analyser in the expand script; null: Rollgate holds no text of the expand that ran. */
  expandDestructiveFindings: number | null;
  /** SLO snapshots since the window started: their count and the worst values. */
  slo: {
    samples: number;
    minAvailability: number | null;
    minErrorBudgetRemaining: number | null;
    maxBurnRate: number | null;
    pulls?: SloPullFacts;
  };
  /** The newest backup whose restore was tested. */
  latestTestedBackup: { backupId: string; verifiedAt: Date } | null;
  /** The same release in every earlier environment (null state: never started there), with the
   * checksum of the contract script that succeeded there (null: none did). */
  earlierEnvironments: Array<{ name: string; state: RolloutState | null; contractChecksum: string | null }>;
  /** Open incidents that block contract; alerting ones carry where they came from and a link. */
  openIncidents: Array<{ title: string; openedAt: Date; source?: string; url?: string | null }>;
  /** The environment's name (shown in sentences; nothing is decided by it). */
  environment: string;
  /** The environment's production-like flag: a second person confirms overrides unless the policy says otherwise. */
  productionLike: boolean;
  /** The release's author as CI sent it, and the people it resolves to (empty: nobody known). */
  releaseAuthor: string;
  authorIds: readonly string[];
  approvals: ApprovalFact[];
  activeLease: { holder: string; expiresAt: Date } | null;
  overrides: OverrideFact[];
  /** Facts from the application's database (`database.inspected`); absent: none loaded. */
  database?: DatabaseFacts;
  /** The rollout's declared data checks, each with its newest result since the window started; absent: none declared. */
  dataChecks?: readonly DataCheckFact[];
  /** The version a rollback would go back to and its newest rehearsal against this release's contract script; absent: not loaded. */
  rehearsal?: RehearsalGateFact;
}

/** The previous version (null: none was deployed here before this release) and its newest rehearsal of the rollout's contract checksum. */
export interface RehearsalGateFact {
  previousVersion: string | null;
  newest: RehearsalFact | null;
}

/** One declared data check and its newest run (of the same checksum) since the rollback window started. */
export interface DataCheckFact {
  name: string;
  checksum: string;
  source: "release" | "inspect" | "backfill";
  declaredAt: Date;
  newest: DataCheckRun | null;
}

export interface DataCheckRun {
  /** When Rollgate received the inspection that ran it. */
  receivedAt: Date;
  rows: number;
  sampleKeys: string[];
  /** Why a run that found rows carries no sample keys (its first column is not a primary key column). */
  samplesWithheld: SamplesWithheld | null;
  durationMs: number;
  error: string | null;
}

export interface GateCheck {
  id: GateCheckId;
  title: string;
  /** `unknown`: the facts to decide are missing (e.g. no statement statistics); it never passes. */
  status: "pass" | "fail" | "pending" | "unknown";
  message: string;
  until?: Date;
  /** Where to read more (the alert or incident behind a no-go). */
  links?: Array<{ label: string; href: string }>;
  /** A failing or pending check that a live break-glass override lets through. */
  overridden?: boolean;
  /** False for a check the policy only shows (informational); absent means it blocks. */
  blocking?: boolean;
  /** Evidence behind the sentence (statements and calls, drift, lock risk). */
  details?: CheckDetails;
}

export interface GateVerdict {
  allowed: boolean;
  checks: GateCheck[];
  windowEndsAt: Date | null;
  approvals: { have: number; need: number };
}

// What `rollgate inspect` found in the application's own database (the checks are in database.ts).

/** One stored inspection, without its usage map (the gate never needs it). */
export interface InspectionFact {
  id: string;
  receivedAt: Date;
  summary: Omit<Inspection, "usage">;
}

export interface DatabaseFacts {
  /** The first inspection of the window (flagged by the pipeline, or the first after it started). */
  baseline: InspectionFact | null;
  /** The newest inspection. */
  recent: InspectionFact | null;
  /** The inspection before the newest one, when it is later than the baseline. */
  previous?: InspectionFact | null;
  /** Whether this environment ever sent an inspection ("auto" policies block from then on). */
  environmentInspected: boolean;
  /** The contract script's removed objects and statements (analyser), and its checksum. Read-only: the
   * server shares one object per script, and the gate keeps what it works out of it per object. */
  contract: {
    readonly checksum: string;
    readonly removed: readonly RemovedObject[];
    readonly statements: readonly AnalysedStatement[];
  } | null;
  expandChecksum: string | null;
}

export interface UsageEvidence {
  id: string;
  text: string;
  callsBefore: number;
  callsAfter: number;
  objects: string[];
  unknown?: string;
}

export type CheckDetails =
  | { kind: "usage"; baselineAt: Date | null; recentAt: Date | null; statements: UsageEvidence[] }
  | { kind: "expand_live"; inspectedAt: Date | null; objects: ExpandObjectState[] }
  | { kind: "lock_risk"; inspectedAt: Date | null; statements: readonly LockRisk[] }
  | { kind: "data"; checks: DataCheckEvidence[] }
  | {
      kind: "rehearsal";
      version: string;
      contractChecksum: string;
      receivedAt: Date;
      source: RehearsalFact["source"];
      statements: number;
      passed: number;
      noise: number;
      unverifiable: number;
      proofCount: number;
      /** The first few proofs. */
      proofs: RehearsalProof[];
    };

/** A data check as the gate shows it: its newest counting run, or none. */
export interface DataCheckEvidence {
  name: string;
  checksum: string;
  source: DataCheckFact["source"];
  status: "pass" | "fail" | "pending";
  ranAt: Date | null;
  rows: number | null;
  sampleKeys: string[];
  samplesWithheld: SamplesWithheld | null;
  error: string | null;
}

export interface LockRisk {
  statement: number;
  line: number;
  lock: string | null;
  table: string | null;
  rewrites: boolean;
  bytes: number | null;
  rows: number | null;
  blockers: ReadonlyArray<{ pid: number; state: string; mode: string; xactSeconds: number | null }>;
}
