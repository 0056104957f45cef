import { API } from "@rollgate/core/contract/endpoints";
import NextAuth from "next-auth";
import { serve } from "@/server/api/serve";
import { authOptions } from "@/server/auth/options";

export const dynamic = "force-dynamic";

// GET|POST /api/auth/* — next-auth: sign-in pages, OpenID callback, session, sign-out
const handler = serve(API.auth, async ({ request, params }) =>
  NextAuth(authOptions())(request, { params: Promise.resolve(params as unknown as { nextauth: string[] }) }),
);

export { handler as GET, handler as POST };
