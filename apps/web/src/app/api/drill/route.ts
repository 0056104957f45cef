import { runDrill, type Scenario } from "@rollgate/drill";
import { z } from "zod";

export const dynamic = "force-dynamic";

const input = z.object({ scenario: z.enum(["unsafe", "safe", "both"]).default("both") });

// POST /api/drill — runs the incident drill on an in-memory PGlite and streams each step as
// a line of JSON (`{ step }`), then the evidence bundle (`{ evidence }`).
export async function POST(request: Request) {
  const parsed = input.safeParse(await request.json().catch(() => ({})));
  if (!parsed.success) return Response.json({ error: { code: "invalid_request", message: "scenario must be unsafe, safe or both." } }, { status: 400 });
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (value: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
      try {
        const evidence = await runDrill({ scenario: parsed.data.scenario as Scenario, onStep: (step) => send({ step }) });
        send({ evidence });
      } catch (error) {
        send({ error: error instanceof Error ? error.message : String(error) });
      }
      controller.close();
    },
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" } });
}
