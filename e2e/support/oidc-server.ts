// A real OpenID provider for the browser tests (the `oidc-provider` package) with its
// built-in development login: any user name that is an e-mail signs in as that person.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT ?? 3290);
const appUrl = process.env.APP_URL ?? "http://127.0.0.1:3210";

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: "rollgate-e2e",
      client_secret: "rollgate-e2e-client-secret",
      redirect_uris: [`${appUrl}/api/auth/callback/oidc`],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  scopes: ["openid", "email", "profile"],
  features: { devInteractions: { enabled: true } },
  // Put e-mail and name in the ID token, as Okta, Google and Keycloak do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ["rollgate-e2e-cookie-key"] },
  async findAccount(_ctx: unknown, id: string) {
    return {
      accountId: id,
      async claims() {
        // `+unverified` in the login: the provider says the address is not verified; `+unasserted`: it says nothing.
        const verified = id.includes("+unverified")
          ? { email_verified: false }
          : id.includes("+unasserted")
            ? {}
            : { email_verified: true };
        return { sub: id, email: id, ...verified, name: id.split("@")[0]!.replace(/[._+]/g, " ") };
      },
    };
  },
});
provider.listen(port, "127.0.0.1", () => console.log(`OpenID provider on http://127.0.0.1:${port}`));
