import { anonymousMayOpen } from "@rollgate/core/access/reading";
import { acceptRequestId, REQUEST_ID_HEADER } from "@rollgate/log/context";
import { NextResponse, type NextRequest } from "next/server";
import { signInUrl } from "@/server/auth/sign-in-url";
import { env } from "@/server/env";

/**
 * Every request gets an id (`x-request-id`: a well-formed one the caller or the ingress sent,
 * else a new one), forwarded to the handler and returned on the response.
 *
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
  const requestId = acceptRequestId(request.headers.get(REQUEST_ID_HEADER));
  const response = early(request) ?? forward(request, requestId);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

function early(request: NextRequest): NextResponse | null {
  const { pathname, search } = request.nextUrl;
  const refused = badlyEncoded(request);
  if (refused) return refused;
  if (pathname.startsWith("/api/")) return null;
  const hasSession = request.cookies.getAll().some((c) => c.name.includes("next-auth.session-token"));
  if (hasSession || anonymousMayOpen(pathname, { publicWallboard: env().publicWallboard })) return null;
  return NextResponse.redirect(new URL(signInUrl(`${pathname}${search}`), request.url));
}

function forward(request: NextRequest, requestId: string): NextResponse {
  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  return NextResponse.next({ request: { headers } });
}

function badlyEncoded(request: NextRequest): NextResponse | null {
  const path = new URL(request.url).pathname;
  for (const segment of path.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      if (path.startsWith("/api/") || path.endsWith("/evidence"))
        return NextResponse.json(
          {
            error: {
              code: "invalid_request",
              message: "The path is not valid percent-encoded UTF-8; encode each segment with encodeURIComponent.",
            },
          },
          { status: 400 },
        );
      return new NextResponse(
        "This address is not valid: part of it is not percent-encoded UTF-8. Check the link, or start again from the overview.",
        { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } },
      );
    }
  }
  return null;
}

export const config = {
  // Pages and route handlers (for the request id and the path check; sign-in for pages). Static files are public.
  matcher: ["/((?!_next/|favicon\\.ico|.*\\.(?:png|svg|ico|txt|webmanifest)$).*)"],
};
