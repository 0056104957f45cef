import { anonymousMayOpen } from "@rollgate/core/access/reading";
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/server/env";

/**
 * Early answers before any route runs:
 * - `/api/v1`: a path segment that is not valid percent-encoded UTF-8 (`%ZZ`, or `%ED%A0%80`,
 *   a lone surrogate) makes Next's own param decoding throw, which it answers as a plain-text
 *   500; machine endpoints answer such a path as a JSON 400 instead.
 * - pages: a visitor without a session cookie is sent to sign-in (a real 307, before any page
 *   streams). Only a convenience: every page and route checks the session and roles itself,
 *   which also covers a cookie that is present but no longer valid.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith("/api/")) return badlyEncoded(request) ?? NextResponse.next();
  const hasSession = request.cookies.getAll().some((c) => c.name.includes("next-auth.session-token"));
  if (hasSession || anonymousMayOpen(pathname, { publicWallboard: env().publicWallboard })) return NextResponse.next();
  const target = new URL("/api/auth/signin", request.url);
  target.searchParams.set("callbackUrl", `${pathname}${search}`);
  return NextResponse.redirect(target);
}

function badlyEncoded(request: NextRequest): NextResponse | null {
  for (const segment of new URL(request.url).pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return NextResponse.json({ error: { code: "invalid_request", message: "The path is not valid percent-encoded UTF-8; encode each segment with encodeURIComponent." } }, { status: 400 });
    }
  }
  return null;
}

export const config = {
  // Pages, and the machine API for its path check; other route handlers answer 401 JSON themselves; static files are public.
  matcher: ["/api/v1/:path*", "/((?!api/|_next/|favicon\\.ico|.*\\.(?:png|svg|ico|txt|webmanifest)$).*)"],
};
