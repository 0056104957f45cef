import { processIo, UsageError, type Io } from "./io.ts";

const USAGE = `rollgate — release gate for rollback-safe PostgreSQL schema changes

Usage:
  rollgate lint FILE… --phase expand|contract|from-file [--format text|json|sarif|github|markdown|codequality]
                [--environment E] [--locking-is-error]
  rollgate send TYPE --data FILE|- [--service S --environment E --release R]
  rollgate run --phase expand|contract --file FILE [--lease ID] -- COMMAND…
  rollgate run --phase expand|contract --file FILE --database-url URL [--lock-timeout 3s] [--retries 10] [--blockers wait|stop]
  rollgate inspect --database-url URL [--contract FILE] [--expand FILE] [--checks FILE] [--check-timeout-ms N] [--window-start] [--print] [--dry-run]
  rollgate backfill --database-url URL --table T --set "col = expr[, …]" [--where PREDICATE] [--key COL[,…]]
                [--batch-size 1000] [--batch-target 200ms] [--max-lag 1s] [--lock-timeout 2s] [--restart]
  rollgate gate [--wait] [--timeout 2h] [--interval 50s]   (--interval: longest hold of one wait request)
  rollgate token create --service S --environments staging,production [--scopes …] [--json]
  rollgate rehearse --expand FILE --contract FILE (--migrations DIR | --schema FILE) (--statements FILE | --version V)
                [--format text|json|markdown] [--service S --environment E --release R]
  rollgate drill [--scenario unsafe|safe|both|late-writes|all] [--json] [--out DIR]
  rollgate worker [--json]

send, run, inspect, backfill and gate read ROLLGATE_URL, ROLLGATE_TOKEN and ROLLGATE_SECRET, and take the
rollout from --service/--environment/--release or ROLLGATE_SERVICE/_ENVIRONMENT/_RELEASE.
token create writes to DATABASE_URL (or the embedded data folder); worker runs the
background jobs (SLO sampling, lease expiry, pruning) on DATABASE_URL.

rehearse runs the old version's statements (a file, or those Rollgate observed --version V running,
with a gate:read token) after expand and after the contract on embedded PostgreSQL; with a token
and the rollout it sends the report as a signed rollback.rehearsed event. It exits 0 safe, 1 proof
of unsafety, 3 unverifiable statements and no proof, 2 bad input (nothing sent).

backfill resumes from its checkpoint (rollgate.backfill_checkpoints in the application's
database) unless --restart, and waits while a replica lags, a no-go or the SLO fails, or the
dashboard paused it.

Exit codes: 0 success; 1 findings, a refused event, or a backfill that failed or was cancelled;
2 usage error (a backfill refused before writing anything); 3 gate denied (or the lease
gone to another job: 409 with the reason); 4 timeout. inspect's failing data checks do not
change its exit code (0: the summary was sent); each prints FAILS on stderr and the gate fails.`;

type Command = (args: string[], io: Io) => Promise<number>;
// Loaded on demand: `--help` and `send` never load the SQL parser, and nothing but `token`
// and `drill` loads a database driver (the packed CLI starts in a fraction of the time).
const commands: Record<string, () => Promise<Command>> = {
  lint: async () => (await import("./lint/command.ts")).lintCommand,
  send: async () => (await import("./commands/send.ts")).sendCommand,
  run: async () => (await import("./commands/run.ts")).runCommand,
  gate: async () => (await import("./commands/gate.ts")).gateCommand,
  token: async () => (await import("./commands/token.ts")).tokenCommand,
  drill: async () => (await import("./commands/drill.ts")).drillCommand,
  worker: async () => (await import("./commands/worker.ts")).workerCommand,
  inspect: async () => (await import("./commands/inspect.ts")).inspectCommand,
  backfill: async () => (await import("./commands/backfill.ts")).backfillCommand,
  rehearse: async () => (await import("./commands/rehearse.ts")).rehearseCommand,
};

/** Runs one `rollgate` command and returns its exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    io.err(`rollgate: unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (
      await load()
    )(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`rollgate ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
