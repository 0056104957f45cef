import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "@rollgate/db/client";
import { auditEvents } from "@rollgate/db/schema";
import { and, eq } from "drizzle-orm";
import { afterAll, expect, it } from "vitest";
import { tokenCommand } from "../src/commands/token.ts";

// `rollgate token create` writes the token through the app's createApiToken, so it is audited as
// the admin page's creation is (before, the CLI inserted the token with no audit entry). On the
// database the test project names (PostgreSQL with DATABASE_URL), else on a PGlite folder of its own.

const dataDir = mkdtempSync(path.join(tmpdir(), "rollgate-token-"));
const saved = process.env.ROLLGATE_DATA_DIR;
process.env.ROLLGATE_DATA_DIR = dataDir;
afterAll(() => {
  if (saved === undefined) delete process.env.ROLLGATE_DATA_DIR;
  else process.env.ROLLGATE_DATA_DIR = saved;
  rmSync(dataDir, { recursive: true, force: true });
});

it("token create records token.created in the audit chain, with the command as a system actor", async () => {
  const service = `cli-token-${Date.now().toString(36)}`;
  const out: string[] = [];
  const code = await tokenCommand(
    ["create", "--service", service, "--environments", "staging,production", "--scopes", "events:write", "--json"],
    { out: (t) => void out.push(t), err: () => {}, interactive: false },
  );
  expect(code).toBe(0);
  const { token } = JSON.parse(out[0]!) as { token: string };
  const handle = await openDatabase();
  try {
    const entries = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "token.created"), eq(auditEvents.actorId, "rollgate-cli")));
    const entry = entries.find((e) => (e.data as { service?: string }).service === service);
    expect(entry).toMatchObject({
      actorType: "system",
      subjectType: "api_token",
      data: {
        by: "rollgate token create",
        service,
        name: `ci-${service}`,
        environments: ["staging", "production"],
        scopes: ["events:write"],
        prefix: token.slice(0, 10),
      },
    });
  } finally {
    await handle.close();
  }
});
