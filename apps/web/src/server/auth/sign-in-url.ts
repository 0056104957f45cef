/** Rollgate's sign-in page, returning to `path` afterwards. (No "server-only": proxy.ts uses it too.) */
export function signInUrl(path: string): string {
  return `/sign-in?callbackUrl=${encodeURIComponent(path)}`;
}
