import { index, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { services } from "./services.ts";

// People. Sessions are JWTs (no table): next-auth's adapter tables went in migration 0009.
export const users = pgTable("users", {
  id: uuid().primaryKey().defaultRandom(),
  name: text(),
  email: text().notNull().unique(),
  emailVerified: timestamp({ withTimezone: true, mode: "date" }),
  image: text(),
  /** Only for the local/demo credentials provider; null for OpenID users. */
  passwordHash: text(),
  /** Every session that began before this has ended (sign-out, a role taken away). */
  sessionsRevokedAt: timestamp({ withTimezone: true }),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** A role, global (serviceId null) or for one service. */
export const userRoles = pgTable(
  "user_roles",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text().notNull(),
    serviceId: uuid().references(() => services.id, { onDelete: "cascade" }),
    grantedBy: uuid(),
    grantedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique().on(t.userId, t.role, t.serviceId).nullsNotDistinct(), index().on(t.userId)],
);

/** Every identity a person is known by (`email:…`, `oidc:<issuer>|<subject>`, `login:<forge login>`):
 * a release's author is matched against all of them. */
export const userIdentities = pgTable(
  "user_identities",
  {
    identity: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.userId)],
);

/** Failed password sign-ins, counted per account and per client address to throttle guessing. */
export const signInFailures = pgTable(
  "sign_in_failures",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The e-mail as typed, lower-cased: unknown accounts are throttled like known ones. */
    account: text().notNull(),
    address: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.account, t.at), index().on(t.address, t.at), index().on(t.at)],
);
