import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { API, type Endpoint } from "@rollgate/core/contract/endpoints";
import { acceptRequestId, REQUEST_ID_HEADER } from "@rollgate/log/context";
import { requestWithBody, responseBytes } from "../api/bodies";
import { errorResponse } from "../errors";
import { postEvent } from "../events/events-route";
import { MAX_BODY_BYTES } from "../events/read-signed-body";
import { readBackfillControl } from "../backfills/backfill-routes";
import { readGate, waitForGate } from "../gate/gate-routes";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

interface MachineRoute {
  method: "GET" | "POST";
  /** Path segments; `:name` matches one non-empty segment, percent-decoded, as the param `name`. */
  segments: string[];
  handler: Handler;
  /** The handler waits on `request.signal` (a client that leaves is dropped); others get none, which is cheaper. */
  longPoll?: true;
}

/**
 * The routes pipelines call hardest, answered without Next.js: a gate read, a waiting pipeline's
 * long-poll and a signed event cost a fraction of the CPU here (docs/BENCHMARKS.md). The handlers
 * are the very functions Next's route files export (`next dev` serves them there), so the edge
 * (token, rate limit, scope, error mapping, metrics, request id) is the same code either way.
 */
const ROUTES: MachineRoute[] = [
  machineRoute(API.gate, readGate),
  machineRoute(API.gateWait, waitForGate, { longPoll: true }),
  machineRoute(API.events, postEvent),
  // `rollgate backfill` asks before every batch, several times a second per running backfill.
  machineRoute(API.backfillControl, readBackfillControl),
];

/** A machine route from an endpoint's description: its method, and its path as segments. */
function machineRoute(endpoint: Endpoint, handler: unknown, extra: { longPoll?: true } = {}): MachineRoute {
  if (typeof endpoint.method !== "string" || (endpoint.method !== "GET" && endpoint.method !== "POST"))
    throw new Error(`${endpoint.name}: a machine route has one method, GET or POST`);
  const segments = endpoint.path
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/^\{(\w+)\}$/, ":$1"));
  return { method: endpoint.method, segments, handler: handler as Handler, ...extra };
}

export interface MachineMatch {
  route: MachineRoute;
  params: Record<string, string>;
}

/**
 * The machine route for a method and raw request target, or null for Next.js to answer: any
 * other path or method (Next answers 405 and HEAD), a trailing slash (Next redirects), and a
 * segment that is not percent-encoded UTF-8 (proxy.ts answers the 400).
 */
export function matchMachineRoute(method: string, target: string): MachineMatch | null {
  const query = target.indexOf("?");
  const path = query === -1 ? target : target.slice(0, query);
  if (!path.startsWith("/api/v1/")) return null;
  const parts = path.slice(1).split("/");
  for (const route of ROUTES) {
    if (route.method !== method || route.segments.length !== parts.length) continue;
    const params = matchSegments(route.segments, parts);
    if (params) return { route, params };
  }
  return null;
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i]!;
    if (!segment.startsWith(":")) {
      if (segment !== part) return null;
      continue;
    }
    if (!part) return null;
    try {
      params[segment.slice(1)] = decodeURIComponent(part);
    } catch {
      return null;
    }
  }
  return params;
}

/**
 * Answers a matched machine route on node:http: the request id (as proxy.ts gives it), the body
 * read up to one byte past the events limit (so the handler answers 413 without buffering more),
 * an abort signal for a client that goes away (a parked long-poll is dropped), then the handler's
 * Response written back.
 */
export async function serveMachineRoute(
  match: MachineMatch,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
): Promise<void> {
  const requestId = acceptRequestId(header(req, REQUEST_ID_HEADER));
  // Node has joined repeated request headers already (as Next hands them on).
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  headers[REQUEST_ID_HEADER] = requestId;
  let signal: AbortSignal | undefined;
  if (match.route.longPoll) {
    const aborted = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) aborted.abort();
    });
    signal = aborted.signal;
  }
  let response: Response;
  try {
    const init = { method: req.method, headers, signal };
    const request =
      req.method === "POST"
        ? requestWithBody(origin + req.url, init, await readCapped(req, MAX_BODY_BYTES + 1))
        : new Request(origin + req.url, init);
    response = await match.route.handler(request, { params: Promise.resolve(match.params) });
  } catch (error) {
    response = errorResponse(error);
  }
  const payload = await responseBytes(response);
  if (res.destroyed) return;
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => (out[name] = value));
  out[REQUEST_ID_HEADER] = requestId;
  if (payload) out["content-length"] = String(payload.length);
  res.writeHead(response.status, out);
  res.end(payload);
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" ? value : null;
}

/**
 * The body, at most `limit` bytes of it: a declared or actual length past the limit stops the
 * reading there (the rest is drained, not kept), and the handler refuses it by its size.
 */
function readCapped(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (size >= limit) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    req.once("end", () => resolve(Buffer.concat(chunks).subarray(0, limit)));
    req.once("error", reject);
  });
}
