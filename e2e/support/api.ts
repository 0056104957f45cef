import { createHash, randomUUID } from "node:crypto";
import { defaultPolicy, type Policy } from "@rollgate/core/policy";
import { openDatabase } from "@rollgate/db/client";
import { createApiToken } from "@rollgate/db/queries/tokens";
import { environments, services } from "@rollgate/db/schema";
import postgres from "postgres";
import { Webhook } from "standardwebhooks";

// Test set-up straight in the database the server under test uses, and requests signed
// the way a stranger's CI would sign them: with the standardwebhooks library.

export const SECRET_KEY = process.env.ROLLGATE_SECRET_KEY!;
const databaseUrl = () => process.env.DATABASE_URL!;

export interface TestService {
  slug: string;
  token: string;
  secret: string;
  tokenId: string;
}

/** A fresh service with staging and production on a fast policy, and a token for it. */
export async function makeService(
  options: { policy?: Partial<Policy>; scopes?: string[]; environments?: string[] } = {},
): Promise<TestService> {
  const handle = await openDatabase({ url: databaseUrl(), max: 1 });
  try {
    const slug = `svc-${randomUUID().slice(0, 8)}`;
    const [service] = await handle.db
      .insert(services)
      .values({ slug, name: `Test ${slug}` })
      .returning({ id: services.id });
    const fast = (name: string): Policy => ({
      ...defaultPolicy(name),
      rollbackWindowSeconds: 2,
      approvals: { ...defaultPolicy(name).approvals, required: 0 },
      backupMaxAgeSeconds: 3600,
      ...options.policy,
    });
    await handle.db.insert(environments).values(
      ["staging", "production"].map((name, position) => ({
        serviceId: service!.id,
        name,
        position,
        productionLike: name === "production",
        policy: fast(name),
      })),
    );
    const created = await createApiToken(handle.db, {
      serviceId: service!.id,
      name: "e2e",
      environments: options.environments ?? ["staging", "production"],
      scopes: options.scopes ?? ["events:write", "gate:read", "gate:lease"],
      createdBy: "e2e",
      secretKey: SECRET_KEY,
    });
    return { slug, token: created.token, secret: created.secret, tokenId: created.id };
  } finally {
    await handle.close();
  }
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export function signed(svc: TestService, event: unknown, options: { id?: string; at?: Date } = {}): SignedRequest {
  return signedBody(svc, JSON.stringify(event), options);
}

/** Signs any text as the body, valid JSON or not. */
export function signedBody(svc: TestService, body: string, options: { id?: string; at?: Date } = {}): SignedRequest {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  const signature = new Webhook(svc.secret).sign(id, at, body);
  return {
    body,
    headers: {
      authorization: `Bearer ${svc.token}`,
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signature,
    },
  };
}

export async function post(
  baseUrl: string,
  request: SignedRequest,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect answers loosely, then check them with the zod schemas
): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(`${baseUrl}/api/v1/events`, {
    method: "POST",
    headers: request.headers,
    body: request.body,
  });
  return { status: response.status, json: await response.json().catch(() => null), headers: response.headers };
}

/** `POST …/gate/lease`, signed like an event: the bearer token alone cannot take a lease. */
export function requestLease(
  baseUrl: string,
  svc: TestService,
  options: { release?: string; environment?: string; unsigned?: boolean } = {},
): Promise<Response> {
  const path = `/api/v1/rollouts/${svc.slug}/${options.environment ?? "staging"}/${options.release ?? "r1"}/gate/lease`;
  const headers = options.unsigned ? { authorization: `Bearer ${svc.token}` } : signedBody(svc, "{}").headers;
  return fetch(`${baseUrl}${path}`, { method: "POST", headers, body: options.unsigned ? undefined : "{}" });
}

export function event(
  svc: TestService,
  type: string,
  data: Record<string, unknown>,
  release = "r1",
  environment = "staging",
) {
  return { type, service: svc.slug, environment, release, occurred_at: new Date().toISOString(), data };
}

/** Row counts of every table, to show that bad input changed nothing. */
export async function rowCounts(except: string[] = []): Promise<Record<string, number>> {
  const sql = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<
      { tablename: string }[]
    >`select tablename from pg_tables where schemaname = 'public' order by tablename`;
    const counts: Record<string, number> = {};
    for (const { tablename } of tables) {
      if (except.includes(tablename)) continue;
      const [row] = await sql.unsafe(`select count(*)::int as n from "${tablename}"`);
      counts[tablename] = row!.n as number;
    }
    return counts;
  } finally {
    await sql.end();
  }
}

/** How many approval decisions a service's rollouts have, of any kind. */
export async function approvalCount(slug: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    `select count(*)::int as n from approvals a join rollouts r on r.id = a.rollout_id join releases l on l.id = r.release_id join services s on s.id = l.service_id where s.slug = $1`,
    [slug],
  );
  return row!.n;
}

export async function query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const sql = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text, params as never[])) as unknown as T[];
  } finally {
    await sql.end();
  }
}

export const sha = (s: string) => createHash("sha256").update(s).digest("hex");
/** An additive expand script and the destructive contract that follows it. */
export const EXPAND = "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text;\n";
export const CONTRACT = "SET lock_timeout = '3s';\nALTER TABLE users DROP COLUMN IF EXISTS email;\n";

/** Sends one event for release r1 (in staging unless told) and expects it accepted. */
export async function accept(
  baseUrl: string,
  svc: TestService,
  type: string,
  data: Record<string, unknown>,
  environment = "staging",
): Promise<void> {
  const answer = await post(baseUrl, signed(svc, event(svc, type, data, "r1", environment)));
  if (answer.status !== 202)
    throw new Error(`${type} was not accepted: ${answer.status} ${JSON.stringify(answer.json)}`);
}

/**
 * Takes release r1 in staging from release.created to a running rollback window: expand run,
 * deploy, flag at 100 %. With `evidence`, also a restore-tested backup and an SLO snapshot,
 * so that only time (and approvals, by policy) stand between the rollout and its contract.
 */
export async function startWindow(
  baseUrl: string,
  svc: TestService,
  options: { evidence?: boolean; author?: string } = {},
): Promise<void> {
  const send = (type: string, data: Record<string, unknown>) => accept(baseUrl, svc, type, data);
  await send("release.created", {
    title: "Drop users.email",
    author: options.author ?? "dev@example.com",
    app_version: "2.0.0",
    expand_sql: EXPAND,
    contract_sql: CONTRACT,
  });
  await send("migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  if (options.evidence) await send("backup.verified", { backup_id: "b", restore_tested: true });
  await send("app.deployed", { version: "2.0.0" });
  await send("flag.changed", { flag: "f", percent: 100 });
  if (options.evidence)
    await send("slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 });
}
