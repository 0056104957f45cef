import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/options";
import { inRequest } from "@/server/request";

export const dynamic = "force-dynamic";

// GET|POST /api/auth/* — next-auth: sign-in pages, OpenID callback, session, sign-out
const handler = inRequest(
  "auth",
  async (request: Request, context: { params: Promise<{ nextauth: string[] }> }): Promise<Response> =>
    NextAuth(authOptions())(request, context),
);

export { handler as GET, handler as POST };
