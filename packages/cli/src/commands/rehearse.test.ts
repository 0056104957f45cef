import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { rollbackRehearsedSchema } from "@rollgate/core/contract/rehearsal";
import { contractChecksum, type RehearsalReport } from "@rollgate/core/rehearsal";
import type { RehearsalInput } from "@rollgate/drill/rehearse";
import { UsageError, type Io } from "../io.ts";
import { main } from "../main.ts";
import { rehearseCommand, type RehearseEngine } from "./rehearse.ts";

// The command around the engine: flags, files, Rollgate's observed statements and the signed
// event. The engine here is a stand-in that answers by the contract's dropped columns; the
// engine's own verdicts are tested in @rollgate/drill.

const secret = `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`;
const CONTRACT = "ALTER TABLE users DROP COLUMN email;\n";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const seen: Seen[] = [];
let statementsAnswer: { status: number; body: unknown } = { status: 404, body: null };
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    if (req.method === "GET") {
      res.writeHead(statementsAnswer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(statementsAnswer.body));
      return;
    }
    res
      .writeHead(202, { "content-type": "application/json" })
      .end(JSON.stringify({ event_id: "0b8f5a52-8a0d-4d3e-9b7e-3c7a4f0e5d11", duplicate: false }));
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const saved = { ...process.env };
beforeEach(() => {
  seen.length = 0;
  for (const name of Object.keys(process.env)) if (name.startsWith("ROLLGATE_")) delete process.env[name];
});
afterEach(() => {
  process.env = { ...saved };
});

function withRollgate() {
  process.env.ROLLGATE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.ROLLGATE_TOKEN = "rg_test";
  process.env.ROLLGATE_SECRET = secret;
}

/** A stand-in engine: a statement naming a column the contract drops is a proof; one naming `nope` is noise. */
function fakeEngine(calls: RehearsalInput[] = []): RehearseEngine {
  return async (input) => {
    calls.push(input);
    const dropped = [...input.contract.matchAll(/DROP COLUMN (\w+)/gi)].map((m) => m[1]!);
    return {
      missingExtensions: [],
      durationMs: 3,
      statements: input.statements.map((statement) => {
        const gone = dropped.find((c) => new RegExp(`\\b${c}\\b`).test(statement.text));
        const noise = /\bnope\b/.test(statement.text);
        return {
          statement,
          write: /^(INSERT|UPDATE|DELETE)/i.test(statement.text),
          outcome: noise ? "noise" : gone ? "proof" : "passed",
          afterExpand: noise ? { step: "prepare", message: 'column "nope" does not exist', sqlstate: "42703" } : null,
          afterContract:
            gone && !noise ? { step: "prepare", message: `column "${gone}" does not exist`, sqlstate: "42703" } : null,
        };
      }),
    } satisfies RehearsalReport;
  };
}
const neverCalled: RehearseEngine = () => {
  throw new Error("the engine must not run on bad input");
};

async function files(extra: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), "rehearse-"));
  const all: Record<string, string> = {
    "migrations/0001_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);",
    "migrations/0002_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);",
    "migrations/README.md": "not SQL, not applied",
    "expand.sql": "ALTER TABLE users ADD COLUMN billing_email text;",
    "contract.sql": CONTRACT,
    "statements.sql": [
      "-- v1.4.2",
      'SELECT "id", "email" FROM "users" WHERE "id" = $1',
      "",
      "SELECT id FROM orders WHERE user_id = $1",
    ].join("\n"),
    ...extra,
  };
  for (const [name, text] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  const at = (name: string) => path.join(dir, name);
  return { dir, at, base: ["--expand", at("expand.sql"), "--contract", at("contract.sql")] };
}

async function run(args: string[], engine: RehearseEngine = neverCalled) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false };
  let code: number;
  try {
    code = await rehearseCommand(args, io, engine);
  } catch (error) {
    // What main() does with a usage error.
    if (!(error instanceof UsageError)) throw error;
    err.push(`rollgate rehearse: ${(error as Error).message}`);
    code = 2;
  }
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("rollgate rehearse: bad input is one sentence, exit 2, nothing rehearsed or sent", () => {
  it.each([
    [
      "no --expand",
      (f: Awaited<ReturnType<typeof files>>) => ["--contract", f.at("contract.sql")],
      /give --expand FILE/,
    ],
    [
      "no --contract",
      (f: Awaited<ReturnType<typeof files>>) => ["--expand", f.at("expand.sql")],
      /give --contract FILE/,
    ],
    [
      "neither --migrations nor --schema",
      (f: Awaited<ReturnType<typeof files>>) => [...f.base, "--statements", f.at("statements.sql")],
      /give --migrations DIR .* or --schema FILE/,
    ],
    [
      "both --migrations and --schema",
      (f: Awaited<ReturnType<typeof files>>) => [
        ...f.base,
        "--migrations",
        f.at("migrations"),
        "--schema",
        f.at("expand.sql"),
        "--statements",
        f.at("statements.sql"),
      ],
      /either --migrations DIR or --schema FILE .* not both/,
    ],
    [
      "neither --statements nor --version",
      (f: Awaited<ReturnType<typeof files>>) => [...f.base, "--migrations", f.at("migrations")],
      /give --statements FILE .* or --version V/,
    ],
    [
      "an unknown format",
      (f: Awaited<ReturnType<typeof files>>) => [...f.base, "--format", "html"],
      /--format must be text, json or markdown/,
    ],
    [
      "an unreadable file",
      (f: Awaited<ReturnType<typeof files>>) => [
        "--expand",
        f.at("nowhere.sql"),
        "--contract",
        f.at("contract.sql"),
        "--schema",
        f.at("expand.sql"),
        "--statements",
        f.at("statements.sql"),
      ],
      /cannot read --expand .*nowhere\.sql \(ENOENT\)/,
    ],
    ["an unknown flag", (f: Awaited<ReturnType<typeof files>>) => [...f.base, "--bogus"], /Unknown option '--bogus'/],
  ])("%s", async (_, args, message) => {
    const f = await files();
    withRollgate();
    const { code, err } = await run(args(f));
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(seen).toEqual([]);
  });

  it("a migrations folder with a syntax error names the file and line", async () => {
    const f = await files({ "migrations/0003_broken.sql": "CREATE TABLE a (id int);\nCREAT TABLE b (id int);" });
    withRollgate();
    const { code, err } = await run([
      ...f.base,
      "--migrations",
      f.at("migrations"),
      "--statements",
      f.at("statements.sql"),
      "--version",
      "v1",
      "--service",
      "s",
      "--environment",
      "e",
      "--release",
      "r",
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(
      /--migrations .*0003_broken\.sql, line 2: PostgreSQL cannot parse it: syntax error at or near "CREAT"\./,
    );
    expect(seen).toEqual([]);
  });

  it("a migrations folder without .sql files is refused", async () => {
    const f = await files();
    await mkdir(f.at("empty"));
    const { code, err } = await run([...f.base, "--migrations", f.at("empty"), "--statements", f.at("statements.sql")]);
    expect(code).toBe(2);
    expect(err).toMatch(/--migrations .*empty holds no \.sql file/);
  });

  it("a statements file with garbage lines names every one", async () => {
    const f = await files({ "statements.sql": "SELECT 1\nthis is garbage\nSELECT id FROM users\nmore garbage here" });
    withRollgate();
    const { code, err } = await run([
      ...f.base,
      "--migrations",
      f.at("migrations"),
      "--statements",
      f.at("statements.sql"),
      "--version",
      "v1",
      "--service",
      "s",
      "--environment",
      "e",
      "--release",
      "r",
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(/--statements .*: lines 2, 4 are not one statement PostgreSQL parses \(line 2: syntax error/);
    expect(seen).toEqual([]);
  });

  it("a version Rollgate never observed: 404 or an empty list, exit 2, nothing sent", async () => {
    const f = await files();
    withRollgate();
    const args = [...f.base, "--migrations", f.at("migrations"), "--version", "v0.9"];
    const keys = ["--service", "billing", "--environment", "production", "--release", "r2"];
    statementsAnswer = { status: 404, body: { error: { code: "not_found", message: "no such version" } } };
    let result = await run([...args, ...keys]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^rollgate rehearse: Rollgate never observed version v0\.9 running in production; /);
    statementsAnswer = { status: 200, body: observed([]) };
    result = await run([...args, ...keys]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/Rollgate never observed version v0\.9 running in production/);
    expect(seen.map((s) => s.method)).toEqual(["GET", "GET"]);
  });

  it("--version without a token or the rollout is a usage error", async () => {
    const f = await files();
    const args = [...f.base, "--migrations", f.at("migrations"), "--version", "v1"];
    expect((await run(args)).err).toMatch(/--version needs the rollout's --service and --environment/);
    expect((await run([...args, "--service", "s", "--environment", "e"])).err).toMatch(
      /set ROLLGATE_URL and ROLLGATE_TOKEN \(a gate:read token\)/,
    );
  });

  it("the engine's own refusal (a script that does not apply) is exit 2", async () => {
    const f = await files();
    const refusing: RehearseEngine = async () => {
      const error = new Error('expand.sql: relation "userz" does not exist');
      error.name = "RehearsalInputError";
      throw error;
    };
    const { code, err } = await run(
      [...f.base, "--migrations", f.at("migrations"), "--statements", f.at("statements.sql")],
      refusing,
    );
    expect(code).toBe(2);
    expect(err).toBe('rollgate rehearse: expand.sql: relation "userz" does not exist');
  });
});

describe("rollgate rehearse", () => {
  it("an engine that fails for another reason is a sentence and exit 1 (no verdict), nothing sent", async () => {
    const f = await files();
    withRollgate();
    const failing: RehearseEngine = async () => {
      throw new Error("PGlite ran out of memory");
    };
    const { code, out, err } = await run(
      [...f.base, "--migrations", f.at("migrations"), "--statements", f.at("statements.sql"), "--version", "v1"],
      failing,
    );
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toMatch(/rollgate rehearse: the rehearsal failed: PGlite ran out of memory$/);
    expect(seen).toEqual([]);
  });

  it("applies the migrations' .sql files in name order and rehearses the file's statements", async () => {
    const f = await files({ "migrations/0010_later.sql": "CREATE TABLE later (id int);" });
    const inputs: RehearsalInput[] = [];
    const { code, out } = await run(
      [...f.base, "--migrations", f.at("migrations"), "--statements", f.at("statements.sql")],
      fakeEngine(inputs),
    );
    expect(code).toBe(1);
    const input = inputs[0]!;
    expect("migrations" in input.before && input.before.migrations.map((m) => m.name)).toEqual([
      "0001_users.sql",
      "0002_orders.sql",
      "0010_later.sql",
    ]);
    expect(input.contract).toBe(CONTRACT);
    expect(input.statements).toEqual([
      { text: 'SELECT "id", "email" FROM "users" WHERE "id" = $1' },
      { text: "SELECT id FROM orders WHERE user_id = $1" },
    ]);
    expect(out).toMatch(/^Rehearsal: UNSAFE/);
    expect(out).toMatch(
      /^PROOF\s+-\s+prepare\s+SELECT "id", "email" FROM "users" WHERE "id" = \$1\s+column "email" does not exist$/m,
    );
  });

  it("takes a pg_dump file as the schema before, and exits 0 when safe", async () => {
    const f = await files({ "schema.sql": "CREATE TABLE public.users (id bigint NOT NULL, email text);" });
    const inputs: RehearsalInput[] = [];
    const { code, out } = await run(
      [
        "--expand",
        f.at("expand.sql"),
        "--contract",
        f.at("expand.sql"),
        "--schema",
        f.at("schema.sql"),
        "--statements",
        f.at("statements.sql"),
        "--format",
        "json",
      ],
      fakeEngine(inputs),
    );
    expect(code).toBe(0);
    expect(inputs[0]!.before).toEqual({ dump: "CREATE TABLE public.users (id bigint NOT NULL, email text);" });
    expect(JSON.parse(out)).toMatchObject({ format: "rollgate.rehearsal/1", verdict: "safe", exit_code: 0 });
  });

  it("--version fetches what Rollgate observed (gate:read token) and sends the report as a signed rollback.rehearsed", async () => {
    const f = await files();
    withRollgate();
    statementsAnswer = {
      status: 200,
      body: observed([
        { id: "-4211", text: "SELECT email FROM users WHERE id = $1", calls: 1200, role: "billing" },
        { id: "77", text: "SELECT id FROM orders WHERE user_id = $1", calls: 40 },
        { id: "78", text: "SELECT nope FROM users", calls: 2 },
      ]),
    };
    const inputs: RehearsalInput[] = [];
    const { code, out, err } = await run(
      [
        ...f.base,
        "--migrations",
        f.at("migrations"),
        "--version",
        "v1.4.2",
        "--service",
        "billing api",
        "--environment",
        "production",
        "--release",
        "r2",
        "--format",
        "markdown",
      ],
      fakeEngine(inputs),
    );
    expect(code).toBe(1);
    const [get, post] = seen;
    expect(get).toMatchObject({
      method: "GET",
      url: "/api/v1/services/billing%20api/environments/production/versions/v1.4.2/statements",
    });
    expect(get!.headers.authorization).toBe("Bearer rg_test");
    expect(inputs[0]!.statements).toEqual([
      { text: "SELECT email FROM users WHERE id = $1", calls: 1200, role: "billing" },
      { text: "SELECT id FROM orders WHERE user_id = $1", calls: 40 },
      { text: "SELECT nope FROM users", calls: 2 },
    ]);
    expect(out).toMatch(/^### ❌ Rollback rehearsal of `v1.4.2`: UNSAFE/);
    expect(out).toContain('- **`column "email" does not exist`** (42703), on preparing · 1,200 calls');

    expect(post).toMatchObject({ method: "POST", url: "/api/v1/events" });
    expect(() => new Webhook(secret).verify(post!.body, post!.headers as Record<string, string>)).not.toThrow();
    const event = JSON.parse(post!.body);
    expect(event).toMatchObject({
      type: "rollback.rehearsed",
      service: "billing api",
      environment: "production",
      release: "r2",
    });
    expect(rollbackRehearsedSchema.parse(event.data)).toEqual({
      version: "v1.4.2",
      contract_checksum: contractChecksum(CONTRACT),
      source: "observed",
      statements: 3,
      passed: 1,
      noise: 1,
      unverifiable: 0,
      proofs: [
        {
          statement: "SELECT email FROM users WHERE id = $1",
          error: 'column "email" does not exist',
          sqlstate: "42703",
          step: "prepare",
          calls: 1200,
        },
      ],
      proof_count: 1,
    });
    expect(err).toMatch(/sent rollback\.rehearsed for v1\.4\.2/);
  });

  it("a statements file with --version and a token is sent as source file; without the release it is not sent, and says so", async () => {
    const f = await files();
    withRollgate();
    const args = [
      ...f.base,
      "--migrations",
      f.at("migrations"),
      "--statements",
      f.at("statements.sql"),
      "--version",
      "v1",
    ];
    let result = await run([...args, "--service", "s", "--environment", "e"], fakeEngine());
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/not sending the report: give --service, --environment and --release/);
    expect(seen).toEqual([]);

    process.env.ROLLGATE_SERVICE = "s";
    process.env.ROLLGATE_ENVIRONMENT = "e";
    process.env.ROLLGATE_RELEASE = "r";
    result = await run(args, fakeEngine());
    expect(result.code).toBe(1);
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!.body).data).toMatchObject({ source: "file", version: "v1", proof_count: 1 });
  });

  it("with the real engine (embedded PostgreSQL): a dropped column is proof, the rest passes", async () => {
    const f = await files({
      "statements.sql": [
        'SELECT "id", "email" FROM "users" WHERE "id" = $1',
        "SELECT id FROM orders WHERE user_id = $1",
        "INSERT INTO orders (id, user_id) VALUES ($1, $2)",
      ].join("\n"),
    });
    const out: string[] = [];
    const code = await main(
      [
        "rehearse",
        ...f.base,
        "--migrations",
        f.at("migrations"),
        "--statements",
        f.at("statements.sql"),
        "--format",
        "json",
      ],
      { out: (t) => void out.push(t), err: () => undefined, interactive: false },
    );
    expect(code).toBe(1);
    const json = JSON.parse(out.join(""));
    expect(json.counts).toEqual({ statements: 3, passed: 2, proof: 1, noise: 0, unverifiable: 0 });
    expect(json.statements[0]).toMatchObject({ outcome: "proof", after_contract: { sqlstate: "42703" } });
    expect(json.statements[0].after_contract.message).toMatch(/email.* does not exist/);
  }, 120_000);

  it("is in the help and reachable from main", async () => {
    const out: string[] = [];
    await main(["--help"], { out: (t) => void out.push(t), err: () => undefined, interactive: false });
    expect(out.join("\n")).toMatch(
      /rollgate rehearse --expand FILE --contract FILE \(--migrations DIR \| --schema FILE\)/,
    );
    const err: string[] = [];
    const code = await main(["rehearse"], { out: () => undefined, err: (t) => void err.push(t), interactive: false });
    expect(code).toBe(2);
    expect(err.join("")).toBe("rollgate rehearse: give --expand FILE, the release's expand script.");
  });
});

function observed(statements: Array<{ id: string; text: string; calls: number; role?: string }>) {
  return {
    service: "billing api",
    environment: "production",
    version: "v1.4.2",
    from: "2026-12-01T10:00:00Z",
    to: "2026-12-01T12:00:00Z",
    complete: true,
    statements,
  };
}
