import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import { API } from "@rollgate/core/contract/endpoints";
import type { EventBody } from "@rollgate/core/contract/events";
import { rollbackRehearsedSchema } from "@rollgate/core/contract/rehearsal";
import {
  describeStatementsFileErrors,
  parseStatementsFileSync,
  rehearsalExitCode,
  rehearsalJson,
  rehearsalMarkdown,
  rehearsalText,
  rollbackRehearsedData,
  scriptSyntaxError,
  type RehearsalContext,
  type RehearsalReport,
  type RehearsalStatement,
} from "@rollgate/core/rehearsal";
import { loadSqlParser } from "@rollgate/core/sql";
import type { RehearsalInput } from "@rollgate/drill/rehearse";
import { partialRolloutKeys, readCliEnv, readerSettings } from "../env.ts";
import { explain, is, request } from "../http.ts";
import { UsageError, type Io } from "../io.ts";
import { ROLLOUT_OPTIONS } from "./send.ts";

/** The engine: `@rollgate/drill/rehearse`'s `rehearse`, loaded on demand (tests pass their own). */
export type RehearseEngine = (input: RehearsalInput) => Promise<RehearsalReport>;

const FORMATS = ["text", "json", "markdown"] as const;
type Format = (typeof FORMATS)[number];

/**
 * `rollgate rehearse --expand FILE --contract FILE (--migrations DIR | --schema FILE)
 *  (--statements FILE | --version V) [--format text|json|markdown] [--service S --environment E --release R]`
 *
 * Rehearses an old app version's statements against the schema after expand, then after the
 * contract, on embedded PGlite (no server needed). `--version V` alone fetches the statements
 * Rollgate observed V running (a `gate:read` token); with `--statements FILE` it only names the
 * version the file belongs to. With a token and the rollout keys the report is sent as a signed
 * `rollback.rehearsed` event. Every kind of bad input is one sentence and exit 2, with nothing
 * rehearsed or sent; otherwise the exit code is the report's (0 safe, 1 proof, 3 unverifiable).
 */
export async function rehearseCommand(args: string[], io: Io, engine?: RehearseEngine): Promise<number> {
  const { values } = parse(args);
  const format = (values.format ?? "text") as Format;
  if (!FORMATS.includes(format)) throw new UsageError("--format must be text, json or markdown.");
  if (!values.expand) throw new UsageError("give --expand FILE, the release's expand script.");
  if (!values.contract) throw new UsageError("give --contract FILE, the release's contract script.");
  if (values.migrations && values.schema)
    throw new UsageError("give either --migrations DIR or --schema FILE for the schema before the release, not both.");
  if (!values.migrations && !values.schema)
    throw new UsageError(
      "give --migrations DIR (SQL files applied in name order) or --schema FILE (pg_dump --schema-only) for the schema before the release.",
    );
  if (!values.statements && !values.version)
    throw new UsageError(
      "give --statements FILE (one normalised statement a line) or --version V (the statements Rollgate observed V running).",
    );
  const keys = partialRolloutKeys(values);
  const { url, token } = readerSettings();
  const source = values.statements ? "file" : "observed";

  await loadSqlParser();
  const expand = await script(values.expand, "--expand");
  const contract = await script(values.contract, "--contract");
  const before = values.migrations
    ? { migrations: await migrations(values.migrations) }
    : { dump: await read(values.schema!, "--schema") };

  let statements: RehearsalStatement[];
  if (values.statements) {
    const parsed = parseStatementsFileSync(await read(values.statements, "--statements"));
    if (!parsed.ok)
      throw new UsageError(`--statements ${values.statements}: ${describeStatementsFileErrors(parsed.errors)}`);
    statements = parsed.statements;
  } else {
    statements = await observedStatements(values.version!, keys.service, keys.environment, url, token);
  }

  // Sent only with a token, the three rollout keys and the version: settle that before rehearsing.
  const sendTo =
    token && keys.service && keys.environment && keys.release && values.version
      ? { env: readCliEnv(), key: { service: keys.service, environment: keys.environment, release: keys.release } }
      : null;
  if (token && !sendTo)
    io.err(
      `rollgate rehearse: not sending the report: ${values.version ? "give --service, --environment and --release (or ROLLGATE_SERVICE, …)" : "give --version V to name the version these statements belong to"}.`,
    );

  const run = engine ?? (await loadEngine());
  let report: RehearsalReport;
  try {
    report = await run({ before, expand, contract, statements });
  } catch (error) {
    if ((error as Error).name === "RehearsalInputError") throw new UsageError((error as Error).message);
    // Not the input's fault: no verdict, so the pipeline stops as it would on a proof.
    io.err(`rollgate rehearse: the rehearsal failed: ${(error as Error).message ?? error}`);
    return 1;
  }

  const context: RehearsalContext = { version: values.version, source };
  if (format === "json") io.out(JSON.stringify(rehearsalJson(report, context), null, 2));
  else if (format === "markdown") io.out(rehearsalMarkdown(report, context));
  else io.out(rehearsalText(report, context));

  if (sendTo) {
    const data = rollbackRehearsedSchema.parse(
      rollbackRehearsedData(report, { version: values.version!, contract, source }),
    );
    const answer = await request(sendTo.env, API.events, {
      // Built from the payload's own schema: the server's EVENTS decides whether it takes it.
      body: {
        type: "rollback.rehearsed",
        ...sendTo.key,
        occurred_at: new Date().toISOString(),
        data,
      } as unknown as EventBody,
    }).catch((error: Error) => ({ status: 0, json: null, undeclared: error.message }));
    if (answer.status === 202) io.err(`rollgate rehearse: sent rollback.rehearsed for ${values.version}.`);
    else
      io.err(
        `rollgate rehearse: the report was not recorded by Rollgate — ${answer.status === 0 ? (answer as { undeclared: string }).undeclared : explain(answer)}.`,
      );
  }
  return rehearsalExitCode(report);
}

async function loadEngine(): Promise<RehearseEngine> {
  // Like the drill: a rehearsal lives seconds, and V8's optimising tier would spend more CPU
  // recompiling PGlite's WebAssembly than it saves. Set before the engine is imported.
  v8.setFlagsFromString("--liftoff-only");
  return (await import("@rollgate/drill/rehearse")).rehearse;
}

async function read(file: string, flag: string): Promise<string> {
  return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${flag} ${file} (${error.code ?? error.message}).`);
  });
}

async function script(file: string, flag: string): Promise<string> {
  const text = await read(file, flag);
  const problem = scriptSyntaxError(text);
  if (problem)
    throw new UsageError(`${flag} ${file}, line ${problem.line}: PostgreSQL cannot parse it: ${problem.message}.`);
  return text;
}

/** The *.sql files of DIR in name order, each of which must parse. */
async function migrations(dir: string): Promise<Array<{ name: string; sql: string }>> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read --migrations ${dir} (${error.code ?? error.message}).`);
  });
  const files = names.filter((n) => n.endsWith(".sql")).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) throw new UsageError(`--migrations ${dir} holds no .sql file.`);
  const out: Array<{ name: string; sql: string }> = [];
  for (const name of files) {
    out.push({ name, sql: await script(path.join(dir, name), "--migrations") });
  }
  return out;
}

/** `GET …/versions/{version}/statements` with a gate:read token: what Rollgate saw V running. */
async function observedStatements(
  version: string,
  service: string | undefined,
  environment: string | undefined,
  base: string | undefined,
  token: string | undefined,
): Promise<RehearsalStatement[]> {
  if (!service || !environment)
    throw new UsageError(
      "--version needs the rollout's --service and --environment (or ROLLGATE_SERVICE, ROLLGATE_ENVIRONMENT), or give --statements FILE.",
    );
  if (!base || !URL.canParse(base) || !token)
    throw new UsageError(
      "--version asks Rollgate for the statements it observed: set ROLLGATE_URL and ROLLGATE_TOKEN (a gate:read token), or give --statements FILE.",
    );
  const never = `Rollgate never observed version ${version} running in ${environment}; run \`rollgate inspect\` while it is deployed (statements are learned between two inspections), or give --statements FILE.`;
  // A read: no signing secret is needed (it signs only events and lease requests).
  const reader = { ROLLGATE_URL: base, ROLLGATE_TOKEN: token, ROLLGATE_SECRET: "" };
  const answer = await request(reader, API.observedStatements, { params: { service, environment, version } }).catch(
    (error: Error) => {
      throw new UsageError(`${error.message}; cannot fetch the statements of ${version}.`);
    },
  );
  if (answer.status === 404) throw new UsageError(never);
  if (!is(answer, 200)) throw new UsageError(`Rollgate refused the statements of ${version}: ${explain(answer)}.`);
  if (answer.json.statements.length === 0) throw new UsageError(never);
  return answer.json.statements.map((s) => ({ text: s.text, calls: s.calls, ...(s.role ? { role: s.role } : {}) }));
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        ...ROLLOUT_OPTIONS,
        expand: { type: "string" },
        contract: { type: "string" },
        migrations: { type: "string" },
        schema: { type: "string" },
        statements: { type: "string" },
        version: { type: "string" },
        format: { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
