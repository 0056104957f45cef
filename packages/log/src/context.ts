import { AsyncLocalStorage } from "node:async_hooks";

/** What is known about the request being served: its id, for log lines and audit entries. */
export interface RequestContext {
  requestId: string;
}

export const REQUEST_ID_HEADER = "x-request-id";

// One storage per process: Next bundles route handlers and pages apart, and a module-level
// instance would exist once per bundle.
const KEY = Symbol.for("rollgate.request-context");
const holder = globalThis as typeof globalThis & { [KEY]?: AsyncLocalStorage<RequestContext> };
const storage = (holder[KEY] ??= new AsyncLocalStorage<RequestContext>());

/** Runs `work` with `context` visible to every log line and audit entry written inside it. */
export function runInRequest<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The id of the request being served, or undefined outside one (worker, CLI, seed). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Letters, digits and `._:-`, 8 to 128 of them: a UUID, a W3C trace id, most proxies' ids. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

/** A caller's (or an ingress's) id when well formed, so one id follows a request through every hop; otherwise a new one. */
export function acceptRequestId(incoming: string | null | undefined): string {
  return incoming && WELL_FORMED.test(incoming) ? incoming : crypto.randomUUID();
}
