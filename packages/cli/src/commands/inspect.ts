import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { collectInspection } from "@rollgate/core/inspect/collect";
import { applicationDatabaseUrl, readCliEnv, rolloutKeys } from "../env.ts";
import { API } from "@rollgate/core/contract/endpoints";
import type { DeclaredDataCheck } from "@rollgate/core/contract/data-checks";
import { explain, is, request } from "../http.ts";
import { checksToRun, readChecksFile, reportChecks } from "./inspect-checks.ts";
import { UsageError, type Io } from "../io.ts";
import { connect } from "../database/connect.ts";
import { ROLLOUT_OPTIONS } from "./send.ts";

/**
 * `rollgate inspect --database-url URL [--contract FILE] [--expand FILE] [--checks FILE] [--check-timeout-ms N] [--window-start] [--print] [--dry-run]`
 * Reads pg_stat_statements, the catalog and current activity in one read-only transaction,
 * runs the rollout's data checks (asked of Rollgate) and those of --checks in it, and sends
 * the summary as a signed `database.inspected` event.
 */
export async function inspectCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args);
  const url = applicationDatabaseUrl(values["database-url"]);
  if (!url)
    throw new UsageError(
      "give --database-url (or set ROLLGATE_DATABASE_URL): the application's database, read-only access is enough.",
    );
  const keys = values["dry-run"] ? null : rolloutKeys(values);
  const env = values["dry-run"] ? null : readCliEnv();
  const script = async (file: string | undefined) => {
    if (!file) return undefined;
    const sql = await readFile(file, "utf8").catch(() => {
      throw new UsageError(`cannot read ${file}.`);
    });
    return { sql, checksum: createHash("sha256").update(sql).digest("hex") };
  };
  const [contract, expand] = [await script(values.contract), await script(values.expand)];
  const fileChecks = values.checks ? await readChecksFile(values.checks) : [];
  const timeout = values["check-timeout-ms"] === undefined ? 60_000 : Number(values["check-timeout-ms"]);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 3_600_000)
    throw new UsageError("--check-timeout-ms is each data check's statement timeout in milliseconds, 1 to 3600000.");
  // The rollout's declared checks (release, earlier --checks, backfills); a dry run has no rollout to ask.
  let declared: DeclaredDataCheck[] = [];
  if (keys && env) {
    const answer = await request(env, API.dataChecks, { params: keys });
    if (!is(answer, 200)) {
      io.err(`rollgate inspect: could not read the rollout's data checks — ${explain(answer)}`);
      return 1;
    }
    declared = answer.json.checks;
  }
  const dataChecks = checksToRun(declared, fileChecks);

  const db = connect(url, "rollgate inspect");
  let summary;
  try {
    summary = await collectInspection(db.query, {
      contract,
      expand,
      windowStart: values["window-start"] ?? false,
      statementTimeoutMs: 10_000,
      dataChecks,
      declaredChecks: fileChecks,
      dataCheckTimeoutMs: timeout,
      describe: db.describe,
    });
  } finally {
    await db.close();
  }
  const s = summary.statistics;
  io.err(
    `rollgate inspect: ${s.available ? `${s.statements} statement(s) (${s.unresolved} not fully resolved), track = ${s.track}` : `no statement statistics — ${s.reason}`}; ` +
      `${summary.statements.length} name what the contract removes; ${summary.expand.filter((o) => o.state !== "present").length} expand drift(s); ${summary.sessions.length} blocking session(s); ${summary.duration_ms} ms.`,
  );
  if (!summary.server.system_identifier)
    io.err(
      "rollgate inspect: the inspecting role may not run pg_control_system(), so the summary does not say which database cluster this is; the usage check stays unknown until it may.",
    );
  if (!summary.usage_complete && s.available)
    io.err(
      "rollgate inspect: the usage map was left out to fit the API's body limit; observed manifests skip this inspection.",
    );
  if (summary.workload && !summary.workload_complete)
    io.err(
      `rollgate inspect: the workload holds the ${summary.workload.length} most-called statement(s), not all (the API's body limit, or texts the inspecting role may not read: grant it pg_read_all_stats); the statements observed of the deployed version will say they are incomplete.`,
    );
  reportChecks(summary.data_checks ?? [], io);
  if (values.print) io.out(JSON.stringify(summary, null, 2));
  if (!keys || !env) return 0;
  const answer = await request(env, API.events, {
    body: { type: "database.inspected", ...keys, occurred_at: new Date().toISOString(), data: summary },
  });
  if (answer.status === 202) return 0;
  io.err(`rollgate inspect: refused — ${explain(answer)}`);
  return 1;
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        ...ROLLOUT_OPTIONS,
        "database-url": { type: "string" },
        contract: { type: "string" },
        expand: { type: "string" },
        checks: { type: "string" },
        "check-timeout-ms": { type: "string" },
        "window-start": { type: "boolean" },
        print: { type: "boolean" },
        "dry-run": { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
