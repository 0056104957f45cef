import { pino, stdTimeFunctions, type DestinationStream, type Logger } from "pino";
import { currentRequestId } from "./context.ts";
import { readLogLevel, type Level } from "./env.ts";

export type { Logger } from "pino";

/**
 * Keys whose values never reach a log line, wherever they sit in the first three levels of what
 * is logged (`token`, `headers.authorization`, `request.body.password`, …): credentials, session
 * cookies and webhook signatures. Paths are logged without their query string (`pathOf`), so
 * nothing sent in a URL's query is logged either.
 */
const SECRET_KEYS = new Set([
  "authorization",
  "cookie",
  "set-cookie",
  "password",
  "secret",
  "token",
  "signature",
  "webhook-signature",
  "x-hub-signature-256",
  "x-pagerduty-signature",
  "x-rollgate-signature",
  "csrfToken",
]);
const CENSOR = "[redacted]";
const DEPTH = 3;

/**
 * `value` with the value of every secret key censored, down to `DEPTH` levels; copied only where
 * something is censored, so what the caller logged is never changed. (pino's own `redact` walked
 * 36 path patterns for every line: a twentieth of the server's CPU per request, docs/BENCHMARKS.md.)
 */
export function censorSecrets<T>(value: T, depth = DEPTH): T {
  if (depth === 0 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => censorSecrets(item, depth)); // an array is not a level of its own
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  const source = value as unknown as Record<string, unknown>;
  let out = source;
  for (const key in source) {
    const before = source[key];
    const after = SECRET_KEYS.has(key) ? CENSOR : censorSecrets(before, depth - 1);
    if (after === before) continue;
    if (out === source) out = { ...source };
    out[key] = after;
  }
  return out as T;
}

export interface LoggerOptions {
  level?: Level;
  /** Where the JSON lines go; standard output by default. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/**
 * One JSON object a line: `level` as a word, `time` in ISO 8601 UTC, `msg`, and the request
 * id (`requestId`) of the request being served, if any (docs/operations.md).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { level, problem } = options.level ? { level: options.level, problem: undefined } : readLogLevel();
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => censorSecrets(object),
      },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    },
    options.destination,
  );
  // A child's bindings are written once, when it is made; they are censored then (its own
  // children inherit this `child`).
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, censorSecrets(bindings), childOptions);
  } as typeof child;
  if (problem) logger.warn(problem);
  return logger;
}

const KEY = Symbol.for("rollgate.logger");
const holder = globalThis as typeof globalThis & { [KEY]?: Logger };

/** The process's logger (web server, worker), created on first use. */
export function log(): Logger {
  return (holder[KEY] ??= createLogger());
}

/** Puts `next` in place of the process's logger and returns the one it replaced (tests capture lines this way). */
export function replaceLogger(next: Logger | undefined): Logger | undefined {
  const previous = holder[KEY];
  holder[KEY] = next;
  return previous;
}

/** A URL's path without its query string (which may carry tokens or personal data). */
export function pathOf(url: string): string {
  try {
    return new URL(url, "http://x").pathname;
  } catch {
    return url.split(/[?#]/)[0] ?? "";
  }
}
