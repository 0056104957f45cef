import "server-only";
import { log } from "@rollgate/log";
import { acceptRequestId, REQUEST_ID_HEADER, runInRequest } from "@rollgate/log/context";
import { headers } from "next/headers";

// Server actions run in the id of the request that posted them (see request.ts).

/** A server action in the id of the request that posted it, then one `action` line. */
export async function inAction<T>(action: string, work: () => Promise<T>): Promise<T> {
  const requestId = acceptRequestId(await postedRequestId());
  return runInRequest({ requestId }, async () => {
    const started = performance.now();
    let outcome = "thrown";
    try {
      const result = await work();
      outcome = result && typeof result === "object" && "error" in result && result.error ? "refused" : "done";
      return result;
    } finally {
      log().info({ action, outcome, durationMs: Math.round(performance.now() - started) }, "action");
    }
  });
}

/** The id proxy.ts gave the posting request; none when the action is called outside a request (a test, a script), which then gets a new one. */
async function postedRequestId(): Promise<string | null> {
  try {
    return (await headers()).get(REQUEST_ID_HEADER);
  } catch {
    return null;
  }
}
