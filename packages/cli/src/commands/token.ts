import { parseArgs } from "node:util";
import { createApiToken } from "@rollgate/app/access/create-api-token";
import { API_SCOPES } from "@rollgate/core/types";
import { newEnvironment } from "@rollgate/core/policy";
import { openDatabase } from "@rollgate/db/client";
import { createLogger, replaceLogger } from "@rollgate/log";
import { readDbEnv } from "@rollgate/db/env";
import { migrateDatabase } from "@rollgate/db/migrate";
import { environments, services } from "@rollgate/db/schema";
import { eq } from "drizzle-orm";
import { UsageError, type Io } from "../io.ts";

/**
 * `rollgate token create --service S --environments staging,production --scopes … [--json]`
 * Bootstraps a CI credential straight in the database (DATABASE_URL or the embedded data
 * folder), creating the service and its environments on first use, through the app's
 * `createApiToken` as the admin page does, so the token is audited (`token.created`, actor
 * `system`). The token and secret are printed once; only a hash and an encrypted copy are stored.
 */
export async function tokenCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args);
  if (positionals[0] !== "create") throw new UsageError("the only token subcommand is create.");
  if (!values.service) throw new UsageError("--service names the service the token acts for.");
  const envNames = list(values.environments);
  const scopes = list(values.scopes ?? API_SCOPES.join(","));
  if (envNames.length === 0)
    throw new UsageError("--environments lists the environments, in promotion order (e.g. staging,production).");
  const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length) throw new UsageError(`unknown scope(s) ${unknown.join(", ")}; use ${API_SCOPES.join(", ")}.`);

  // Standard output carries the token alone (`--json` is parsed by pipelines); a log line (the
  // audit key record the first audited write makes) goes to standard error.
  const previousLogger = replaceLogger(createLogger({ destination: process.stderr }));
  const handle = await openDatabase();
  try {
    await migrateDatabase(handle);
    const created = await handle.db.transaction(async (tx) => {
      let [service] = await tx.select({ id: services.id }).from(services).where(eq(services.slug, values.service!));
      if (!service)
        [service] = await tx
          .insert(services)
          .values({ slug: values.service!, name: values.service! })
          .returning({ id: services.id });
      const existing = await tx
        .select({ name: environments.name, position: environments.position })
        .from(environments)
        .where(eq(environments.serviceId, service!.id));
      let position = Math.max(-1, ...existing.map((e) => e.position));
      for (const name of envNames) {
        if (existing.some((e) => e.name === name)) continue;
        position += 1;
        // The name proposes the production-like flag (and with it the defaults); admin → policies shows and changes it.
        await tx.insert(environments).values({ serviceId: service!.id, name, position, ...newEnvironment(name) });
      }
      return createApiToken(
        { db: tx, now: new Date(), secretKey: readDbEnv().ROLLGATE_SECRET_KEY },
        {
          serviceId: service!.id,
          service: values.service!,
          name: values.name ?? `ci-${values.service}`,
          environments: envNames,
          scopes,
          creator: { actorType: "system", actorId: "rollgate-cli", by: "rollgate token create" },
        },
      );
    });
    if (values.json) io.out(JSON.stringify({ token: created.token, secret: created.secret }));
    else
      io.out(
        `token:  ${created.token}\nsecret: ${created.secret}\nStore both now (e.g. as ROLLGATE_TOKEN and ROLLGATE_SECRET); Rollgate cannot show them again.`,
      );
    return 0;
  } finally {
    await handle.close();
    replaceLogger(previousLogger);
  }
}

function list(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        service: { type: "string" },
        environments: { type: "string" },
        scopes: { type: "string" },
        name: { type: "string" },
        json: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
