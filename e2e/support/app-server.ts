import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startOnFreePort } from "./free-port";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const standalone = path.join(root, "apps", "web", ".next", "standalone", "apps", "web");
const serverJs = path.join(standalone, "server.js");
/** The same build's Next.js alone, without the front (benchmarks compare the two). */
export const nextServerJs = path.join(standalone, "next-server.js");

/**
 * Node flags the image runs the server with, read from apps/web's `start` script (infra/docker/Dockerfile's
 * CMD and the demo; a test keeps them equal): the heap sized for the pod, not for whatever machine it lands on. On a bare 24 GiB host
 * V8 let the same load leave 400 MB of garbage resident before a collection; 384 MiB (half the
 * pod's 768 MiB limit) keeps every benchmark under 300 MB, where 256 MiB also did but its more
 * frequent collections lengthened the tail: an event's p99 70 ms, against 49 ms unbounded.
 * One V8 helper thread (the collector's concurrent marking, the optimising compiler) instead of
 * four: the pod requests half a core, and on two shared cores the four took a quarter of the
 * server's CPU and preempted its event loop; with one, an event's p99 was 8 % closer to its median
 * (docs/BENCHMARKS.md, event ingestion). A 32 MiB young generation (semi-space) instead of the
 * 16 V8 derives: an overview read (600 gates) keeps its data alive across its database round trips,
 * so with the smaller one much of it was copied twice and promoted, only to die in the old space;
 * interleaved on one machine, the page took 89–99 ms of CPU against 115–120, the API 50 against
 * 53–59, for 25–30 MB more RSS (docs/BENCHMARKS.md, overview).
 */
export const SERVER_NODE_ARGS: string[] = (
  JSON.parse(readFileSync(path.join(root, "apps", "web", "package.json"), "utf8")).scripts.start as string
)
  .split(" ")
  .filter((arg) => arg.startsWith("--"));

/** The server's environment, or a function of its URL (for `NEXTAUTH_URL` on a port chosen at start). */
export type ServerEnv = Record<string, string> | ((url: string) => Record<string, string>);

/**
 * Another instance of the built standalone server, on its own port and database. Port 0 (the
 * usual choice) means a free port, chosen when it first starts and kept across restarts; a
 * fixed port fails whenever anything else holds it.
 */
export class AppServer {
  private child: ChildProcess | undefined;
  private chosenPort: number;
  readonly output: string[] = [];

  constructor(
    port: number,
    private readonly env: ServerEnv,
    /** Node flags for the server only (e.g. `--cpu-prof`, which NODE_OPTIONS does not take). */
    private readonly nodeArgs: string[] = [],
    /** Another build's server.js (a benchmark comparing versions); this checkout's by default. */
    private readonly script: string = serverJs,
  ) {
    this.chosenPort = port;
  }

  /** The server's port: known once it has started, when it was given 0. */
  get port(): number {
    if (this.chosenPort === 0) throw new Error("the server was given port 0: its port is chosen when it starts");
    return this.chosenPort;
  }

  /** The server's process id (CPU and memory in benchmarks), once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await startOnFreePort(
      this.chosenPort,
      (port) => {
        this.chosenPort = port;
        return this.startOnce();
      },
      () => {
        // Lost the chosen port to another process: forget that start's output and choose again.
        if (!this.output.join("").includes("EADDRINUSE")) return false;
        this.output.length = 0;
        return true;
      },
    );
  }

  private async startOnce(): Promise<void> {
    const child = this.spawn();
    const died = new Promise<never>((_, reject) =>
      child.once("exit", (code) =>
        reject(new Error(`the server exited (${code}) before it was ready:\n${this.output.join("")}`)),
      ),
    );
    died.catch(() => {}); // a later, ordinary exit is not an error
    try {
      // Ready means migrated and connected, so callers may write to the database at once.
      const ready = async () => (await fetch(`${this.url}/api/ready`).catch(() => null))?.ok === true;
      await Promise.race([waitFor(ready, 30_000), died]);
    } catch (error) {
      child.kill("SIGKILL"); // never left running behind a failed start
      throw error;
    }
  }

  /** Starts the server and waits for it to exit by itself (a start that must fail); its exit code. */
  async exitCode(timeoutMs: number): Promise<number | null> {
    if (this.chosenPort === 0) this.chosenPort = await freePort();
    const child = this.spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(timer);
    return code;
  }

  private spawn(): ChildProcess {
    const child = spawn(process.execPath, [...SERVER_NODE_ARGS, ...this.nodeArgs, this.script], {
      // Fake Prometheus, GitHub and webhook receivers listen on 127.0.0.1: allow internal destinations (a test may set "0").
      env: {
        ...process.env,
        ROLLGATE_ALLOW_PRIVATE_DESTINATIONS: "1",
        ...(typeof this.env === "function" ? this.env(this.url) : this.env),
        HOSTNAME: "127.0.0.1",
        PORT: String(this.port),
        NODE_ENV: "production",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => this.output.push(d.toString()));
    child.stderr?.on("data", (d: Buffer) => this.output.push(d.toString()));
    this.child = child;
    return child;
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }
}

/** Polls `check` every 100 ms until it is true; throws after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** Waits out the end of the current minute when it is near, so a per-minute counter starts fresh. */
export async function awayFromMinuteBoundary(marginMs = 5000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 100));
}
