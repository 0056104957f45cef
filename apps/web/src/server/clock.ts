import "server-only";

/** The one place the server reads the time: use cases take `now` from here and pass it on. */
export function now(): Date {
  return new Date();
}
