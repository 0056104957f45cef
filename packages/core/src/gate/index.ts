export { approvalsNeeded, countApprovals } from "./approvals.ts";
export { evaluateGate, liveOverrides } from "./evaluate.ts";
export {
  GATE_CHECK_IDS,
  type ApprovalFact,
  type CheckDetails,
  type DataCheckEvidence,
  type DataCheckFact,
  type DataCheckRun,
  type DatabaseFacts,
  type GateCheck,
  type GateCheckId,
  type GateFacts,
  type GateVerdict,
  type InspectionFact,
  type LockRisk,
  type OverrideFact,
  type RehearsalGateFact,
  type SloPullFacts,
  type UsageEvidence,
} from "./facts.ts";
export { expandLiveCheck, lockRiskCheck, usageCheck } from "./database.ts";
export { dataCheck, dataCheckStaleAt } from "./data.ts";
export { rehearsalCheck } from "./rehearsal.ts";
export { openChecks } from "./open-checks.ts";
export { gateDecisionKey, nextGateChange } from "./wait.ts";
