import { event, post, signed } from "../support/api";
import { signInWithPassword } from "../support/sign-in";
import { expect, test } from "./image-fixture";

// Finding 2 (issue 26): the image's runtime stage copied only the standalone folder, and its
// server died with ERR_MODULE_NOT_FOUND (postgres) outside the workspace. These journeys run
// against that folder copied alone (image-fixture.ts), on PostgreSQL and on PGlite.

test("finding 2: the image's server, copied alone, starts and answers its probes", async ({ image }) => {
  expect(await (await fetch(`${image.url}/api/health`)).json()).toMatchObject({ status: "ok" });
  const ready = await fetch(`${image.url}/api/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({
    status: "ready",
    database: image.database === "pglite" ? "pglite" : "postgres",
  });
  expect(image.output.join("")).not.toContain("ERR_MODULE_NOT_FOUND");
});

test("finding 2: the image takes a signed event with SQL (the parser's WASM) and reads the gate with a token", async ({
  image,
}) => {
  const gateUrl = `${image.url}/api/v1/rollouts/${image.svc.slug}/staging/r1/gate`;
  expect((await fetch(gateUrl)).status).toBe(401);
  const created = await post(
    image.url,
    signed(
      image.svc,
      event(image.svc, "release.created", {
        title: "Add a column",
        author: "dev.author@example.com",
        app_version: "2.0.0",
        expand_sql: "ALTER TABLE users ADD COLUMN nickname text;\n",
        contract_sql: "ALTER TABLE users DROP COLUMN nick;\n",
      }),
    ),
  );
  expect(created.status, JSON.stringify(created.json)).toBe(202);
  const gate = await fetch(gateUrl, { headers: { authorization: `Bearer ${image.svc.token}` } });
  expect(gate.status).toBe(200);
  const body = (await gate.json()) as { allowed: boolean; checks: { id: string; message: string }[] };
  expect(body).toMatchObject({ service: image.svc.slug, environment: "staging", release: "r1", allowed: false });
  // The analyser (libpg-query, its WASM loaded at run time) read the contract's one statement.
  expect(body.checks.find((c) => c.id === "lock_risk")?.message).toMatch(/^1 statement/);
});

test("finding 2: the image's sign-in page hydrates and a local account signs in", async ({ image, page }) => {
  const response = await page.goto("/sign-in");
  expect(response?.status()).toBe(200);
  await signInWithPassword(page, "admin@example.com");
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  expect(image.output.join("")).not.toMatch(/"level":"(error|fatal)"/);
});
