import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { infra, parseFile, render, validate, type Manifest } from "./render.ts";

// The server's node flags are written once, in apps/web's `start` script; e2e and the benchmarks read them there.
const webPackage = JSON.parse(readFileSync(path.join(infra, "..", "apps", "web", "package.json"), "utf8"));
const START: string = webPackage.scripts.start;
const SERVER_NODE_ARGS = START.split(" ").filter((arg) => arg.startsWith("--"));

const ENVS = ["staging", "production"] as const;
const find = (docs: Manifest[], kind: string, name?: string) =>
  docs.find((d) => d.kind === kind && (!name || d.metadata.name === name))!;

describe.each(ENVS)("the %s overlays", (env) => {
  const app = render(`k8s/overlays/${env}/app`);
  const migration = render(`k8s/overlays/${env}/migration`);
  const database = render(`flux/infrastructure/data/cnpg-clusters/${env}`);

  it("render and validate against the Kubernetes, CloudNativePG and Flux schemas", () => {
    for (const doc of [...app, ...migration, ...database])
      expect(() => validate(doc), `${doc.kind} ${doc.metadata.name}`).not.toThrow();
    expect([...app, ...migration, ...database].every((d) => d.metadata.namespace === `rollgate-${env}`)).toBe(true);
  });

  it("run several replicas with readiness on /api/ready, liveness on /api/health, a PDB, an HPA and spread", () => {
    const deployment = find(app, "Deployment", "rollgate-web");
    const pod = deployment.spec.template.spec;
    const web = pod.containers[0];
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(web.readinessProbe.httpGet.path).toBe("/api/ready");
    expect(web.livenessProbe.httpGet.path).toBe("/api/health");
    expect(web.resources.requests.cpu).toBeTruthy();
    expect(pod.topologySpreadConstraints.length).toBeGreaterThan(0);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(web.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(web.lifecycle.preStop).toBeTruthy();
    expect(find(app, "PodDisruptionBudget").spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(find(app, "HorizontalPodAutoscaler").spec.minReplicas).toBe(deployment.spec.replicas);
    expect(find(app, "Ingress")).toBeTruthy();
    expect(find(app, "Service")).toBeTruthy();
  });

  it("migrate as the owner (the cluster's -app secret) and run the app as a role that cannot rewrite the audit trail", () => {
    const cluster = find(database, "Cluster", "rollgate-db");
    const env = (pod: Manifest, name: string) => pod.containers[0].env.find((e: Manifest) => e.name === name);
    const job = find(migration, "Job").spec.template.spec;
    expect(env(job, "DATABASE_URL").valueFrom.secretKeyRef).toEqual({
      name: `${cluster.metadata.name}-app`,
      key: "uri",
    });
    expect(job.containers[0].command).toEqual(["node", "apps/web/migrate.mjs"]);
    const webRole = env(job, "ROLLGATE_APP_DB_ROLE").value;
    const managed = cluster.spec.managed.roles.find((r: Manifest) => r.name === webRole);
    expect(managed).toMatchObject({ ensure: "present", login: true });
    const web = find(app, "Deployment").spec.template.spec;
    expect(new URL(env(web, "DATABASE_URL").value).username).toBe(webRole);
    expect(env(web, "PGPASSWORD").valueFrom.secretKeyRef.name).toBe(managed.passwordSecret.name);
    expect(env(web, "ROLLGATE_MIGRATE_ON_START").value).toBe("0");
  });

  it("are scraped by Prometheus with the bearer token the app checks (ROLLGATE_METRICS_TOKEN)", () => {
    const web = find(app, "Deployment", "rollgate-web").spec.template.spec.containers[0];
    const token = web.env.find((e: Manifest) => e.name === "ROLLGATE_METRICS_TOKEN").valueFrom.secretKeyRef;
    const monitor = find(app, "ServiceMonitor", "rollgate-web");
    const [endpoint, ...more] = monitor.spec.endpoints;
    expect(more).toEqual([]);
    expect(endpoint).toMatchObject({ path: "/api/metrics", authorization: { type: "Bearer", credentials: token } });
    // The endpoint names a port of the Service the monitor selects, and that Service reaches the pods.
    const service = find(app, "Service", "rollgate-web");
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((p: Manifest) => p.name)).toContain(endpoint.port);
    // No unauthenticated scrape by annotation, which would only collect 401s.
    expect(find(app, "Deployment", "rollgate-web").spec.template.metadata.annotations?.["prometheus.io/scrape"]).toBe(
      undefined,
    );
  });

  it("run PostgreSQL as three CloudNativePG instances with scheduled backups", () => {
    const cluster = find(database, "Cluster", "rollgate-db");
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.backup.barmanObjectStore.destinationPath).toContain(env);
    expect(find(database, "ScheduledBackup").spec.cluster.name).toBe("rollgate-db");
  });
});

describe("the inspection CronJob", () => {
  const docs = render("k8s/inspect");

  it("runs `rollgate inspect` from the CLI image every 15 minutes, one at a time, with the scripts mounted", () => {
    for (const doc of docs) expect(() => validate(doc), `${doc.kind} ${doc.metadata.name}`).not.toThrow();
    const cron = find(docs, "CronJob", "rollgate-inspect");
    expect(cron.spec.schedule).toBe("*/15 * * * *");
    expect(cron.spec.concurrencyPolicy).toBe("Forbid");
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const [container] = pod.containers;
    expect(container.image).toMatch(/^ghcr\.io\/rollgate\/rollgate-cli:/);
    expect(container.args).toEqual([
      "inspect",
      "--contract",
      "/scripts/contract.sql",
      "--expand",
      "/scripts/expand.sql",
    ]);
    const mount = container.volumeMounts.find((m: Manifest) => m.mountPath === "/scripts");
    expect(pod.volumes.find((v: Manifest) => v.name === mount.name).configMap.name).toBeTruthy();
    expect(pod.securityContext.runAsNonRoot).toBe(true);
  });

  it("gets every setting the CLI reads, the credentials from a Secret", () => {
    const container = find(docs, "CronJob").spec.jobTemplate.spec.template.spec.containers[0];
    const secret = (name: string) => container.env.find((e: Manifest) => e.name === name)?.valueFrom?.secretKeyRef;
    for (const name of ["ROLLGATE_TOKEN", "ROLLGATE_SECRET", "ROLLGATE_DATABASE_URL"])
      expect(secret(name), name).toMatchObject({ name: "rollgate-inspect" });
    // ROLLGATE_URL and the rollout's keys come from the release's ConfigMap.
    expect(container.envFrom).toEqual([{ configMapRef: { name: "rollgate-release" } }]);
  });
});

describe("the Flux objects", () => {
  it.each(ENVS)("deploy %s in order: database, then migration, then app", (env) => {
    const docs = parseFile(readFileSync(path.join(infra, "flux", "clusters", env, "rollgate.yaml"), "utf8"));
    for (const doc of docs) expect(() => validate(doc)).not.toThrow();
    const k = (name: string) => find(docs, "Kustomization", name);
    expect(k("rollgate-database").spec.dependsOn).toBeUndefined();
    expect(k("rollgate-migration").spec.dependsOn).toEqual([{ name: "rollgate-database" }]);
    expect(k("rollgate-app").spec.dependsOn).toEqual([{ name: "rollgate-migration" }]);
    expect(k("rollgate-database").spec.path).toBe(`./infra/flux/infrastructure/data/cnpg-clusters/${env}`);
    for (const name of ["rollgate-database", "rollgate-migration", "rollgate-app"])
      expect(k(name).spec.wait).toBe(true);
  });
});

describe("secrets", () => {
  it("are referenced, never committed", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? e.name === "node_modules"
            ? []
            : files(path.join(dir, e.name))
          : e.name.endsWith(".yaml")
            ? [path.join(dir, e.name)]
            : [],
      );
    const docs = files(infra).flatMap((f) => parseFile(readFileSync(f, "utf8")));
    expect(docs.filter((d) => d.kind === "Secret")).toEqual([]);
  });
});

describe("validation", () => {
  it("refuses a manifest that breaks its schema", () => {
    const deployment = structuredClone(find(render("k8s/overlays/staging/app"), "Deployment"));
    deployment.spec.replicas = "three";
    expect(() => validate(deployment)).toThrow(/replicas/);
    const cluster = structuredClone(find(render("k8s/overlays/staging/database"), "Cluster"));
    cluster.spec.instances = -1;
    expect(() => validate(cluster)).toThrow(/instances/);
  });
});

describe("the container image", () => {
  const dockerfile = readFileSync(path.join(infra, "docker", "Dockerfile"), "utf8");
  // Instructions at the start of a line, continuation lines folded: a Dockerfile's own grammar.
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => line.trim() && !line.trimStart().startsWith("#"))
    .map((line) => line.trim());

  it("is multi-stage and runs the standalone server as a non-root user with a health check", () => {
    expect(instructions.filter((i) => i.startsWith("FROM ")).length).toBeGreaterThanOrEqual(2);
    const runtime = instructions.slice(instructions.findLastIndex((i) => i.startsWith("FROM ")));
    expect(runtime.find((i) => i.startsWith("USER "))).toMatch(/^USER 10001/);
    expect(runtime.find((i) => i.startsWith("HEALTHCHECK "))).toContain("/api/health");
    const cmd = JSON.parse(runtime.find((i) => i.startsWith("CMD "))!.slice(4)) as string[];
    // The flags the benchmarks and e2e run the server with are the image's.
    expect(cmd).toEqual(["node", ...SERVER_NODE_ARGS, "apps/web/server.js"]);
    expect(runtime.find((i) => i.startsWith("ENV "))).toContain("ROLLGATE_MIGRATIONS_DIR=/app/apps/web/drizzle");
  });

  it("runs with the same node flags as the demo and npm start", () => {
    const root = path.join(infra, "..");
    const flags = SERVER_NODE_ARGS.join(" ");
    expect(START).toBe(`node ${flags} .next/standalone/apps/web/server.js`);
    expect(readFileSync(path.join(root, "scripts", "demo.sh"), "utf8")).toContain(
      `exec node ${flags} apps/web/.next/standalone/apps/web/server.js`,
    );
  });
});
