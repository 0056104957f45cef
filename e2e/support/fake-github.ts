import { createPublicKey, timingSafeEqual, verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";

// The two GitHub REST endpoints a deployment protection rule involves, as GitHub documents them:
//  - POST /app/installations/{installation_id}/access_tokens — authenticated by the App's
//    JWT (RS256, `iss` = App ID, at most 10 minutes); 201 { token, expires_at, permissions, repository_selection }.
//  - POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule — with an
//    installation token; body { environment_name, state: approved|rejected, comment? }; 204.
// Anything else, or a request that breaks those rules, gets GitHub's error shape and is
// recorded as refused, so a test sees it.

export interface Review {
  owner: string;
  repo: string;
  runId: number;
  environment_name: string;
  state: "approved" | "rejected";
  comment?: string;
}

export class FakeGithub {
  readonly reviews: Review[] = [];
  readonly refused: string[] = [];
  /** How long every answer is held back: a GitHub that is slow, or hangs. */
  delayMs = 0;
  private readonly tokens = new Map<string, number>();
  private server: Server | undefined;
  private readonly publicKey: KeyObject;

  constructor(
    private readonly appId: number,
    privateKeyPem: string,
  ) {
    this.publicKey = createPublicKey(privateKeyPem);
  }

  /** Its port (a free one), once it has started. */
  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === "string") throw new Error("the fake GitHub has not started");
    return address.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (res.destroyed) return; // the caller gave up waiting
    const path = new URL(req.url ?? "/", this.url).pathname;
    const auth = req.headers.authorization ?? "";
    const fail = (status: number, message: string) => {
      this.refused.push(`${req.method} ${path}: ${message}`);
      res
        .writeHead(status, { "content-type": "application/json" })
        .end(JSON.stringify({ message, documentation_url: "https://docs.github.com/rest" }));
    };

    const tokenRoute = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (req.method === "POST" && tokenRoute) {
      const jwt = /^bearer (.+)$/i.exec(auth)?.[1]; // the scheme is case-insensitive; octokit sends "bearer"
      if (!jwt || !this.validJwt(jwt)) return fail(401, "A JSON web token could not be decoded");
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      this.tokens.set(token, Number(tokenRoute[1]));
      res.writeHead(201, { "content-type": "application/json" }).end(
        JSON.stringify({
          token,
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          permissions: { deployments: "write", actions: "read" },
          repository_selection: "selected",
        }),
      );
      return;
    }

    const reviewRoute = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/deployment_protection_rule$/.exec(path);
    if (req.method === "POST" && reviewRoute) {
      const token = /^(?:token|bearer) (ghs_\w+)$/i.exec(auth)?.[1];
      if (!token || !this.tokens.has(token)) return fail(401, "Bad credentials");
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return fail(400, "Problems parsing JSON");
      }
      if (
        typeof json.environment_name !== "string" ||
        !["approved", "rejected"].includes(json.state as string) ||
        (json.comment !== undefined && typeof json.comment !== "string")
      )
        return fail(422, "Invalid request: environment_name and state (approved or rejected) are required");
      this.reviews.push({
        owner: reviewRoute[1]!,
        repo: reviewRoute[2]!,
        runId: Number(reviewRoute[3]),
        environment_name: json.environment_name,
        state: json.state as Review["state"],
        comment: json.comment as string | undefined,
      });
      res.writeHead(204).end();
      return;
    }
    fail(404, "Not Found");
  }

  /** RS256 over header.payload with the App's key; `iss` is the App ID; issued at most 10 minutes before it expires. */
  private validJwt(jwt: string): boolean {
    const [header, payload, signature] = jwt.split(".");
    if (!header || !payload || !signature) return false;
    const decode = (part: string) =>
      JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
    if (decode(header).alg !== "RS256") return false;
    if (!verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), this.publicKey, Buffer.from(signature, "base64url")))
      return false;
    const claims = decode(payload) as { iss?: unknown; iat?: number; exp?: number };
    const now = Math.floor(Date.now() / 1000);
    const iss = Buffer.from(String(claims.iss));
    const expected = Buffer.from(String(this.appId));
    return (
      iss.length === expected.length &&
      timingSafeEqual(iss, expected) &&
      typeof claims.exp === "number" &&
      typeof claims.iat === "number" &&
      claims.exp > now &&
      claims.exp - claims.iat <= 600 + 60
    );
  }
}
