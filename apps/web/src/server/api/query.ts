import "server-only";
import type { z } from "zod";
import { AppError } from "../errors";

/** A route's query parameters checked against `schema`, or a 400 that says what to send (`message`) with each field's issue. */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S, message: string): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success)
    throw new AppError(
      "invalid_request",
      message,
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  return parsed.data;
}
