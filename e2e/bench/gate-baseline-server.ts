// The gate read without Next.js: a bare node:http server on postgres.js running the same
// queries as the route (token by hash, rollout by keys, the facts statement) and the same pure
// evaluation, for the gate-read benchmark. Run: tsx e2e/bench/gate-baseline-server.ts <port> <postgres url>
import http from "node:http";
import { evaluateGate } from "@rollgate/core/gate";
import { parsePolicy } from "@rollgate/core/policy";
import { openDatabase } from "@rollgate/db/client";
import { loadGateFacts } from "@rollgate/db/queries/gate-facts";
import { findRollout } from "@rollgate/db/queries/rollouts";
import { findActiveToken } from "@rollgate/db/queries/tokens";

const [port, url] = process.argv.slice(2);
const { db } = await openDatabase({ url: url!, max: 10 });
const route = /^\/api\/v1\/rollouts\/([^/]+)\/([^/]+)\/([^/]+)\/gate$/;

http
  .createServer(async (request, response) => {
    const answer = (status: number, body: unknown) =>
      response
        .writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
        .end(JSON.stringify(body));
    try {
      const match = route.exec(request.url ?? "");
      if (!match) return answer(404, { error: { code: "not_found" } });
      const token = await findActiveToken(db, (request.headers.authorization ?? "").slice(7));
      if (!token) return answer(401, { error: { code: "unauthenticated" } });
      const keys = {
        service: decodeURIComponent(match[1]!),
        environment: decodeURIComponent(match[2]!),
        release: decodeURIComponent(match[3]!),
      };
      const row = await findRollout(db, keys);
      if (!row) return answer(404, { error: { code: "not_found" } });
      const parsed = parsePolicy(row.policy);
      if (!parsed.ok) return answer(500, { error: { code: "internal" } });
      const now = new Date();
      const verdict = evaluateGate(await loadGateFacts(db, row, now, 0), parsed.policy, now);
      return answer(200, { ...keys, state: row.rollout.state, ...verdict });
    } catch (error) {
      console.error(error);
      answer(500, { error: { code: "internal" } });
    }
  })
  .listen(Number(port), "127.0.0.1", () => console.log("ready"));
