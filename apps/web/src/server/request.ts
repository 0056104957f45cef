import "server-only";
import { log, pathOf } from "@rollgate/log";
import { acceptRequestId, REQUEST_ID_HEADER, runInRequest } from "@rollgate/log/context";
import { headers } from "next/headers";

// The request id: proxy.ts accepts a well-formed `x-request-id` or makes one, forwards it to
// the handler and returns it on the response. Handlers and actions run inside it, so every log
// line and audit entry written on the way carries it (`requestId`).

/** A route handler as one request: run in its id, then one `request` line (method, path without query, status, duration). */
export function inRequest<A extends unknown[]>(
  route: string,
  handler: (request: Request, ...rest: A) => Promise<Response>,
) {
  return (request: Request, ...rest: A): Promise<Response> =>
    runInRequest({ requestId: acceptRequestId(request.headers.get(REQUEST_ID_HEADER)) }, async () => {
      const started = performance.now();
      const line = { route, method: request.method, path: pathOf(request.url) };
      try {
        const response = await handler(request, ...rest);
        log().info(
          { ...line, status: response.status, durationMs: Math.round(performance.now() - started) },
          "request",
        );
        return response;
      } catch (error) {
        // Next's own control flow (redirect, notFound) and real failures alike: Next answers them.
        log().info({ ...line, status: "thrown", durationMs: Math.round(performance.now() - started) }, "request");
        throw error;
      }
    });
}

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
