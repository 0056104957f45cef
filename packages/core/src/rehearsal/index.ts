export type { RehearsalReport, RehearsalStatement, StatementRehearsal, StepError } from "./types.ts";
export {
  MAX_STATEMENT_LENGTH,
  describeStatementsFileErrors,
  parseStatementsFile,
  parseStatementsFileSync,
  type StatementsFile,
  type StatementsFileError,
} from "./statements-file.ts";
export {
  EXIT_CODES,
  rehearsalCounts,
  rehearsalExitCode,
  rehearsalVerdict,
  type RehearsalCounts,
  type RehearsalVerdict,
} from "./verdict.ts";
export { MAX_PROOFS, contractChecksum, rollbackRehearsedData } from "./event.ts";
export {
  rehearsalJson,
  rehearsalMarkdown,
  rehearsalText,
  type RehearsalContext,
  type RehearsalJson,
} from "./output.ts";
export { scriptSyntaxError } from "./script-syntax.ts";
