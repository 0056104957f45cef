import { processIo, UsageError, type Io } from "./io.ts";
import { drillCommand } from "./commands/drill.ts";
import { gateCommand } from "./commands/gate.ts";
import { inspectCommand } from "./commands/inspect.ts";
import { runCommand } from "./commands/run.ts";
import { sendCommand } from "./commands/send.ts";
import { tokenCommand } from "./commands/token.ts";
import { lintCommand } from "./lint/command.ts";

const USAGE = `rollgate — release gate for rollback-safe PostgreSQL schema changes

Usage:
  rollgate lint FILE… --phase expand|contract [--format text|json|sarif] [--locking-is-error]
  rollgate send TYPE --data FILE|- [--service S --environment E --release R]
  rollgate run --phase expand|contract --file FILE [--lease ID] -- COMMAND…
  rollgate run --phase expand|contract --file FILE --database-url URL [--lock-timeout 3s] [--retries 10] [--blockers wait|stop]
  rollgate inspect --database-url URL [--contract FILE] [--expand FILE] [--window-start] [--print] [--dry-run]
  rollgate gate [--wait] [--timeout 2h] [--interval 10s]
  rollgate token create --service S --environments staging,production [--scopes …] [--json]
  rollgate drill [--scenario unsafe|safe|both] [--json] [--out DIR]

send, run, inspect and gate read ROLLGATE_URL, ROLLGATE_TOKEN and ROLLGATE_SECRET, and take the
rollout from --service/--environment/--release or ROLLGATE_SERVICE/_ENVIRONMENT/_RELEASE.
token create writes to DATABASE_URL (or the embedded data folder).

Exit codes: 0 success; 1 findings or a refused event; 2 usage error; 3 gate denied; 4 timeout.`;

type Command = (args: string[], io: Io) => Promise<number>;
const commands: Record<string, Command> = { lint: lintCommand, send: sendCommand, run: runCommand, gate: gateCommand, token: tokenCommand, drill: drillCommand, inspect: inspectCommand };

/** Runs one `rollgate` command and returns its exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err(`rollgate: unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`rollgate ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
