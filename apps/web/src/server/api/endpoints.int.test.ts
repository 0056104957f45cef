import { createHmac, randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { API, pathOf, type Endpoint, type Method } from "@rollgate/core/contract/endpoints";
import { openApiDocument } from "@rollgate/core/contract/openapi";
import { SAMPLE_DATA } from "@rollgate/core/testing/samples";
import { NextRequest } from "next/server";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "../auth/current-user";

// Every route under app/api is one described endpoint served by `serve`, and every endpoint is
// called here at least once with its answer checked against the schema it declares (serve
// checks every answer under NODE_ENV=test and throws on one that does not fit).

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
let signedIn: CurrentUser | null = null;
vi.mock("../auth/current-user", () => ({ currentUser: async () => signedIn }));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const schema = await import("@rollgate/db/schema");
const { isServed, checkedEndpoints } = await import("./serve");
const support = await import("../../../test/integrations");
const { db } = await database();
afterAll(() => closeDatabase());

const API_DIR = path.join(import.meta.dirname, "../../app/api");
const METHODS: Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const ENDPOINTS = Object.values(API) as Endpoint[];

/** Every route file under app/api, with the path it serves (`[x]` is `{x}`, `[...x]` is `{...x}`). */
function routeFiles(dir = API_DIR): Array<{ file: string; path: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    if (!/^route\.(ts|tsx|js)$/.test(entry.name)) return [];
    const segments = path.relative(API_DIR, dir).split(path.sep).filter(Boolean);
    const apiPath = ["/api", ...segments.map((s) => s.replace(/^\[(\.\.\.)?(\w+)\]$/, "{$1$2}"))].join("/");
    return [{ file: path.relative(API_DIR, full), path: apiPath }];
  });
}

const methodsOf = (e: Endpoint): Method[] => (typeof e.method === "string" ? [e.method] : [...e.method]);

describe("every route under app/api", () => {
  const files = routeFiles();

  it("is found (the walk sees the routes)", () => {
    expect(files.length).toBeGreaterThanOrEqual(ENDPOINTS.length);
  });

  it.each(files)(
    "$file is described, in the OpenAPI document unless internal, and served by serve()",
    async (route) => {
      const endpoint = ENDPOINTS.find((e) => e.path === route.path);
      expect(
        endpoint,
        `${route.file}: no description in core/contract/endpoints.ts has the path ${route.path}`,
      ).toBeDefined();
      const module = (await import(/* @vite-ignore */ path.join(API_DIR, route.file))) as Record<string, unknown>;
      const exported = METHODS.filter((m) => m in module);
      expect(exported.sort(), route.file).toEqual(methodsOf(endpoint!).sort());
      for (const method of exported) expect(isServed(module[method]), `${method} ${route.file}`).toBe(true);
      if (!endpoint!.internal) {
        const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
        for (const method of exported)
          expect(paths[route.path]?.[method.toLowerCase()], `${method} ${route.path} in openapi.json`).toBeDefined();
      }
    },
  );

  it("and every description has its route file", () => {
    const paths = new Set(files.map((f) => f.path));
    for (const e of ENDPOINTS) expect(paths.has(e.path), `${e.name}: ${e.path}`).toBe(true);
  });
});

describe("every endpoint, called once", () => {
  it("answers as its description says (checked by serve against the declared schema)", async () => {
    const svc = await support.testService(db, "endpoints");
    const [user] = await db
      .insert(schema.users)
      .values({ email: `admin.${svc.slug}@example.com` })
      .returning();
    await db.insert(schema.userRoles).values({ userId: user!.id, role: "admin" });
    signedIn = { id: user!.id, email: user!.email, name: null, roles: [{ role: "admin", serviceId: null }] };
    const key = { service: svc.slug, environment: "staging", release: "r1" };
    await support.startWindow(svc, "r1", "2.0.0", new Date());
    const base = "http://rollgate.test";
    const bearer = { authorization: `Bearer ${svc.token}` };
    const route = async (e: Endpoint) => {
      const file = path.join(
        API_DIR,
        e.path.replace(/\{(\.\.\.)?(\w+)\}/g, "[$1$2]").replace(/^\/api/, ""),
        "route.ts",
      );
      return (await import(/* @vite-ignore */ file)) as Record<string, (r: Request, c: unknown) => Promise<Response>>;
    };
    const call = async (e: Endpoint, request: Request, params: Record<string, unknown> = {}) => {
      const handler = (await route(e))[request.method]!;
      return handler(request, { params: Promise.resolve(params) });
    };
    const get = (e: Endpoint, params: Record<string, string> = {}, query = "", headers: Record<string, string> = {}) =>
      call(e, new Request(`${base}${pathOf(e, params)}${query}`, { headers }), params);
    const post = (e: Endpoint, params: Record<string, string>, body: string, headers: Record<string, string> = {}) =>
      call(e, new Request(`${base}${pathOf(e, params)}`, { method: "POST", body, headers }), params);
    const q = new URLSearchParams(key).toString();

    const statuses: Record<string, number> = {};
    const note = async (name: string, answer: Promise<Response>) => {
      statuses[name] = (await answer).status;
    };
    // The events route has answered already (startWindow); once more, a duplicate-free event.
    await note(
      "events",
      call(
        API.events,
        support.signed(
          svc,
          `${base}/api/v1/events`,
          JSON.stringify({
            type: "slo.snapshot",
            ...key,
            occurred_at: new Date().toISOString(),
            data: { availability: 99.9, error_budget_remaining: 0.9, burn_rate: 0.2 },
          }),
        ),
      ),
    );
    const backfillId = randomUUID();
    await note(
      "events",
      call(
        API.events,
        support.signed(
          svc,
          `${base}/api/v1/events`,
          JSON.stringify({
            type: "backfill.started",
            ...key,
            occurred_at: new Date().toISOString(),
            data: { ...SAMPLE_DATA["backfill.started"], backfill_id: backfillId },
          }),
        ),
      ),
    );
    await note("backfill_control", get(API.backfillControl, { ...key, backfill_id: backfillId }, "", bearer));
    await note("dashboard_backfills", get(API.dashboardBackfills, key));
    await note("gate", get(API.gate, key, "", bearer));
    await note("gate_wait", get(API.gateWait, key, "?timeout=0", bearer));
    await note("data_checks", get(API.dataChecks, key, "", bearer));
    await note(
      "observed_statements",
      get(API.observedStatements, { service: svc.slug, environment: "staging", version: "2.0.0" }, "", bearer),
    );
    await note(
      "lease",
      call(API.lease, support.signed(svc, `${base}${pathOf(API.lease, key)}`, JSON.stringify(key)), key),
    );
    await note(
      "eligibility",
      get(API.eligibility, {}, `?service=${svc.slug}&environment=staging&version=2.0.0`, bearer),
    );
    await note("argo_gate", get(API.argoGate, {}, `?${q}`, bearer));
    await note("argo_rollback", get(API.argoRollback, {}, `?service=${svc.slug}&environment=staging`, bearer));
    await note(
      "flagger",
      post(API.flagger, { hook: "confirm-promotion" }, JSON.stringify({ metadata: { ...key, token: svc.token } })),
    );
    const json = { "content-type": "application/json" };
    await note(
      "alertmanager",
      post(API.alertmanager, {}, JSON.stringify({ version: "4", alerts: [] }), { ...json, authorization: "Bearer no" }),
    );
    const body = JSON.stringify({ event: { id: randomUUID() } });
    await note(
      "pagerduty",
      post(API.pagerduty, { endpoint: randomUUID() }, body, {
        ...json,
        "x-pagerduty-signature": `v1=${createHmac("sha256", "x").update(body).digest("hex")}`,
      }),
    );
    await note("github", post(API.github, {}, "{}", { ...json, "x-github-event": "ping" }));
    await note("openapi", get(API.openapi));
    await note("dashboard_gate", get(API.dashboardGate, key));
    await note("dashboard_overview", get(API.dashboardOverview));
    await note("drill", post(API.drill, {}, JSON.stringify({ scenario: "nope" }), json));
    await note("health", get(API.health));
    await note("ready", get(API.ready));
    await note("metrics", get(API.metrics));
    await note("unknown", get(API.unknown, { unknown: "no/such/thing" }));
    // next-auth reads Next's request (nextUrl) and its request scope (cookies), which only Next has:
    // its answer here is a 500, unchecked as the description says; the call shows serve() runs it.
    const providers = new NextRequest(`${base}/api/auth/providers`);
    await note("auth", call(API.auth, providers, { nextauth: ["providers"] }));

    expect(statuses).toMatchObject({
      events: 202,
      gate: 200,
      gate_wait: 200,
      backfill_control: 200,
      dashboard_backfills: 200,
      data_checks: 200,
      // Nothing inspected yet: the version was never observed.
      observed_statements: 404,
      eligibility: 200,
      argo_gate: 200,
      openapi: 200,
      dashboard_gate: 200,
      dashboard_overview: 200,
      drill: 400,
      health: 200,
      ready: 200,
      metrics: 200,
      unknown: 404,
    });
    expect([...checkedEndpoints()].sort()).toEqual(ENDPOINTS.map((e) => e.name).sort());
  });
});
