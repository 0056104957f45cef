import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addressProblem,
  checkDestinationUrl,
  checkResolvedAddresses,
  redactSecrets,
  sameDestination,
} from "./destination.ts";

const INTERNAL = [
  "127.0.0.1",
  "127.255.0.9",
  "0.0.0.0",
  "10.1.2.3",
  "172.16.0.1",
  "172.31.255.255",
  "192.168.1.1",
  "169.254.169.254",
  "100.64.0.1",
  "224.0.0.1",
  "255.255.255.255",
  "::",
  "::1",
  "::ffff:127.0.0.1",
  "::ffff:7f00:1",
  "::ffff:169.254.169.254",
  "::127.0.0.1",
  "64:ff9b::a9fe:a9fe",
  "2002:7f00:1::",
  "fc00::1",
  "fd12:3456::1",
  "fe80::1",
  "fe80::1%eth0",
  "ff02::1",
];
const PUBLIC = [
  "1.1.1.1",
  "8.8.8.8",
  "140.82.112.3",
  "172.32.0.1",
  "192.169.0.1",
  "2606:4700:4700::1111",
  "2a00:1450::1",
];

describe("destinations an admin may configure", () => {
  it("finding 14: loopback, link-local, private and metadata addresses are refused unless allowed", () => {
    for (const a of INTERNAL) expect(addressProblem(a), a).not.toBeNull();
    for (const a of PUBLIC) expect(addressProblem(a), a).toBeNull();
    for (const url of [
      "http://127.0.0.1:5432/",
      "http://[::ffff:127.0.0.1]:9090",
      "http://0.0.0.0:9090",
      "http://169.254.169.254/latest/meta-data/",
      "http://2130706433/",
      "http://0x7f.1/",
      "http://localhost:9090",
      "http://prometheus.localhost/",
      "http://[::1]/",
    ]) {
      expect(checkDestinationUrl(url, false), url).toMatchObject({ ok: false });
      expect(checkDestinationUrl(url, true), url).toEqual({ ok: true });
    }
    expect(checkDestinationUrl("https://prometheus.example.com", false)).toEqual({ ok: true });
    expect(checkDestinationUrl("ftp://example.com", true)).toMatchObject({ ok: false });
    // A name is judged by every address it resolves to, at save time and again at send time.
    expect(checkResolvedAddresses("rebind.example", ["8.8.8.8", "127.0.0.1"], false)).toMatchObject({ ok: false });
    expect(checkResolvedAddresses("rebind.example", [], false)).toMatchObject({ ok: false });
    expect(checkResolvedAddresses("good.example", ["8.8.8.8"], false)).toEqual({ ok: true });
    expect(checkResolvedAddresses("lab.example", ["10.0.0.5"], true)).toEqual({ ok: true });
  });

  it("judges an IPv4 address the same however IPv6 carries it (property)", () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const blocked = addressProblem(v4) !== null;
        expect(addressProblem(`::ffff:${v4}`) !== null).toBe(blocked);
        const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
        const hex = (x: number, y: number) => ((x << 8) | y).toString(16);
        expect(addressProblem(`::ffff:${hex(a, b)}:${hex(c, d)}`) !== null).toBe(blocked);
        expect(addressProblem(`64:ff9b::${hex(a, b)}:${hex(c, d)}`) !== null).toBe(blocked);
      }),
    );
  });

  it("finding 14: a stored credential never appears in error text", () => {
    const token = "s3cret-bearer-token-value";
    const echoed = `query failed: bad_data: got header Authorization: Bearer ${token} and ${encodeURIComponent(token)}`;
    expect(redactSecrets(echoed, [token])).not.toContain(token);
    expect(redactSecrets(`Basic ${btoa(`user:${token}`)}`, [token])).not.toContain(btoa(`user:${token}`));
    expect(redactSecrets("GitHub answered 401: eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2lnbmF0dXJl")).not.toContain("eyJ");
    expect(redactSecrets("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----")).toBe("[redacted]");
    fc.assert(
      fc.property(
        fc.string({ minLength: 4 }).filter((s) => !"Bearer [redacted]".includes(s)),
        fc.string(),
        fc.string(),
        (secret, before, after) => {
          expect(redactSecrets(`${before}${secret}${after}`, [secret])).not.toContain(secret);
        },
      ),
    );
  });

  it("a credential stays only with the same destination", () => {
    expect(sameDestination("https://p.example.com/", "https://P.example.com")).toBe(true);
    expect(sameDestination("https://p.example.com", "https://q.example.com")).toBe(false);
    expect(sameDestination("https://p.example.com", "http://p.example.com")).toBe(false);
    expect(sameDestination("https://p.example.com/a", "https://p.example.com/b")).toBe(false);
    expect(sameDestination(undefined, "https://p.example.com")).toBe(false);
  });
});
