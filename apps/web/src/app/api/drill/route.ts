import { API } from "@rollgate/core/contract/endpoints";
import { serve } from "@/server/api/serve";
import { runDrill, type Scenario } from "@rollgate/drill";
import { z } from "zod";
import { authorizeRead } from "@/server/auth/reading";
import { takeDrillLock } from "@/server/drill/drill-lock";
import { AppError, errorResponse } from "@/server/errors";

export const dynamic = "force-dynamic";

const input = z.object({ scenario: z.enum(["unsafe", "safe", "both", "late-writes", "all"]).default("both") });
/** One drill at a time per process (each takes seconds and a few hundred MB); on globalThis so every bundle shares it. */
const RUNNING = Symbol.for("rollgate.drillRunning");
const state = globalThis as typeof globalThis & { [RUNNING]?: boolean };
const alreadyRunning = () =>
  errorResponse(
    new AppError(
      "rate_limited",
      "A drill is already running; it takes a few seconds. Try again when it has finished.",
      undefined,
      { "retry-after": "10" },
    ),
  );

// POST /api/drill — for signed-in users: runs the incident drill on an in-memory PGlite and
// streams each step as a line of JSON (`{ step }`), then the evidence bundle (`{ evidence }`).
export const POST = serve(API.drill, async ({ request }) => {
  // Read before the first await: a running drill keeps this process busy, and the answer is about the moment the request came.
  const busy = state[RUNNING] === true;
  try {
    await authorizeRead({ kind: "drill" });
  } catch (error) {
    return errorResponse(error);
  }
  const parsed = input.safeParse(await request.json().catch(() => ({})));
  if (!parsed.success)
    return Response.json(
      { error: { code: "invalid_request", message: "scenario must be unsafe, safe, both, late-writes or all." } },
      { status: 400 },
    );
  if (busy || state[RUNNING]) return alreadyRunning();
  state[RUNNING] = true;
  let release: (() => Promise<void>) | null;
  try {
    release = await takeDrillLock();
  } catch (error) {
    state[RUNNING] = false;
    return errorResponse(error);
  }
  if (!release) {
    state[RUNNING] = false;
    return alreadyRunning();
  }
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (value: unknown) => {
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
        } catch {
          // the client went away; the drill still finishes before the next one may start
        }
      };
      try {
        const evidence = await runDrill({
          scenario: parsed.data.scenario as Scenario,
          onStep: (step) => send({ step }),
        });
        send({ evidence });
      } catch (error) {
        send({ error: error instanceof Error ? error.message : String(error) });
      } finally {
        await release().catch(() => {}); // a dropped connection has released the lock already
        state[RUNNING] = false;
      }
      try {
        controller.close();
      } catch {
        // already closed by a cancelled request
      }
    },
  });
  // no-transform: the server's gzip would hold the steps back until the drill ends, and the page shows them live.
  return new Response(stream, {
    headers: { "content-type": "application/x-ndjson", "cache-control": "no-store, no-transform" },
  });
});
