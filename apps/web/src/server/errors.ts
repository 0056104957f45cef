import "server-only";

/** Every failure a caller can act on. The HTTP status of each is in `statusOf`. */
export type AppErrorCode =
  | "invalid_request" // the body, query or params failed validation; `details` lists fields
  | "unauthenticated" // missing, unknown or revoked token; bad or stale signature
  | "forbidden" // authenticated, but the scope, service or environment is not granted
  | "not_found" // no such service, environment, release or rollout
  | "conflict" // the request is valid but the rollout's state refuses it (illegal transition, gate closed)
  | "payload_too_large" // the body exceeds the limit
  | "unsupported_media_type" // the body is not JSON
  | "rate_limited" // too many requests for this token; retry after `Retry-After`
  | "unavailable"; // the database is unreachable

const statusOf: Record<AppErrorCode, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return statusOf[this.code];
  }
}

/** The JSON error body machines get: `{ error: { code, message, details } }`. */
export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    return Response.json(
      { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } },
      { status: error.status, headers: error.headers },
    );
  }
  console.error("unhandled error", error);
  return Response.json({ error: { code: "internal", message: "Rollgate could not complete the request; it has been logged." } }, { status: 500 });
}
