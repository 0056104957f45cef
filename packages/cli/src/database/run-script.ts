import { analyseSqlSync, loadSqlParser } from "@rollgate/core/sql";
import type { Io } from "../io.ts";
import { connect } from "./connect.ts";
import { blockingSessions, executeScript, splitScript, type ExecuteResult, type ProgressEvent } from "./executor.ts";

export interface RunSettings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  retries: number;
  blockers: "wait" | "stop";
  blockerWaitSeconds: number;
}

/**
 * `rollgate run --database-url`: executes the script itself. Before a contract it looks for
 * sessions that would block its locks and waits for them (with a countdown) or stops.
 */
export async function runScript(
  io: Io,
  options: {
    url: string;
    sql: string;
    phase: "expand" | "contract";
    settings: RunSettings;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<ExecuteResult & { tail: string[] }> {
  const { settings } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const tail: string[] = [];
  const say = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    io.err(io.interactive ? line : `${new Date().toISOString()} ${line}`);
  };
  const conn = connect(options.url, `rollgate run ${options.phase}`);
  try {
    const statements = await splitScript(options.sql);
    if (options.phase === "contract") {
      await loadSqlParser();
      const tables = [
        ...new Set(
          analyseSqlSync(options.sql, { phase: "contract" })
            .statements.filter((s) => s.lock && s.table)
            .map((s) => qualify(s.table!)),
        ),
      ];
      const deadline = Date.now() + settings.blockerWaitSeconds * 1000;
      for (;;) {
        const blockers = await blockingSessions(conn.query, tables, Math.max(1, settings.lockTimeoutMs / 1000));
        if (blockers.length === 0) break;
        const list = blockers
          .map(
            (b) =>
              `pid ${b.pid} (${b.state ?? "?"}, ${b.mode} on ${b.table}${b.xact_seconds !== null ? `, transaction ${Math.round(Number(b.xact_seconds))} s old` : ""})`,
          )
          .join("; ");
        const left = Math.ceil((deadline - Date.now()) / 1000);
        if (settings.blockers === "stop" || left <= 0) {
          say(
            `rollgate run: sessions would block the contract's locks: ${list}. ${settings.blockers === "stop" ? "The policy says stop" : "Waited long enough"}; nothing was run.`,
          );
          return {
            ok: false,
            statements: [],
            error: { index: -1, code: "blocked", message: `blocked by ${list}` },
            tail,
          };
        }
        if (io.interactive)
          io.err(`\rwaiting for ${blockers.length} blocking session(s), ${left} s left: ${list}`.slice(0, 200));
        else say(`waiting for ${blockers.length} blocking session(s), ${left} s left: ${list}`);
        await sleep(Math.min(5000, Math.max(1000, left * 100)));
      }
    }
    const result = await executeScript(conn.query, statements, {
      ...settings,
      onProgress: (e) => progress(e, io, say),
    });
    if (!result.ok) say(`rollgate run: statement ${result.error!.index + 1} failed: ${result.error!.message}`);
    return { ...result, tail };
  } finally {
    await conn.close();
  }
}

function progress(e: ProgressEvent, io: Io, say: (line: string) => void): void {
  const head = `[${e.statement.index + 1}/${e.total}] line ${e.statement.line}: ${e.statement.text.replace(/\s+/g, " ").slice(0, 60)}`;
  if (e.kind === "start" && io.interactive) io.err(`\r${head} …`);
  else if (e.kind === "lock_timeout")
    say(
      `${head} — lock not available within lock_timeout (attempt ${e.attempt}); rolled back, retrying in ${e.waitMs} ms`,
    );
  else if (e.kind === "done") say(`${head} — ok in ${e.durationMs} ms`);
}

function qualify(table: string): string {
  return table.includes(".") ? table.toLowerCase() : `public.${table.toLowerCase()}`;
}
