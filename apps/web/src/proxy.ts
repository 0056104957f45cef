import { anonymousMayOpen } from "@rollgate/core/access/reading";
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/server/env";

/**
 * Early answers before any route runs:
 * - every path: a segment that is not valid percent-encoded UTF-8 (`%ZZ`, or `%ED%A0%80`, a
 *   lone surrogate) makes Next's own param decoding throw, which it answers as a plain-text
 *   500; Rollgate answers a 400 instead, JSON for `/api/` and the evidence export, a sentence
 *   for pages.
 * - pages: a visitor without a session cookie is sent to sign-in (a real 307, before any page
 *   streams). Only a convenience: every page and route checks the session and roles itself,
 *   which also covers a cookie that is present but no longer valid.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const refused = badlyEncoded(request);
  if (refused) return refused;
  if (pathname.startsWith("/api/")) return NextResponse.next();
  const hasSession = request.cookies.getAll().some((c) => c.name.includes("next-auth.session-token"));
  if (hasSession || anonymousMayOpen(pathname, { publicWallboard: env().publicWallboard })) return NextResponse.next();
  const target = new URL("/api/auth/signin", request.url);
  target.searchParams.set("callbackUrl", `${pathname}${search}`);
  return NextResponse.redirect(target);
}

function badlyEncoded(request: NextRequest): NextResponse | null {
  const path = new URL(request.url).pathname;
  for (const segment of path.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      if (path.startsWith("/api/") || path.endsWith("/evidence"))
        return NextResponse.json({ error: { code: "invalid_request", message: "The path is not valid percent-encoded UTF-8; encode each segment with encodeURIComponent." } }, { status: 400 });
      return new NextResponse("This address is not valid: part of it is not percent-encoded UTF-8. Check the link, or start again from the overview.", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
  }
  return null;
}

export const config = {
  // Pages, and every route handler for the path check (they answer 401 JSON themselves); static files are public.
  matcher: ["/api/:path*", "/((?!api/|_next/|favicon\\.ico|.*\\.(?:png|svg|ico|txt|webmanifest)$).*)"],
};
