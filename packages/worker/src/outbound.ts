import { promises as dns, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import {
  checkDestinationUrl,
  checkResolvedAddresses,
  literalAddress,
  type DestinationCheck,
} from "@rollgate/core/integrations/destination";

// The adapter around core's destination rule for every request to an address an admin
// configured (Prometheus, the GitHub API, webhooks, Slack). The rule is checked when the
// address is saved and again on every connection: the name is resolved by the socket's own
// lookup, which refuses it when any address is internal, so the address that was checked is
// the one connected to (a DNS answer that changes between check and connect gains nothing).

export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** A request refused because of where it would go; its message is a sentence for an admin. */
export class DestinationRefusedError extends Error {
  override name = "DestinationRefusedError";
  readonly code = "destination_refused";
}

const HINT = "set ROLLGATE_ALLOW_PRIVATE_DESTINATIONS=1 only if internal addresses are meant";

/** At save time: the URL, and every address its name resolves to now. */
export async function checkDestination(
  url: string,
  options: { allowPrivate: boolean; resolve?: Resolver },
): Promise<DestinationCheck> {
  const first = checkDestinationUrl(url, options.allowPrivate);
  if (!first.ok || options.allowPrivate) return first;
  const host = new URL(url).hostname;
  if (literalAddress(host)) return first;
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? systemResolver)(host);
  } catch (error) {
    return { ok: false, reason: `${host} does not resolve (${(error as { code?: string }).code ?? "no answer"})` };
  }
  return checkResolvedAddresses(host, addresses, false);
}

/** A socket lookup that resolves every address of the name and refuses the name if any is internal. */
export function guardedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const check = checkResolvedAddresses(hostname, addresses, false);
        if (!check.ok) return callback(new DestinationRefusedError(`refused: ${check.reason}; ${HINT}`), "", 0);
        const family = (a: string) => (a.includes(":") ? 6 : 4);
        const list: LookupAddress[] = addresses
          .map((address) => ({ address, family: family(address) }))
          .filter((a) => !options.family || a.family === options.family);
        if (list.length === 0)
          return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), "", 0);
        if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
        callback(null, list[0]!.address, list[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}

const MAX_ANSWER_BYTES = 1024 * 1024;
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for configured destinations. With `allowPrivate` it is the platform's fetch;
 * otherwise a small client over node:http(s) whose socket lookup is guarded, which never
 * follows a redirect (a redirect is an answer, or an error when `redirect: "error"`) and
 * reads at most 1 MiB of an answer.
 */
export function outboundFetch(options: { allowPrivate: boolean; resolve?: Resolver }): typeof fetch {
  if (options.allowPrivate) return fetch;
  const lookup = guardedLookup(options.resolve);
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const check = checkDestinationUrl(url.href, false);
    if (!check.ok) throw new DestinationRefusedError(`refused: ${url.host} ${check.reason}; ${HINT}`);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    const body =
      init.body === undefined || init.body === null
        ? undefined
        : typeof init.body === "string"
          ? init.body
          : Buffer.from(await new Response(init.body).arrayBuffer());
    const client = url.protocol === "https:" ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const request = client.request(
        url,
        { method: init.method ?? "GET", headers, lookup, signal: init.signal ?? undefined },
        (answer) => {
          const status = answer.statusCode ?? 0;
          if (status >= 300 && status < 400 && init.redirect === "error") {
            answer.destroy();
            return reject(new TypeError(`redirect refused (HTTP ${status})`));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          answer.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) request.destroy(new Error("the answer is larger than 1 MiB"));
            else chunks.push(chunk);
          });
          answer.on("error", reject);
          answer.on("end", () => {
            const out = new Headers();
            for (const [key, value] of Object.entries(answer.headers))
              if (value !== undefined && key !== "set-cookie")
                out.set(key, Array.isArray(value) ? value.join(", ") : value);
            resolve(
              new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), {
                status: status < 200 || status > 599 ? 502 : status,
                statusText: answer.statusMessage ?? "",
                headers: out,
              }),
            );
          });
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }) as typeof fetch;
}
