import type { ErrorCode } from "@rollgate/core/contract/responses";

/** Every failure a caller can act on (the commented enum is `errorCodeSchema` in core); the HTTP status of each is in `statusOf`. */
export type AppErrorCode = Exclude<ErrorCode, "internal">;

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

/** A refusal a use case answers with; web maps it to its HTTP status and JSON body (`errorResponse`). */
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
