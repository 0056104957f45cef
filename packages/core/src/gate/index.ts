export { approvalsNeeded, countApprovals } from "./approvals.ts";
export { evaluateGate, liveOverrides } from "./evaluate.ts";
export {
  GATE_CHECK_IDS,
  type ApprovalFact,
  type GateCheck,
  type GateCheckId,
  type GateFacts,
  type GateVerdict,
  type OverrideFact,
  type SloPullFacts,
} from "./facts.ts";
export {
  expandLiveCheck,
  lockRiskCheck,
  usageCheck,
  type CheckDetails,
  type DatabaseFacts,
  type InspectionFact,
  type LockRisk,
  type UsageEvidence,
} from "./database.ts";
export { openChecks } from "./open-checks.ts";
export { gateDecisionKey, nextGateChange } from "./wait.ts";
