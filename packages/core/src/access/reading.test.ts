import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROLES } from "../types.ts";
import { anonymousMayOpen, mayRead, type Readable, type Reader } from "./reading.ts";

const services = ["svc-a", "svc-b", "svc-c"] as const;
const roleArb = fc.record({
  role: fc.constantFrom(...ROLES),
  serviceId: fc.constantFrom<string | null>(null, ...services),
});
const readerArb: fc.Arbitrary<Reader> = fc.record({ roles: fc.array(roleArb, { maxLength: 4 }) });
const readableArb: fc.Arbitrary<Readable> = fc.oneof(
  fc.constantFrom<Readable>(
    { kind: "overview" },
    { kind: "rollback" },
    { kind: "drill" },
    { kind: "admin" },
    { kind: "documentation" },
    { kind: "probe" },
  ),
  fc.constantFrom(...services).map((serviceId): Readable => ({ kind: "rollout", serviceId })),
  fc.constantFrom(...services).map((serviceId): Readable => ({ kind: "evidence", serviceId })),
  fc.constantFrom("absent", "valid", "invalid" as const).map((bearer): Readable => ({ kind: "metrics", bearer })),
);
const settingsArb = fc.record({ publicWallboard: fc.boolean() });
const OPEN = new Set(["probe", "documentation"]);

describe("reading rules", () => {
  it("finding 9: an anonymous visitor reads nothing but probes and documentation, and the overview only on a public wallboard", () => {
    fc.assert(
      fc.property(readableArb, settingsArb, (what, settings) => {
        const decision = mayRead(what, null, settings);
        const expected =
          OPEN.has(what.kind) ||
          (what.kind === "overview" && settings.publicWallboard) ||
          (what.kind === "metrics" && what.bearer === "valid");
        expect(decision.allowed).toBe(expected);
        if (!decision.allowed) expect(decision.reason).toBe("unauthenticated");
      }),
    );
  });

  it("finding 9: the wallboard setting changes nothing for signed-in readers", () => {
    fc.assert(
      fc.property(readableArb, readerArb, (what, reader) => {
        expect(mayRead(what, reader, { publicWallboard: true })).toEqual(
          mayRead(what, reader, { publicWallboard: false }),
        );
      }),
    );
  });

  it("finding 9: evidence and rollout pages need a role on that service (a global role counts); a role on another service only is refused", () => {
    fc.assert(
      fc.property(
        readerArb,
        fc.constantFrom(...services),
        fc.constantFrom("rollout", "evidence" as const),
        settingsArb,
        (reader, serviceId, kind, settings) => {
          const decision = mayRead({ kind, serviceId }, reader, settings);
          const onIt = reader.roles.some((r) => r.serviceId === null || r.serviceId === serviceId);
          expect(decision.allowed).toBe(onIt);
          if (!onIt && reader.roles.length > 0) expect(decision).toMatchObject({ reason: "forbidden" });
        },
      ),
    );
  });

  it("finding 9: a signed-in person without any role reads only probes, documentation and metrics by token", () => {
    fc.assert(
      fc.property(readableArb, settingsArb, (what, settings) => {
        expect(mayRead(what, { roles: [] }, settings).allowed).toBe(
          OPEN.has(what.kind) || (what.kind === "metrics" && what.bearer === "valid"),
        );
      }),
    );
  });

  it("finding 9: admin pages need the global admin role", () => {
    fc.assert(
      fc.property(readerArb, settingsArb, (reader, settings) => {
        expect(mayRead({ kind: "admin" }, reader, settings).allowed).toBe(
          reader.roles.some((r) => r.role === "admin" && r.serviceId === null),
        );
      }),
    );
  });

  it("finding 9: metrics open to the metrics token, never to a wrong one, and otherwise to anyone with a role", () => {
    fc.assert(
      fc.property(fc.option(readerArb, { nil: null }), settingsArb, (reader, settings) => {
        expect(mayRead({ kind: "metrics", bearer: "valid" }, reader, settings).allowed).toBe(true);
        expect(mayRead({ kind: "metrics", bearer: "invalid" }, reader, settings).allowed).toBe(false);
        expect(mayRead({ kind: "metrics", bearer: "absent" }, reader, settings).allowed).toBe(
          Boolean(reader && reader.roles.length > 0),
        );
      }),
    );
  });

  it("finding 9: the proxy lets anonymous visitors open only the sign-in pages, documentation and (wallboard) the overview", () => {
    const paths = fc.oneof(
      fc.constantFrom(
        "/",
        "/rollback",
        "/drill",
        "/runbook",
        "/api-reference",
        "/admin/audit",
        "/sign-in",
        "/sign-in/error",
        "/rollouts/a/b/c",
        "/rollouts/a/b/c/evidence",
      ),
      fc.webPath(),
    );
    fc.assert(
      fc.property(paths, settingsArb, (path, settings) => {
        const open = anonymousMayOpen(path, settings);
        const expected =
          path === "/sign-in" ||
          path.startsWith("/sign-in/") ||
          path === "/runbook" ||
          path === "/api-reference" ||
          (path === "/" && settings.publicWallboard);
        expect(open).toBe(expected);
      }),
    );
  });
});
