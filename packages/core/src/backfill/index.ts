export * from "./definition.ts";
export * from "./refusals.ts";
export * from "./catalog.ts";
export * from "./statements.ts";
export * from "./lag.ts";
export * from "./batch-size.ts";
export * from "./throttle.ts";
export * from "./identity.ts";
