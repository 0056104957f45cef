import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EVENTS, type EventType } from "@rollgate/core/contract/events";
import type { GateResponse } from "@rollgate/core/contract/responses";

// A stand-in Rollgate for the backfill's live tests: it answers the gate, the backfill's control
// and events as Rollgate does (the CLI checks every answer against the API's schemas), checks
// each event's data against the contract's schema, and lets the test steer the state, the
// checks and the control, each time a request comes in.

export interface RecordedEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface StandIn {
  url: string;
  events: RecordedEvent[];
  /** Events whose data the contract refuses (should stay empty). */
  invalid: Array<{ type: string; issue: string }>;
  requests: string[];
  state: GateResponse["state"];
  checks: Array<{ id: GateResponse["checks"][number]["id"]; status: "pass" | "fail"; message: string }>;
  /** The control answered for each control request (the nth request, counting from 1). */
  control: (n: number) => "run" | "pause" | "cancel";
  controlRequests: number;
  /** Answer 503 to every request while true. */
  down: boolean;
  reset(): void;
  close(): Promise<void>;
}

export async function startStandIn(): Promise<StandIn> {
  const stand: Omit<StandIn, "url" | "close"> & { server?: Server } = {
    events: [],
    invalid: [],
    requests: [],
    state: "rolling_out",
    checks: [],
    control: () => "run",
    controlRequests: 0,
    down: false,
    reset() {
      this.events = [];
      this.invalid = [];
      this.requests = [];
      this.state = "rolling_out";
      this.checks = [];
      this.control = () => "run";
      this.controlRequests = 0;
      this.down = false;
    },
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const url = req.url ?? "";
      stand.requests.push(`${req.method} ${url}`);
      res.setHeader("content-type", "application/json");
      const answer = (status: number, json: unknown) => {
        res.statusCode = status;
        res.end(JSON.stringify(json));
      };
      if (stand.down) return answer(404, { error: { code: "not_found", message: "down", details: {} } });
      const [, service, environment, release, rest, id] =
        /^\/api\/v1\/rollouts\/([^/]+)\/([^/]+)\/([^/]+)\/(gate|backfills)(?:\/([^/?]+))?/.exec(url) ?? [];
      if (rest === "gate")
        return answer(200, {
          service: service!,
          environment: environment!,
          release: release!,
          state: stand.state,
          allowed: false,
          window_ends_at: null,
          approvals: { have: 0, need: 0 },
          contract_checksum: null,
          executor: {
            lock_timeout_ms: 3000,
            statement_timeout_ms: 0,
            lock_retries: 10,
            blockers: "wait",
            blocker_wait_seconds: 300,
          },
          checks: stand.checks.map((c) => ({
            ...c,
            title: c.id,
            until: null,
            overridden: false,
            blocking: true,
          })),
        } satisfies GateResponse);
      if (rest === "backfills" && id) {
        stand.controlRequests += 1;
        return answer(200, {
          backfill_id: id,
          control: stand.control(stand.controlRequests),
          requested_by: null,
          requested_at: null,
          state: "running",
        });
      }
      if (url === "/api/v1/events" && req.method === "POST") {
        const event = JSON.parse(body) as RecordedEvent;
        const schema = EVENTS[event.type as EventType]?.data;
        const checked = schema?.safeParse(event.data);
        if (!checked?.success)
          stand.invalid.push({ type: event.type, issue: checked?.error.message ?? "unknown type" });
        stand.events.push(event);
        return answer(202, { event_id: randomUUID(), duplicate: false });
      }
      return answer(404, { error: { code: "not_found", message: "no", details: {} } });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(stand, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }) as StandIn;
}
