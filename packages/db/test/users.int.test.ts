import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findUserByEmail, grantRole, upsertUser } from "../src/queries/users.ts";
import { testDatabase } from "./harness.ts";

const { db } = await testDatabase();

describe("users", () => {
  it("finding 16: granting a role to a known user keeps their name", async () => {
    const email = `${randomUUID()}@example.com`;
    await upsertUser(db, { email, name: "Nadia Named" });
    // What the admin's "grant role" does: upsert by e-mail without a name, then grant.
    const user = await upsertUser(db, { email });
    await grantRole(db, { userId: user.id, role: "viewer" });
    expect((await findUserByEmail(db, email))?.name).toBe("Nadia Named");
    // A sign-in that brings a new name still updates it.
    await upsertUser(db, { email, name: "Nadia Renamed" });
    expect((await findUserByEmail(db, email))?.name).toBe("Nadia Renamed");
  });
});
