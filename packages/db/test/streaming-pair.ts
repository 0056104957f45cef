import { createServer } from "node:net";
import postgres from "postgres";
import { PostgresCluster } from "./postgres-cluster.ts";

/** Settings a primary needs to feed a streaming standby (PostgreSQL 15's defaults, stated so that a
 * changed default or a shared postgresql.conf cannot silently turn replication off). */
export const PRIMARY_SETTINGS = {
  wal_level: "replica",
  max_wal_senders: "5",
  hot_standby: "on",
};

/** A real primary and a real streaming standby on private ports, started as the `postgres` user
 * (when we are root), for tests and benchmarks that need replica lag from `pg_stat_replication`.
 * The standby is a `pg_basebackup -R` copy of the primary; its `cluster_name` is its
 * `application_name` in the primary's `pg_stat_replication`. */
export class StreamingPair {
  readonly primary: PostgresCluster;
  readonly standby: PostgresCluster;
  /** The standby's `application_name` in the primary's `pg_stat_replication`. */
  readonly standbyName: string;

  private constructor(primary: PostgresCluster, standby: PostgresCluster, standbyName: string) {
    this.primary = primary;
    this.standby = standby;
    this.standbyName = standbyName;
  }

  /** Starts both servers and waits until the primary sees the standby streaming. On any failure
   * everything started so far is stopped and removed again. `settings` are given to both servers. */
  static async start(options: {
    primaryPort: number;
    standbyPort: number;
    settings?: Record<string, string>;
    standbyName?: string;
  }): Promise<StreamingPair> {
    const settings = { ...PRIMARY_SETTINGS, ...options.settings };
    const primary = new PostgresCluster(options.primaryPort, settings);
    const standbyName = options.standbyName ?? "standby";
    const standby = new PostgresCluster(options.standbyPort, { ...settings, cluster_name: standbyName });
    try {
      primary.init({ hba: ["host replication postgres 127.0.0.1/32 trust"] }).start();
      standby.initStandbyOf(primary).start();
      const pair = new StreamingPair(primary, standby, standbyName);
      await pair.waitStreaming();
      return pair;
    } catch (error) {
      standby.destroy();
      primary.destroy();
      throw error;
    }
  }

  /** Polls the primary's `pg_stat_replication` until the standby's row says `streaming`. */
  async waitStreaming(timeoutMs = 30_000): Promise<void> {
    const sql = postgres(this.primary.url, { max: 1, onnotice: () => undefined });
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rows = await sql`select state from pg_stat_replication where application_name = ${this.standbyName}`;
        if (rows.some((r) => r.state === "streaming")) return;
        if (Date.now() > deadline)
          throw new Error(`the standby on port ${this.standby.port} is not streaming after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await sql.end();
    }
  }

  /** Stops both servers at once (`pg_ctl stop -m immediate`) and removes their folders. */
  destroy(): void {
    this.standby.destroy();
    this.primary.destroy();
  }
}

/** The first `count` ports in `from..to` that nothing on 127.0.0.1 listens on (a test's private
 * cluster ports, so that two runs on a shared machine do not collide). */
export async function freePorts(from: number, to: number, count: number): Promise<number[]> {
  const found: number[] = [];
  for (let port = from; port <= to && found.length < count; port += 1) if (await isFree(port)) found.push(port);
  if (found.length < count) throw new Error(`fewer than ${count} free ports in ${from}-${to}`);
  return found;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** `"5520-5539"` → `[5520, 5539]`; the port range a test may use for private clusters. */
export function portRange(spec: string | undefined, fallback: [number, number]): [number, number] {
  if (!spec) return fallback;
  const match = /^(\d+)-(\d+)$/.exec(spec.trim());
  if (!match) throw new Error(`a port range looks like 5520-5539, not "${spec}"`);
  return [Number(match[1]), Number(match[2])];
}
