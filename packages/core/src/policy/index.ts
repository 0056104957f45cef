export { activeFreeze, localTime, type ActiveFreeze } from "./freeze.ts";
export { defaultPolicy, parsePolicy, policySchema, type FreezeWindow, type Policy, type PolicyResult } from "./schema.ts";
export { DATABASE_POLICY_DEFAULTS, databasePolicy, databasePolicySchema, type DatabasePolicy } from "./database.ts";
