import { execFileSync, execSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A private PostgreSQL server that a test may stop, kill and start without touching the
 * shared one. Runs as the `postgres` user when we are root (PostgreSQL refuses root). */
export class PostgresCluster {
  readonly dataDir: string;
  private readonly bin: string;

  /** `settings`: server options for every start, e.g. `{ shared_preload_libraries: "pg_stat_statements" }`. */
  constructor(
    readonly port: number,
    private readonly settings: Record<string, string> = {},
  ) {
    const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
    this.bin = `/usr/lib/postgresql/${versions[0]}/bin`;
    const parent = mkdtempSync(path.join(tmpdir(), "rollgate-pg-"));
    chmodSync(parent, 0o777);
    this.dataDir = path.join(parent, "data");
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** The server's programs (initdb, pg_ctl, pg_basebackup, pgbench, …) of the newest installed version. */
  get binDir(): string {
    return this.bin;
  }

  /** `hba`: lines appended to pg_hba.conf (later lines lose to earlier ones; initdb's own come first). */
  init(options: { hba?: string[] } = {}): this {
    this.run(`mkdir -p ${this.dataDir} && ${this.bin}/initdb -D ${this.dataDir} -U postgres --auth=trust >/dev/null`);
    for (const line of options.hba ?? []) this.run(`echo '${line}' >> ${this.dataDir}/pg_hba.conf`);
    return this;
  }

  /** Instead of init(): this data folder becomes a streaming standby of `primary` (`pg_basebackup -R`:
   * standby.signal and primary_conninfo are written for us). The primary must allow replication
   * connections from 127.0.0.1 and be running. */
  initStandbyOf(primary: PostgresCluster): this {
    this.run(
      `${this.bin}/pg_basebackup -h 127.0.0.1 -p ${primary.port} -U postgres -D ${this.dataDir} -R -X stream -c fast >/dev/null`,
    );
    return this;
  }

  /** Starts the server; after a crash it retries while the dead server's processes exit. */
  start(): void {
    const extra = Object.entries(this.settings)
      .map(([k, v]) => ` -c ${k}=${v}`)
      .join("");
    const command = `${this.bin}/pg_ctl -D ${this.dataDir} -l ${this.dataDir}/server.log -w -o "-p ${this.port} -c listen_addresses=127.0.0.1 -k /tmp${extra}" start >/dev/null`;
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.run(command);
        return;
      } catch (error) {
        if (attempt >= 20) throw error;
        execSync("sleep 0.5");
      }
    }
  }

  /** `fast`: disconnect clients and shut down cleanly; `immediate`: a crash, recovery on next start. */
  stop(mode: "fast" | "immediate" = "fast"): void {
    this.run(`${this.bin}/pg_ctl -D ${this.dataDir} -m ${mode} -w stop >/dev/null`);
  }

  /** SIGKILL the server and its backends at once, as a machine crash would. */
  kill(): void {
    const pid = execSync(`head -1 ${this.dataDir}/postmaster.pid`).toString().trim();
    execSync(`pkill -KILL -P ${pid} || true`);
    process.kill(Number(pid), "SIGKILL");
  }

  destroy(): void {
    try {
      this.stop("immediate");
    } catch {
      // already stopped
    }
    rmSync(path.dirname(this.dataDir), { recursive: true, force: true });
  }

  /** Runs a shell command as the user that owns the server's files. */
  run(command: string): void {
    const asRoot = process.getuid?.() === 0;
    if (asRoot) execFileSync("su", ["postgres", "-s", "/bin/bash", "-c", command], { stdio: "inherit" });
    else execFileSync("bash", ["-c", command], { stdio: "inherit" });
  }
}
