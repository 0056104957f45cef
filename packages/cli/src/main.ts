import { processIo, UsageError, type Io } from "./io.ts";
import { lintCommand } from "./lint/command.ts";

const USAGE = `rollgate — release gate for rollback-safe PostgreSQL schema changes

Usage:
  rollgate lint FILE… --phase expand|contract [--format text|json|sarif] [--locking-is-error]

Exit codes: 0 clean, 1 errors found, 2 usage error or unreadable file.`;

type Command = (args: string[], io: Io) => Promise<number>;
const commands: Record<string, Command> = { lint: lintCommand };

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
