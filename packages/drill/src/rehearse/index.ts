// `@rollgate/drill/rehearse`: the statements an old app version runs, prepared (and, for a
// write, executed in a rolled-back savepoint) against the schema after expand, then after the
// contract, on embedded PGlite. See docs/rehearsal.md.

export type { RehearsalReport, RehearsalStatement, StatementRehearsal, StepError } from "@rollgate/core/rehearsal";
export { RehearsalInputError, type RehearsalInput, type RehearsalOptions } from "./input.ts";
export { rehearse } from "./engine.ts";
