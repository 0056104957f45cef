import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test as base } from "@playwright/test";
import { defaultPolicy } from "@rollgate/core/policy";
import { openDatabase } from "@rollgate/db/client";
import { createApiToken } from "@rollgate/db/queries/tokens";
import { environments, services } from "@rollgate/db/schema";
import { seedDemo } from "@rollgate/db/seed";
import type { TestService } from "../support/api";
import { waitFor } from "../support/app-server";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface ImageOptions {
  database: "postgres" | "pglite";
}

export interface Image {
  url: string;
  /** The folder the image's files were copied to, alone. */
  dir: string;
  database: ImageOptions["database"];
  /** A CI token for a service of its own (staging and production), created in the database. */
  svc: TestService;
  /** What the server printed so far. */
  output: string[];
}

/** The runtime stage of infra/docker/Dockerfile: what it copies, its working directory, ENV and CMD. */
export function runtimeStage(dockerfile = readFileSync(path.join(root, "infra", "docker", "Dockerfile"), "utf8")) {
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const stage = instructions.slice(instructions.findLastIndex((i) => i.startsWith("FROM ")));
  const args = (i: string) => i.split(/\s+/).slice(1);
  const workdir = args(stage.find((i) => i.startsWith("WORKDIR "))!)[0]!;
  const env: Record<string, string> = {};
  for (const i of stage.filter((i) => i.startsWith("ENV ")))
    for (const pair of args(i)) {
      const at = pair.indexOf("=");
      env[pair.slice(0, at)] = pair.slice(at + 1);
    }
  // COPY [--from=…] [--chown=…] SOURCE DESTINATION, sources in the build stage's /src (the repository).
  const copies = stage
    .filter((i) => i.startsWith("COPY "))
    .map((i) => {
      const words = args(i).filter((w) => !w.startsWith("--"));
      return { source: words[0]!, destination: words[1]! };
    });
  const cmd = JSON.parse(stage.find((i) => i.startsWith("CMD "))!.slice(4)) as string[];
  return { workdir, env, copies, cmd };
}

/** The image's files in an empty folder outside the workspace, where no node_modules above can help. */
function copyImage(stage: ReturnType<typeof runtimeStage>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "rollgate-image-"));
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, "node_modules")) || path.relative(root, d) === "")
      throw new Error(`${dir} is not alone: ${d} would lend it packages (set TMPDIR elsewhere)`);
    if (d === path.dirname(d)) break;
  }
  for (const { source, destination } of stage.copies) {
    if (!source.startsWith("/src/")) throw new Error(`the smoke test cannot copy ${source}`);
    const from = path.join(root, source.slice("/src/".length));
    if (!existsSync(from)) throw new Error(`${from} is missing: build first (pnpm --filter @rollgate/web build)`);
    cpSync(from, path.resolve(dir, destination), { recursive: true, verbatimSymlinks: true });
  }
  return dir;
}

/** A service with staging and production and a token for it, straight in the database, then closed. */
async function seed(database: { url?: string; dataDir?: string }): Promise<TestService> {
  const handle = await openDatabase({ ...database, max: 1 });
  try {
    await seedDemo(handle.db, new Date(), { ifEmpty: true });
    const slug = `image-${randomUUID().slice(0, 8)}`;
    const [service] = await handle.db
      .insert(services)
      .values({ slug, name: "Image smoke" })
      .returning({ id: services.id });
    await handle.db.insert(environments).values(
      ["staging", "production"].map((name, position) => ({
        serviceId: service!.id,
        name,
        position,
        policy: defaultPolicy(name),
      })),
    );
    const created = await createApiToken(handle.db, {
      serviceId: service!.id,
      name: "image smoke",
      environments: ["staging", "production"],
      scopes: ["events:write", "gate:read", "gate:lease"],
      createdBy: "e2e",
      secretKey: process.env.ROLLGATE_SECRET_KEY!,
    });
    return { slug, token: created.token, secret: created.secret, tokenId: created.id };
  } finally {
    await handle.close();
  }
}

export const test = base.extend<{ image: Image }, ImageOptions & { image_: Image }>({
  database: ["postgres", { option: true, scope: "worker" }],
  image_: [
    async ({ database }, use, workerInfo) => {
      const stage = runtimeStage();
      const dir = copyImage(stage);
      const baseURL = workerInfo.project.use.baseURL!;
      const port = new URL(baseURL).port;
      const dataDir = database === "pglite" ? mkdtempSync(path.join(tmpdir(), "rollgate-image-pglite-")) : undefined;
      const url = database === "postgres" ? process.env.DATABASE_URL : undefined;
      if (database === "postgres" && !url) throw new Error("DATABASE_URL: the PostgreSQL database to run the image on");
      // Nothing from this process's environment but PATH: the image has only its ENV and the pod's settings.
      const env: Record<string, string> = {
        PATH: process.env.PATH!,
        ...Object.fromEntries(
          Object.entries(stage.env).map(([k, v]) => [
            k,
            v.startsWith(`${stage.workdir}/`) ? path.join(dir, v.slice(stage.workdir.length)) : v,
          ]),
        ),
        HOSTNAME: "127.0.0.1",
        PORT: port,
        ROLLGATE_SECRET_KEY: process.env.ROLLGATE_SECRET_KEY!,
        NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET!,
        NEXTAUTH_URL: baseURL,
        ROLLGATE_CREDENTIALS_LOGIN: "1",
        ...(url ? { DATABASE_URL: url } : { ROLLGATE_DATA_DIR: dataDir! }),
      };
      try {
        // The Kubernetes migration Job's command (infra/k8s/migration/job.yaml) on the empty database.
        const migrated = execFileSync(process.execPath, ["apps/web/migrate.mjs"], { cwd: dir, env, encoding: "utf8" });
        if (!migrated.includes(`migrations applied (${url ? "postgres" : "pglite"})`)) throw new Error(migrated);
        const svc = await seed(url ? { url } : { dataDir });
        const [node, ...args] = stage.cmd;
        if (node !== "node") throw new Error(`the image's CMD starts with ${node}, not node`);
        const output: string[] = [];
        const child: ChildProcess = spawn(process.execPath, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
        child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
        const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
        try {
          const ready = async () => (await fetch(`${baseURL}/api/ready`).catch(() => null))?.ok === true;
          await Promise.race([
            waitFor(ready, 150_000),
            exited.then((code) => {
              throw new Error(`the image's server exited (${code}) before it was ready:\n${output.join("")}`);
            }),
          ]);
          await use({ url: baseURL, dir, database, svc, output });
        } finally {
          if (child.exitCode === null) {
            child.kill("SIGTERM");
            await exited;
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: "worker", timeout: 240_000 },
  ],
  image: async ({ image_ }, use) => use(image_),
});

export { expect } from "@playwright/test";
