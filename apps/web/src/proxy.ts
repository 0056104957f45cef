import { NextResponse, type NextRequest } from "next/server";

// A path segment that is not valid percent-encoded UTF-8 (`%ZZ`, or `%ED%A0%80`, a lone
// surrogate) makes Next's own param decoding throw before any route handler runs, which it
// answers as a plain-text 500. Machine endpoints answer such a path as a JSON 400 instead.
export function proxy(request: NextRequest) {
  const raw = new URL(request.url).pathname;
  for (const segment of raw.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return NextResponse.json({ error: { code: "invalid_request", message: "The path is not valid percent-encoded UTF-8; encode each segment with encodeURIComponent." } }, { status: 400 });
    }
  }
  return NextResponse.next();
}

export const config = { matcher: "/api/v1/:path*" };
