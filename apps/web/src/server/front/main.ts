// The standalone server's entry (`node apps/web/server.js`), bundled by
// scripts/assemble-standalone.mjs over the one `next build` writes. One node:http server: the
// machine routes pipelines call hardest are answered directly (`machine-routes.ts`), everything
// else by Next.js through its public custom-server API. It does what Next's own standalone
// server does: PORT, HOSTNAME, KEEP_ALIVE_TIMEOUT, and on SIGTERM or SIGINT it stops accepting,
// answers parked gate long-polls, finishes the requests in flight and the background jobs running,
// closes Next and exits 143 or 130.
/* eslint-disable no-restricted-properties -- the process's own start-up settings, read and set
   the way Next's generated server.js does; Rollgate's configuration is read through env.ts */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { log } from "@rollgate/log";
import next from "next";
import { z } from "zod";
import { env } from "../env";
import { drainProcessGateWaiters } from "../gate/gate-waiters";
import { stopProcessWorker } from "../jobs/worker-slot";
import { API_SECURITY_HEADERS } from "../security-headers";
import { matchMachineRoute, serveMachineRoute } from "./machine-routes";

const dir = path.dirname(fileURLToPath(import.meta.url));
process.chdir(dir);
const port = Number.parseInt(process.env.PORT ?? "", 10) || 3000;
const hostname = process.env.HOSTNAME || "0.0.0.0";
const keepAliveTimeout = Number.parseInt(process.env.KEEP_ALIVE_TIMEOUT ?? "", 10);
// What Next's generated server.js inlines: the build's configuration, which Next reads from here.
const { config } = JSON.parse(readFileSync(path.join(dir, ".next", "required-server-files.json"), "utf8"));
Object.assign(process.env, { NODE_ENV: "production", __NEXT_PRIVATE_STANDALONE_CONFIG: JSON.stringify(config) });

// A setting that does not parse stops the process here, with the reason. Next.js would log the
// instrumentation hook's error and go on running, answering every request (probes included) with
// 500 and no reason; exiting puts the reason in the pod's log and its restart loop.
try {
  env();
} catch (error) {
  const reason =
    error instanceof z.ZodError
      ? z.prettifyError(error).replaceAll(/\s*\n\s*/g, " ")
      : error instanceof Error
        ? error.message
        : String(error);
  log().fatal(`invalid configuration, not starting: ${reason}`);
  process.exit(1);
}

const app = next({ dev: false, dir, hostname, port });
await app.prepare();
const nextHandler = app.getRequestHandler();
const origin = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;

const server = createServer((req, res) => {
  const match = matchMachineRoute(req.method ?? "GET", req.url ?? "/");
  // Next.js adds next.config.ts's headers to what it answers; the machine routes get the same here.
  if (match) for (const { key, value } of API_SECURITY_HEADERS) res.setHeader(key, value);
  const served = match ? serveMachineRoute(match, req, res, origin) : nextHandler(req, res);
  served.catch((error: unknown) => {
    log().error({ err: error, path: req.url?.split("?")[0] }, "request failed outside its handler");
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end("Internal Server Error");
  });
});
if (Number.isFinite(keepAliveTimeout) && keepAliveTimeout >= 0) server.keepAliveTimeout = keepAliveTimeout;
server.listen(port, hostname, () => log().info({ port, hostname }, "listening"));

let stopping = false;
for (const [signal, code] of [
  ["SIGTERM", 143],
  ["SIGINT", 130],
] as const)
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log().info({ signal }, "stopping: finishing the requests in flight and the jobs running");
    // The background jobs take no new job now and finish the ones running (a job cut short would
    // stay claimed); a crontab period missed while no worker runs is caught up on the next start.
    const jobs = stopProcessWorker().catch((error: unknown) => log().error({ error: String(error) }, "worker stop"));
    server.close(() => void Promise.allSettled([app.close(), jobs]).finally(() => process.exit(code)));
    server.closeIdleConnections();
    // Parked long-polls are answered now rather than held to their timeout.
    void drainProcessGateWaiters();
  });
