import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { apiTokens, services } from "../schema/index.ts";
import { preparedPer } from "./compiled.ts";
import { encryptSecret, hashToken, newBearerToken, newSigningSecret } from "../secrets.ts";

export interface CreateTokenParams {
  serviceId: string;
  name: string;
  environments: string[];
  scopes: string[];
  createdBy: string;
  secretKey: string;
}

/** Creates a token; the plain token and secret are returned once and never stored. */
export async function createApiToken(db: Db, params: CreateTokenParams) {
  const token = newBearerToken();
  const secret = newSigningSecret();
  const [row] = await db
    .insert(apiTokens)
    .values({
      serviceId: params.serviceId,
      name: params.name,
      tokenPrefix: token.slice(0, 10),
      tokenHash: hashToken(token),
      secretCiphertext: encryptSecret(secret, params.secretKey),
      environments: params.environments,
      scopes: params.scopes,
      createdBy: params.createdBy,
    })
    .returning({ id: apiTokens.id, tokenPrefix: apiTokens.tokenPrefix, createdAt: apiTokens.createdAt });
  return { ...row!, token, secret };
}

/** The live (not revoked) token with this bearer value, with its service's slug. */
const activeTokenQuery = preparedPer((db) =>
  db
    .select({
      id: apiTokens.id,
      serviceId: apiTokens.serviceId,
      serviceSlug: services.slug,
      name: apiTokens.name,
      environments: apiTokens.environments,
      scopes: apiTokens.scopes,
      secretCiphertext: apiTokens.secretCiphertext,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .innerJoin(services, eq(services.id, apiTokens.serviceId))
    .where(and(eq(apiTokens.tokenHash, sql.placeholder("hash")), isNull(apiTokens.revokedAt)))
    .limit(1)
    .prepare("rollgate_active_token"),
);

export async function findActiveToken(db: Db, bearer: string) {
  const [row] = await activeTokenQuery(db).execute({ hash: hashToken(bearer) });
  return row ?? null;
}

/** A live API token as the edge found it. */
export type ApiToken = NonNullable<Awaited<ReturnType<typeof findActiveToken>>>;

export async function touchApiToken(db: Db, id: string, at: Date): Promise<void> {
  await db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id));
}

export async function revokeApiToken(db: Db, id: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: at })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return rows.length > 0;
}
