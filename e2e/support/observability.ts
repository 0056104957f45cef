import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitFor } from "./app-server";
import { startOnFreePort } from "./free-port";

// Real Prometheus and Alertmanager (Debian's packages) around a test exporter whose
// availability the test sets, for the SLO-source and alerting tests. Each on a free port, chosen
// when it first starts and kept across restarts (a policy names Prometheus by its URL).

/** Something that listens on a port, read when a configuration that points to it is written. */
export interface Listening {
  readonly port: number;
}

/** Serves `rollgate_test_availability{service=…}` (a percentage) for the services the test sets. */
export class TestExporter implements Listening {
  private server: Server | undefined;
  readonly availability = new Map<string, number>();

  /** Its port, once it has started. */
  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === "string") throw new Error("the exporter has not started");
    return address.port;
  }

  async start(): Promise<void> {
    this.server = createServer((_req, res) => {
      const lines = [
        "# TYPE rollgate_test_availability gauge",
        ...[...this.availability].map(([service, v]) => `rollgate_test_availability{service="${service}"} ${v}`),
      ];
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(`${lines.join("\n")}\n`);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

abstract class Daemon implements Listening {
  private child: ChildProcess | undefined;
  private chosenPort = 0;
  readonly output: string[] = [];
  protected readonly dir = mkdtempSync(path.join(tmpdir(), "rollgate-obs-"));

  /** Its port, chosen when it first starts and kept across restarts. */
  get port(): number {
    if (this.chosenPort === 0) throw new Error("the daemon has not started: its port is chosen then");
    return this.chosenPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  protected abstract command(): { bin: string; args: string[] };
  protected abstract readyPath: string;

  async start(): Promise<void> {
    // A daemon that lost its port to another process exits; one still running failed otherwise.
    await startOnFreePort(
      this.chosenPort,
      (port) => {
        this.chosenPort = port;
        return this.startOnce();
      },
      () => this.child?.exitCode !== null,
    );
  }

  private async startOnce(): Promise<void> {
    const { bin, args } = this.command();
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout?.on("data", (d: Buffer) => this.output.push(d.toString()));
    child.stderr?.on("data", (d: Buffer) => this.output.push(d.toString()));
    const died = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`${bin} exited (${code}):\n${this.output.join("")}`))),
    );
    died.catch(() => {}); // a later, ordinary exit is not an error
    try {
      const ready = async () => (await fetch(`${this.url}${this.readyPath}`).catch(() => null))?.ok === true;
      await Promise.race([waitFor(ready, 30_000), died]);
    } catch (error) {
      child.kill("SIGKILL"); // never left running behind a failed start
      throw error;
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

/** Prometheus scraping the exporter every second, with one alert rule, sending to Alertmanager. */
export class TestPrometheus extends Daemon {
  protected readyPath = "/-/ready";

  constructor(
    private readonly exporter: Listening,
    private readonly alertmanager: Listening | null,
  ) {
    super();
  }

  /** Waits until an instant query returns at least one series (the exporter has been scraped). */
  async waitForSeries(promql: string, timeoutMs = 15_000): Promise<void> {
    await waitFor(async () => {
      const answer = (await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`)
        .then((r) => r.json())
        .catch(() => null)) as { data?: { result?: unknown[] } } | null;
      return (answer?.data?.result?.length ?? 0) > 0;
    }, timeoutMs);
  }

  protected command() {
    writeFileSync(
      path.join(this.dir, "rules.yml"),
      `groups:
  - name: rollgate-test
    interval: 1s
    rules:
      - alert: AvailabilityLow
        expr: rollgate_test_availability < 99
        labels: { severity: page }
        annotations: { summary: "availability below 99 %" }
`,
    );
    writeFileSync(
      path.join(this.dir, "prometheus.yml"),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
${this.alertmanager ? `alerting:\n  alertmanagers:\n    - static_configs: [{ targets: ["127.0.0.1:${this.alertmanager.port}"] }]\n` : ""}scrape_configs:
  - job_name: exporter
    static_configs: [{ targets: ["127.0.0.1:${this.exporter.port}"] }]
`,
    );
    return {
      bin: "/usr/bin/prometheus",
      args: [
        `--config.file=${path.join(this.dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(this.dir, "data")}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        "--log.level=warn",
      ],
    };
  }
}

/** Alertmanager routing every alert to Rollgate's receiver at once, with its token. */
export class TestAlertmanager extends Daemon {
  protected readyPath = "/-/ready";

  constructor(
    private readonly receiverUrl: string,
    private readonly token: string,
  ) {
    super();
  }

  protected command() {
    writeFileSync(
      path.join(this.dir, "alertmanager.yml"),
      `route:
  receiver: rollgate
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1m
receivers:
  - name: rollgate
    webhook_configs:
      - url: ${this.receiverUrl}
        send_resolved: true
        http_config:
          authorization:
            credentials: ${this.token}
`,
    );
    return {
      bin: "/usr/bin/prometheus-alertmanager",
      args: [
        `--config.file=${path.join(this.dir, "alertmanager.yml")}`,
        `--storage.path=${path.join(this.dir, "data")}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        "--cluster.listen-address=",
        "--log.level=warn",
      ],
    };
  }
}
