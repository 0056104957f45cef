export type { RehearsalReport, RehearsalStatement, StatementRehearsal, StepError } from "./types.ts";
