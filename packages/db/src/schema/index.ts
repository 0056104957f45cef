export * from "./api.ts";
export * from "./audit.ts";
export * from "./auth.ts";
export * from "./gate.ts";
export * from "./releases.ts";
export * from "./services.ts";
export * from "./signals.ts";
export * from "./inspections.ts";
