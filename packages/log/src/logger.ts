import { pino, stdTimeFunctions, type DestinationStream, type Logger } from "pino";
import { currentRequestId } from "./context.ts";
import { readLogLevel, type Level } from "./env.ts";

export type { Logger } from "pino";

/**
 * Keys whose values never reach a log line, wherever they sit in the first two levels of what
 * is logged (`headers.authorization`, `token`, …): credentials, session cookies and webhook
 * signatures. Paths are logged without their query string (`pathOf`), so nothing sent in a
 * URL's query is logged either.
 */
const SECRET_KEYS = [
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
];
const REDACT = [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*["${k}"]`), ...SECRET_KEYS.map((k) => `*.*["${k}"]`)];

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
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: "[redacted]" },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    },
    options.destination,
  );
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
