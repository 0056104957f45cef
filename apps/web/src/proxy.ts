import { anonymousMayOpen } from "@rollgate/core/access/reading";
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/server/env";

/**
 * An early answer for pages: a visitor without a session cookie is sent to sign-in (a real
 * 307, before any page streams). Only a convenience: every page and route checks the
 * session and roles itself, which also covers a cookie that is present but no longer valid.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const hasSession = request.cookies.getAll().some((c) => c.name.includes("next-auth.session-token"));
  if (hasSession || anonymousMayOpen(pathname, { publicWallboard: env().publicWallboard })) return NextResponse.next();
  const target = new URL("/api/auth/signin", request.url);
  target.searchParams.set("callbackUrl", `${pathname}${search}`);
  return NextResponse.redirect(target);
}

export const config = {
  // Pages only: route handlers under /api answer 401 JSON themselves; static files are public.
  matcher: ["/((?!api/|_next/|favicon\\.ico|.*\\.(?:png|svg|ico|txt|webmanifest)$).*)"],
};
