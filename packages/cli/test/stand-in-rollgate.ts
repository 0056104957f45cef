import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { z } from "zod";
import type { backfillControlResponseSchema } from "@rollgate/core/contract/backfill";
import type { gateResponseSchema } from "@rollgate/core/contract/responses";

/** One request the stand-in received, its body parsed when it was JSON. */
export type Received = { method: string; url: string; body: unknown; at: number };

/** A route's answer: status and JSON body; `undefined` falls through to the default answers. */
export type Answer = { status: number; body: unknown } | undefined;

/** A stand-in Rollgate for CLI tests and benchmarks: it answers `POST /api/v1/events` as Rollgate does
 * (202 with an event id the CLI's client accepts) and records every request, so that a test sees
 * what the CLI sent (events such as `backfill.paused`) and when. `route` answers anything else (the
 * gate, a lease, a control endpoint); unanswered paths get Rollgate's JSON 404. */
export class StandInRollgate {
  readonly received: Received[] = [];
  private server: Server | undefined;

  constructor(private readonly route: (req: Received) => Answer = () => undefined) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void readBody(req).then((text) => {
        const received: Received = {
          method: req.method ?? "GET",
          url: req.url ?? "/",
          body: parse(text),
          at: Date.now(),
        };
        this.received.push(received);
        const answer = this.route(received) ?? defaultAnswer(received);
        res.statusCode = answer.status;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The environment the CLI reads its Rollgate from (a token and a signing secret it accepts). */
  get env(): Record<string, string> {
    return {
      ROLLGATE_URL: this.url,
      ROLLGATE_TOKEN: "rg_test",
      ROLLGATE_SECRET: `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`,
    };
  }

  /** The bodies of the events received so far, in order. */
  events(): Array<{ type: string; data?: Record<string, unknown>; [key: string]: unknown }> {
    return this.received
      .filter((r) => r.method === "POST" && r.url === "/api/v1/events")
      .map((r) => r.body as { type: string; data?: Record<string, unknown> });
  }

  async close(): Promise<void> {
    if (this.server) await new Promise((resolve) => this.server!.close(resolve));
  }
}

/** Answers for `rollgate backfill`: the rollout's gate (rolling out, its checks all passing unless
 * `checks` says otherwise) and the dashboard's control (`control()` read at each request). */
export function backfillRoutes(options: {
  control?: () => "run" | "pause" | "cancel";
  state?: z.input<typeof gateResponseSchema>["state"];
  checks?: z.input<typeof gateResponseSchema>["checks"];
}): (req: Received) => Answer {
  return (req) => {
    const gate = /^\/api\/v1\/rollouts\/([^/]+)\/([^/]+)\/([^/]+)\/gate$/.exec(req.url);
    if (req.method === "GET" && gate) {
      const body: z.input<typeof gateResponseSchema> = {
        service: decodeURIComponent(gate[1]!),
        environment: decodeURIComponent(gate[2]!),
        release: decodeURIComponent(gate[3]!),
        state: options.state ?? "rolling_out",
        allowed: false,
        window_ends_at: null,
        approvals: { have: 0, need: 1 },
        contract_checksum: null,
        executor: {
          lock_timeout_ms: 2000,
          statement_timeout_ms: 30_000,
          lock_retries: 10,
          blockers: "wait",
          blocker_wait_seconds: 60,
        },
        checks: options.checks ?? [],
      };
      return { status: 200, body };
    }
    const backfill = /\/backfills\/([0-9a-f-]{36})$/.exec(req.url);
    if (req.method === "GET" && backfill) {
      const body: z.input<typeof backfillControlResponseSchema> = {
        backfill_id: backfill[1]!,
        control: options.control?.() ?? "run",
        requested_by: null,
        requested_at: null,
        state: "running",
      };
      return { status: 200, body };
    }
    return undefined;
  };
}

function defaultAnswer(req: Received): NonNullable<Answer> {
  if (req.method === "POST" && req.url === "/api/v1/events")
    return { status: 202, body: { event_id: randomUUID(), duplicate: false } };
  return { status: 404, body: { error: { code: "not_found", message: `no ${req.url}`, details: {} } } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
