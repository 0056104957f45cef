import "server-only";
import { log, pathOf } from "@rollgate/log";
import { acceptRequestId, REQUEST_ID_HEADER, runInRequest } from "@rollgate/log/context";

// The request id: proxy.ts (or, for the routes it answers, the standalone server's front) accepts a
// well-formed `x-request-id` or makes one, forwards it to
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
