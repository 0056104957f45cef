export { activeFreeze, localTime, type ActiveFreeze } from "./freeze.ts";
export { defaultPolicy, parsePolicy, policySchema, type FreezeWindow, type Policy, type PolicyResult } from "./schema.ts";
