export { activeFreeze, localTime, type ActiveFreeze } from "./freeze.ts";
export {
  defaultPolicy,
  newEnvironment,
  parsePolicy,
  policySchema,
  type FreezeWindow,
  type Policy,
  type PolicyResult,
} from "./schema.ts";
export {
  MIN_SAMPLING_INTERVAL_SECONDS,
  renderQuery,
  samplingSlot,
  sloSourceSchema,
  type SloObjective,
  type SloSource,
} from "./slo-source.ts";
export { DATABASE_POLICY_DEFAULTS, databasePolicy, databasePolicySchema, type DatabasePolicy } from "./database.ts";
export {
  isProductionLike,
  PRODUCTION_LIKE_NAME,
  proposedProductionLike,
  type EnvironmentKind,
} from "./production-like.ts";
