import { errorResponseSchema } from "@rollgate/core/contract/responses";
import { expect, test } from "@playwright/test";
import { event, makeService, sha, signed, signedBody, type TestService } from "../../support/api";
import { SAMPLE_DATA } from "../../support/event-samples";

// Whatever a client sends, the answer is never a 5xx, and every refusal is the machine
// error shape `{ error: { code, message } }`.

let base: string;
let svc: TestService;
test.beforeAll(async () => {
  base = test.info().project.use.baseURL!;
  svc = await makeService();
});

const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const manyKeys = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",")}}`;

/** Bodies for POST /api/v1/events: raw JSON text, or values that are stringified. */
function malformedBodies(s: TestService): Array<[string, string]> {
  const ok = event(s, "flag.changed", { flag: "f", percent: 5 });
  const values: Array<[string, unknown]> = [
    ["null", null],
    ["a number", 42],
    ["a string", "release.created"],
    ["an array of events", [ok]],
    ["an empty object", {}],
    ["type as a number", { ...ok, type: 7 }],
    ["an unknown event type", { ...ok, type: "app.exploded" }],
    ["a type with a NUL", { ...ok, type: "flag.changed\u0000" }],
    ["data as an array", { ...ok, data: [] }],
    ["data as a string", { ...ok, data: "percent=5" }],
    ["data missing", { ...ok, data: undefined }],
    ["percent as a string", { ...ok, data: { flag: "f", percent: "5" } }],
    ["percent huge", { ...ok, data: { flag: "f", percent: 1e308 } }],
    ["percent negative zero", { ...ok, data: { flag: "f", percent: -0 } }],
    ["an invalid calendar date", { ...ok, occurred_at: "2024-02-30T00:00:00Z" }],
    ["a date that is not one", { ...ok, occurred_at: "yesterday" }],
    ["a date in year 0", { ...ok, occurred_at: "0000-01-01T00:00:00Z" }],
    ["a date past year 9999", { ...ok, occurred_at: "9999-12-31T23:59:59-14:00" }],
    ["a date as a number", { ...ok, occurred_at: Date.now() }],
    ["a service that is not a slug", { ...ok, service: "../../etc" }],
    ["a very long release", { ...ok, release: "r".repeat(100_000) }],
    ["a release as an object", { ...ok, release: { $ne: null } }],
    [
      "a duration over int4",
      event(s, "migration.succeeded", { ...SAMPLE_DATA["migration.succeeded"], duration_ms: 2 ** 40 }),
    ],
    ["an exit code as a float", event(s, "migration.failed", { ...SAMPLE_DATA["migration.failed"], exit_code: 1.5 })],
    ["a manifest as an object", event(s, "app.deployed", { version: "1", manifest: { 0: "users.id" } })],
    [
      "a NUL in a title",
      event(s, "release.created", { ...SAMPLE_DATA["release.created"], title: "a\u0000b" }, "r-nul"),
    ],
    ["a lone surrogate in a release", { ...ok, release: "r\ud800" }],
    ["a NUL in the key and value of an unknown field", { ...ok, data: { flag: "f", percent: 5, "x\u0000": "\u0000" } }],
    [
      "a manifest with a NUL deep inside",
      event(s, "app.deployed", { version: "1", manifest: ["users.id", "users.\u0000"] }),
    ],
    ["a manifest with a nested array", event(s, "app.deployed", { version: "1", manifest: [["users.id"]] })],
    [
      "a lease id that is not a uuid",
      event(s, "migration.started", { ...SAMPLE_DATA["migration.started"], lease_id: "'; drop table leases; --" }),
    ],
    [
      "a log url that is not one",
      event(s, "migration.failed", { ...SAMPLE_DATA["migration.failed"], log_url: "not a url" }),
    ],
    ["restore_tested as a string", event(s, "backup.verified", { backup_id: "b", restore_tested: "true" })],
    [
      "an SLO with a string availability",
      event(s, "slo.snapshot", { availability: "99.9", error_budget_remaining: 0.5, burn_rate: 1 }),
    ],
    [
      "a __proto__ key",
      JSON.parse(
        `{"__proto__":{"admin":true},"type":"flag.changed","service":"${s.slug}","environment":"staging","release":"r1","occurred_at":"${new Date().toISOString()}","data":{"flag":"f","percent":5}}`,
      ),
    ],
    [
      "SQL that does not parse",
      event(s, "release.created", {
        ...SAMPLE_DATA["release.created"],
        expand_sql: "ALTER TABLE (((( ;;; \u00e9\u{1F680}",
      }),
    ],
    [
      "a migration whose checksum matches no script",
      event(s, "migration.started", { phase: "expand", name: "e", checksum: sha("other") }, "no-such-release"),
    ],
  ];
  return [
    ...values.map(([name, v]): [string, string] => [name, JSON.stringify(v)]),
    ["an empty body", ""],
    [
      "a number too large for a double",
      `{"type":"flag.changed","service":"${s.slug}","environment":"staging","release":"r1","occurred_at":"${new Date().toISOString()}","data":{"flag":"f","percent":1e999}}`,
    ],
    ["an escaped NUL in a key", `{"type":"flag.changed","data":{"\\u0000":1}}`],
    [
      "an escaped lone surrogate",
      `{"type":"release.created","service":"${s.slug}","environment":"staging","release":"r\\udc00","occurred_at":"${new Date().toISOString()}","data":{}}`,
    ],
    ["arrays nested 50,000 deep", deep(50_000)],
    ["an object with 20,000 keys", manyKeys(20_000)],
    ["a duplicate key", `{"type":"flag.changed","type":"app.exploded"}`],
    ["truncated JSON", `{"type":"flag.changed","data":{`],
    ["JSON with a BOM", `\ufeff${JSON.stringify(ok)}`],
  ];
}

function malformedParams(s: TestService): string[] {
  const long = "x".repeat(6000);
  const segments = [
    "%00",
    "r%00",
    "%ED%A0%80",
    "%C0%AF",
    "%ZZ",
    "%",
    "..",
    "%2E%2E",
    "%2F",
    long,
    "%F0%9F%9A%80",
    "r1%0A",
    " ",
    "%20",
  ];
  const gate = segments.flatMap((seg) => [
    `/api/v1/rollouts/${seg}/staging/r1/gate`,
    `/api/v1/rollouts/${s.slug}/${seg}/r1/gate`,
    `/api/v1/rollouts/${s.slug}/staging/${seg}/gate`,
  ]);
  const queries = [
    "",
    "?service=",
    `?service=${s.slug}`,
    `?service=${s.slug}&environment=staging&version=`,
    "?service[]=a&environment=b",
    `?service=${s.slug}&environment=staging&version=${long}`,
    `?service=${s.slug}&environment=staging&version=%ED%A0%80`,
    `?service=${s.slug}&environment=staging&%00=1`,
    `?service=${s.slug}&service=other&environment=staging`,
    "?%ZZ=%ZZ",
  ];
  return [...gate, ...queries.map((q) => `/api/v1/rollback-eligibility${q}`)];
}

async function expectMachineAnswer(what: string, response: Response): Promise<void> {
  const text = await response.text();
  expect(response.status, `${what}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (response.status >= 400) {
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // reported below
    }
    expect(errorResponseSchema.safeParse(json).success, `${what}: ${response.status} ${text.slice(0, 300)}`).toBe(true);
  }
}

test("fuzz: malformed event bodies, signed or not, never give a 5xx and always give a JSON error", async () => {
  for (const [name, body] of malformedBodies(svc)) {
    const request = signedBody(svc, body);
    await expectMachineAnswer(
      `signed: ${name}`,
      await fetch(`${base}/api/v1/events`, { method: "POST", headers: request.headers, body: request.body }),
    );
    const { "webhook-signature": _, ...unsigned } = request.headers;
    await expectMachineAnswer(
      `unsigned: ${name}`,
      await fetch(`${base}/api/v1/events`, { method: "POST", headers: unsigned, body: request.body }),
    );
  }
});

test("fuzz: malformed path and query params on gate, lease and rollback-eligibility never give a 5xx and always give a JSON error", async () => {
  for (const path of malformedParams(svc)) {
    const headers = { authorization: `Bearer ${svc.token}` };
    await expectMachineAnswer(`GET ${path.slice(0, 120)}`, await fetch(`${base}${path}`, { headers }));
    if (path.endsWith("/gate"))
      await expectMachineAnswer(
        `POST ${path.slice(0, 120)}/lease`,
        await fetch(`${base}${path}/lease`, {
          method: "POST",
          headers: { ...headers, "x-rollgate-holder": "\u00ff job \u00e9" },
        }),
      );
  }
});

test("fuzz: a release whose scripts do not parse goes through its lifecycle without a 5xx", async () => {
  const own = await makeService();
  const junk = "ALTER TABLE (((( ;;; \u00e9";
  for (const [type, data] of [
    ["release.created", { title: "t", author: "a", app_version: "2", expand_sql: junk, contract_sql: junk }],
    ["migration.started", { phase: "expand", name: "e", checksum: sha(junk), sql: junk }],
    ["migration.failed", { phase: "expand", name: "e", checksum: sha(junk), exit_code: -1 }],
  ] as const) {
    const request = signed(own, event(own, type, data));
    await expectMachineAnswer(
      type,
      await fetch(`${base}/api/v1/events`, { method: "POST", headers: request.headers, body: request.body }),
    );
  }
  await expectMachineAnswer(
    "gate",
    await fetch(`${base}/api/v1/rollouts/${own.slug}/staging/r1/gate`, {
      headers: { authorization: `Bearer ${own.token}` },
    }),
  );
  await expectMachineAnswer(
    "eligibility",
    await fetch(`${base}/api/v1/rollback-eligibility?service=${own.slug}&environment=staging`, {
      headers: { authorization: `Bearer ${own.token}` },
    }),
  );
});
