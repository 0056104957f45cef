// The rehearsal corpus (issue 29): statements in the shapes real ORMs emit, each paired with a
// contract that breaks it and one that does not. `schema` is the schema after expand (the
// statement works there); `breaks` and `harmless` are contract scripts run on top of it.
// A case's truth is what a real PostgreSQL says (checked by the corpus's own test), and the
// rehearsal engine must agree with it both ways.

export interface RehearsalCase {
  /** Unique, kebab-case. */
  name: string;
  orm: "drizzle" | "prisma" | "activerecord" | "django" | "hibernate" | "sqlalchemy" | "plain";
  /** What the breaking contract does that a name match misses, when it does (`not-null-added`, `check-added`, `type-narrowed`, `enum-value-removed`, `function-signature-changed`, `view-column-dropped`, …). */
  missedByNameMatch?: string;
  schema: string;
  /** Normalised as pg_stat_statements prints it: `$1`… for constants. */
  statement: string;
  /** Values the application would bind for `$1`…, as text (the truth test executes writes with them on a real PostgreSQL). */
  params?: Array<string | null>;
  breaks: string;
  harmless: string;
}

// ---------------------------------------------------------------------------------------------
// Drizzle: lower-case snake tables, every column of an insert named (`default` for the ones the
// application leaves out), `"table"."column"` in where clauses.

const SHOP = `
create type order_status as enum ('pending', 'paid', 'shipped', 'cancelled');
create table users (
  id serial primary key,
  email text not null unique,
  name text,
  nickname text,
  created_at timestamptz not null default now()
);
create table products (
  id serial primary key,
  sku varchar(32) not null unique,
  title text not null,
  price numeric(12, 2) not null,
  attributes jsonb not null default '{}',
  tags text[] not null default '{}'
);
create index products_title_idx on products (title);
create table orders (
  id bigserial primary key,
  user_id integer not null references users (id) on delete cascade,
  status order_status not null default 'pending',
  total numeric(12, 2) not null default 0,
  note text,
  currency text,
  placed_at timestamptz not null default now()
);
create index orders_user_id_idx on orders (user_id);
create table order_items (
  order_id bigint not null references orders (id) on delete cascade,
  product_id integer not null references products (id),
  quantity integer not null,
  unit_price numeric(12, 2) not null,
  primary key (order_id, product_id)
);
create view active_users as
  select u.id, u.email, u.name from users u where exists (select 1 from orders o where o.user_id = u.id);
create function order_total(p_order_id bigint) returns numeric language sql stable as
  $$ select coalesce(sum(quantity * unit_price), 0) from order_items where order_id = p_order_id $$;
insert into users (email, name) values ('ada@example.com', 'Ada');
insert into products (sku, title, price, attributes, tags) values
  ('SKU-0001', 'Lamp', 25.00, '{"color": "red"}', '{home,light}'),
  ('SKU-0002', 'Desk', 180.00, '{"color": "oak"}', '{home}');
insert into orders (user_id, status, total, currency) values (1, 'paid', 25.00, 'EUR');
insert into order_items values (1, 1, 1, 25.00);`;

/** The enum without one value: the usual rename, recreate, convert, drop. */
const shopStatusWithout = (removed: string) => `
alter type order_status rename to order_status_old;
create type order_status as enum (${["pending", "paid", "shipped", "cancelled"]
  .filter((v) => v !== removed)
  .map((v) => `'${v}'`)
  .join(", ")});
alter table orders alter column status drop default;
alter table orders alter column status type order_status using status::text::order_status;
alter table orders alter column status set default 'pending';
drop type order_status_old;`;

const drizzle: RehearsalCase[] = [
  {
    name: "drizzle-select-user-by-id",
    orm: "drizzle",
    schema: SHOP,
    statement: `select "id", "email", "name" from "users" where "users"."id" = $1 limit $2`,
    params: ["1", "1"],
    breaks: "alter table users drop column name cascade;",
    harmless: "alter table users drop column nickname;",
  },
  {
    name: "drizzle-insert-user-returning",
    orm: "drizzle",
    schema: SHOP,
    statement: `insert into "users" ("id", "email", "name", "nickname", "created_at") values (default, $1, $2, default, default) returning "id", "email", "name"`,
    params: ["grace@example.com", "Grace"],
    breaks: "alter table users drop column nickname;",
    harmless: "alter table products drop column tags;",
  },
  {
    name: "drizzle-insert-order-currency-not-null",
    orm: "drizzle",
    missedByNameMatch: "not-null-added",
    schema: SHOP,
    // v1 predates `currency` (added by expand, nullable): its insert does not name it.
    statement: `insert into "orders" ("id", "user_id", "status", "total", "note", "placed_at") values (default, $1, $2, $3, $4, default) returning "id", "placed_at"`,
    params: ["1", "pending", "42.50", null],
    breaks:
      "update orders set currency = 'EUR' where currency is null;\nalter table orders alter column currency set not null;",
    harmless:
      "update orders set currency = 'EUR' where currency is null;\nalter table orders alter column currency set default 'EUR';\nalter table orders alter column currency set not null;",
  },
  {
    name: "drizzle-upsert-product-on-conflict",
    orm: "drizzle",
    schema: SHOP,
    statement: `insert into "products" ("id", "sku", "title", "price", "attributes", "tags") values (default, $1, $2, $3, $4, $5) on conflict ("sku") do update set "title" = $6, "price" = $7`,
    params: ["SKU-0001", "Lamp", "27.00", '{"color": "red"}', "{home}", "Lamp", "27.00"],
    breaks: "alter table products drop constraint products_sku_key;",
    harmless: "drop index products_title_idx;",
  },
  {
    name: "drizzle-update-order-status-returning",
    orm: "drizzle",
    missedByNameMatch: "enum-value-removed",
    schema: SHOP,
    statement: `update "orders" set "status" = $1 where "orders"."id" = $2 returning "id", "status"`,
    params: ["shipped", "1"],
    breaks: shopStatusWithout("shipped"),
    harmless: shopStatusWithout("cancelled"),
  },
  {
    name: "drizzle-left-join-orders-users",
    orm: "drizzle",
    schema: SHOP,
    statement: `select "orders"."id", "orders"."total", "users"."email" from "orders" left join "users" on "orders"."user_id" = "users"."id" where "orders"."status" = $1`,
    params: ["paid"],
    breaks: "alter table users rename column email to email_address;",
    harmless: "alter table users drop column nickname;",
  },
  {
    name: "drizzle-select-any-array",
    orm: "drizzle",
    schema: SHOP,
    statement: `select "id", "sku", "title" from "products" where "products"."id" = any($1)`,
    params: ["{1,2}"],
    breaks: "alter table products rename to catalog_products;",
    harmless: "alter table products drop column tags;",
  },
  {
    name: "drizzle-array-contains-tags",
    orm: "drizzle",
    schema: SHOP,
    statement: `select "id", "title" from "products" where "products"."tags" @> $1`,
    params: ["{home}"],
    breaks: "alter table products drop column tags;",
    harmless: "alter table products drop column attributes;",
  },
  {
    name: "drizzle-jsonb-text-operator",
    orm: "drizzle",
    missedByNameMatch: "type-changed",
    schema: SHOP,
    statement: `select "id", "title" from "products" where "products"."attributes" ->> $1 = $2`,
    params: ["color", "red"],
    breaks:
      "alter table products alter column attributes drop default;\nalter table products alter column attributes type text using attributes::text;",
    harmless: "alter table products alter column attributes drop default;",
  },
  {
    name: "drizzle-jsonb-merge-cast",
    orm: "drizzle",
    schema: SHOP,
    statement: `update "products" set "attributes" = "products"."attributes" || $1::jsonb where "products"."sku" = $2`,
    params: ['{"size": "L"}', "SKU-0001"],
    breaks: "alter table products rename column attributes to properties;",
    harmless: "alter table products drop column tags;",
  },
  {
    name: "drizzle-read-view-email",
    orm: "drizzle",
    missedByNameMatch: "view-column-dropped",
    schema: SHOP,
    statement: `select "id", "email" from "active_users" where "active_users"."email" = $1`,
    params: ["ada@example.com"],
    breaks:
      "drop view active_users;\ncreate view active_users as select u.id, u.name from users u where exists (select 1 from orders o where o.user_id = u.id);",
    harmless:
      "drop view active_users;\ncreate view active_users as select u.id, u.email from users u where exists (select 1 from orders o where o.user_id = u.id);",
  },
  {
    name: "drizzle-call-order-total",
    orm: "drizzle",
    missedByNameMatch: "function-signature-changed",
    schema: SHOP,
    statement: `select "id", order_total("orders"."id") as "total" from "orders" where "orders"."user_id" = $1`,
    params: ["1"],
    breaks:
      "drop function order_total(bigint);\ncreate function order_total(p_order_id bigint, p_currency text) returns numeric language sql stable as\n  $$ select coalesce(sum(quantity * unit_price), 0) from order_items where order_id = p_order_id $$;",
    harmless:
      "create or replace function order_total(p_order_id bigint) returns numeric language sql stable as\n  $$ select coalesce(sum(quantity * unit_price), 0)::numeric(14, 2) from order_items where order_id = p_order_id $$;",
  },
  {
    name: "drizzle-delete-order-item",
    orm: "drizzle",
    schema: SHOP,
    statement: `delete from "order_items" where ("order_items"."order_id" = $1 and "order_items"."product_id" = $2)`,
    params: ["1", "1"],
    breaks: "alter table order_items rename column product_id to item_id;",
    harmless: "create index order_items_product_id_idx on order_items (product_id);",
  },
  {
    name: "drizzle-cte-recent-orders",
    orm: "drizzle",
    schema: SHOP,
    statement: `with "recent" as (select "id", "user_id", "total" from "orders" where "orders"."placed_at" > $1) select "users"."email", sum("recent"."total") from "recent" inner join "users" on "users"."id" = "recent"."user_id" group by "users"."email"`,
    params: ["2026-01-01T00:00:00Z"],
    breaks: "alter table orders drop column placed_at;",
    harmless: "alter table orders drop column note;",
  },
  {
    name: "drizzle-insert-product-sku-narrowed",
    orm: "drizzle",
    missedByNameMatch: "type-narrowed",
    schema: SHOP,
    statement: `insert into "products" ("id", "sku", "title", "price", "attributes", "tags") values (default, $1, $2, $3, $4, $5) returning "id"`,
    params: ["SKU-2026-WINTER-0042", "Scarf", "19.90", "{}", "{winter}"],
    breaks: "alter table products alter column sku type varchar(16);",
    harmless: "alter table products alter column sku type varchar(64);",
  },
  {
    name: "drizzle-insert-item-quantity-check",
    orm: "drizzle",
    missedByNameMatch: "check-added",
    schema: SHOP,
    // v1 records reservations as zero-quantity lines.
    statement: `insert into "order_items" ("order_id", "product_id", "quantity", "unit_price") values ($1, $2, $3, $4)`,
    params: ["1", "2", "0", "180.00"],
    breaks: "alter table order_items add constraint order_items_quantity_positive check (quantity > 0);",
    harmless: "alter table order_items add constraint order_items_quantity_not_negative check (quantity >= 0);",
  },
  {
    name: "drizzle-window-rank-orders",
    orm: "drizzle",
    schema: SHOP,
    statement: `select "id", "user_id", "total", rank() over (partition by "orders"."user_id" order by "orders"."total" desc) as "rank" from "orders" where "orders"."placed_at" >= $1`,
    params: ["2026-01-01T00:00:00Z"],
    breaks: "alter table orders rename column total to amount;",
    harmless: "alter table orders drop column note;",
  },
];

// ---------------------------------------------------------------------------------------------
// Prisma: schema-qualified, double-quoted PascalCase, `IN (…)` for relations, `OFFSET` always,
// `1=1` that pg_stat_statements turns into two more parameters, enum values cast through text.

const BLOG = `
create type "Role" as enum ('USER', 'EDITOR', 'ADMIN');
create table "User" (
  "id" serial not null,
  "email" text not null,
  "name" text,
  "role" "Role" not null default 'USER',
  "legacyId" integer,
  "createdAt" timestamp(3) not null default current_timestamp,
  constraint "User_pkey" primary key ("id")
);
create unique index "User_email_key" on "User" ("email");
create table "Post" (
  "id" serial not null,
  "title" text not null,
  "content" text,
  "published" boolean not null default false,
  "authorId" integer not null,
  "meta" jsonb,
  "viewCount" integer not null default 0,
  "slug" text,
  constraint "Post_pkey" primary key ("id")
);
alter table "Post" add constraint "Post_authorId_fkey" foreign key ("authorId") references "User" ("id") on delete restrict on update cascade;
create index "Post_authorId_idx" on "Post" ("authorId");
create table "Profile" (
  "id" serial not null,
  "bio" text,
  "userId" integer not null,
  constraint "Profile_pkey" primary key ("id")
);
create unique index "Profile_userId_key" on "Profile" ("userId");
alter table "Profile" add constraint "Profile_userId_fkey" foreign key ("userId") references "User" ("id") on delete restrict on update cascade;
create view "PublishedPost" as select "id", "title", "authorId" from "Post" where "published";
create function post_score(post_id integer) returns integer language sql stable as
  $$ select "viewCount" * 2 from "Post" where "id" = post_id $$;
insert into "User" ("email", "name", "role") values ('ada@example.com', 'Ada', 'EDITOR');
insert into "Post" ("title", "authorId", "published", "meta") values ('Hello', 1, true, '{"tags": ["intro"]}');
insert into "Profile" ("bio", "userId") values ('Mathematician', 1);`;

const roleWithout = (removed: string) => `
alter type "Role" rename to "Role_old";
create type "Role" as enum (${["USER", "EDITOR", "ADMIN"]
  .filter((v) => v !== removed)
  .map((v) => `'${v}'`)
  .join(", ")});
alter table "User" alter column "role" drop default;
alter table "User" alter column "role" type "Role" using "role"::text::"Role";
alter table "User" alter column "role" set default 'USER';
drop type "Role_old";`;

/** A change to a column the view reads, which PostgreSQL only allows with the view out of the way. */
const withPublishedPostRebuilt = (change: string) =>
  `drop view "PublishedPost";\n${change}\ncreate view "PublishedPost" as select "id", "title", "authorId" from "Post" where "published";`;

const prisma: RehearsalCase[] = [
  {
    name: "prisma-find-unique-user",
    orm: "prisma",
    schema: BLOG,
    statement: `SELECT "public"."User"."id", "public"."User"."email", "public"."User"."name", "public"."User"."role" FROM "public"."User" WHERE ("public"."User"."email" = $1 AND $4=$5) LIMIT $2 OFFSET $3`,
    params: ["ada@example.com", "1", "0", "1", "1"],
    breaks: `alter table "User" drop column "name";`,
    harmless: `alter table "User" drop column "legacyId";`,
  },
  {
    name: "prisma-create-post-returning",
    orm: "prisma",
    missedByNameMatch: "not-null-added",
    schema: BLOG,
    // v1 knows nothing of "slug" (added by expand).
    statement: `INSERT INTO "public"."Post" ("title","authorId","meta") VALUES ($1,$2,$3) RETURNING "public"."Post"."id", "public"."Post"."title", "public"."Post"."content", "public"."Post"."published", "public"."Post"."authorId", "public"."Post"."meta", "public"."Post"."viewCount"`,
    params: ["Second post", "1", '{"tags": []}'],
    breaks: `update "Post" set "slug" = 'post-' || "id" where "slug" is null;\nalter table "Post" alter column "slug" set not null;`,
    harmless: `alter table "Post" add column "rank" integer;`,
  },
  {
    name: "prisma-update-role-enum-cast",
    orm: "prisma",
    missedByNameMatch: "enum-value-removed",
    schema: BLOG,
    statement: `UPDATE "public"."User" SET "role" = CAST($1::text AS "public"."Role") WHERE ("public"."User"."id" = $2 AND $3=$4) RETURNING "public"."User"."id", "public"."User"."role"`,
    params: ["EDITOR", "1", "1", "1"],
    breaks: `update "User" set "role" = 'USER' where "role" = 'EDITOR';\n${roleWithout("EDITOR")}`,
    harmless: roleWithout("ADMIN"),
  },
  {
    name: "prisma-find-many-posts-in-authors",
    orm: "prisma",
    schema: BLOG,
    statement: `SELECT "public"."Post"."id", "public"."Post"."title", "public"."Post"."authorId" FROM "public"."Post" WHERE "public"."Post"."authorId" IN ($1,$2) OFFSET $3`,
    params: ["1", "2", "0"],
    breaks: `alter table "Post" rename column "authorId" to "writerId";`,
    harmless: `drop index "Post_authorId_idx";`,
  },
  {
    name: "prisma-json-array-contains",
    orm: "prisma",
    schema: BLOG,
    statement: `SELECT "public"."Post"."id", "public"."Post"."title" FROM "public"."Post" WHERE ("public"."Post"."meta" @> $1::jsonb AND "public"."Post"."meta" IS NOT NULL) OFFSET $2`,
    params: ['{"tags": ["intro"]}', "0"],
    breaks: `alter table "Post" drop column "meta";`,
    harmless: `alter table "Post" drop column "content";`,
  },
  {
    name: "prisma-count-published",
    orm: "prisma",
    schema: BLOG,
    statement: `SELECT COUNT(*) AS "_count._all" FROM (SELECT "public"."Post"."id" FROM "public"."Post" WHERE "public"."Post"."published" = $1 OFFSET $2) AS "sub"`,
    params: ["true", "0"],
    breaks: `alter table "Post" drop column "published" cascade;`,
    harmless: `alter table "Post" drop column "slug";`,
  },
  {
    name: "prisma-upsert-user-on-conflict",
    orm: "prisma",
    missedByNameMatch: "unique-index-dropped",
    schema: BLOG,
    statement: `INSERT INTO "public"."User" ("email","name") VALUES ($1,$2) ON CONFLICT ("email") DO UPDATE SET "name" = $3 WHERE ("public"."User"."email" = $4 AND $5=$6) RETURNING "public"."User"."id", "public"."User"."email", "public"."User"."name"`,
    params: ["ada@example.com", "Ada", "Ada L.", "ada@example.com", "1", "1"],
    breaks: `drop index "User_email_key";`,
    harmless: `alter table "User" drop column "legacyId";`,
  },
  {
    name: "prisma-delete-profile",
    orm: "prisma",
    schema: BLOG,
    statement: `DELETE FROM "public"."Profile" WHERE ("public"."Profile"."id" = $1 AND $2=$3)`,
    params: ["1", "1", "1"],
    breaks: `alter table "Profile" rename to "UserProfile";`,
    harmless: `alter table "Profile" drop column "bio";`,
  },
  {
    name: "prisma-read-view-published",
    orm: "prisma",
    missedByNameMatch: "view-column-dropped",
    schema: BLOG,
    statement: `SELECT "public"."PublishedPost"."id", "public"."PublishedPost"."title" FROM "public"."PublishedPost" WHERE $2=$3 OFFSET $1`,
    params: ["0", "1", "1"],
    breaks: `drop view "PublishedPost";\ncreate view "PublishedPost" as select "id", "authorId" from "Post" where "published";`,
    harmless: `drop view "PublishedPost";\ncreate view "PublishedPost" as select "id", "title" from "Post" where "published";`,
  },
  {
    name: "prisma-query-raw-post-score",
    orm: "prisma",
    missedByNameMatch: "function-signature-changed",
    schema: BLOG,
    statement: `SELECT post_score($1) AS score`,
    params: ["1"],
    breaks: `drop function post_score(integer);\ncreate function post_score(post_id integer, weight numeric) returns integer language sql stable as\n  $$ select ("viewCount" * weight)::integer from "Post" where "id" = post_id $$;`,
    harmless: `create or replace function post_score(post_id integer) returns integer language sql stable as\n  $$ select "viewCount" * 3 from "Post" where "id" = post_id $$;`,
  },
  {
    name: "prisma-create-many-title-narrowed",
    orm: "prisma",
    missedByNameMatch: "type-narrowed",
    schema: BLOG,
    statement: `INSERT INTO "public"."Post" ("title","authorId") VALUES ($1,$2), ($3,$4)`,
    params: ["Short", "1", "A rather long title that v1 lets its writers choose freely", "1"],
    breaks: withPublishedPostRebuilt(`alter table "Post" alter column "title" type varchar(40);`),
    harmless: withPublishedPostRebuilt(`alter table "Post" alter column "title" type varchar(200);`),
  },
  {
    name: "prisma-update-increment-view-count",
    orm: "prisma",
    schema: BLOG,
    statement: `UPDATE "public"."Post" SET "viewCount" = ("public"."Post"."viewCount" + $1) WHERE ("public"."Post"."id" = $2 AND $3=$4)`,
    params: ["1", "1", "1", "1"],
    breaks: `alter table "Post" drop column "viewCount" cascade;`,
    harmless: `alter table "Post" drop column "content";`,
  },
  {
    name: "prisma-find-user-with-profile-join",
    orm: "prisma",
    schema: BLOG,
    statement: `SELECT "t1"."id", "t1"."email", "t2"."bio" FROM "public"."User" AS "t1" LEFT JOIN "public"."Profile" AS "t2" ON ("t1"."id") = ("t2"."userId") WHERE "t1"."role" = CAST($1::text AS "public"."Role") OFFSET $2`,
    params: ["EDITOR", "0"],
    breaks: `alter table "Profile" drop column "bio";`,
    harmless: `drop index "Profile_userId_key";`,
  },
];

// ---------------------------------------------------------------------------------------------
// ActiveRecord: `"table".*`, binds for ids and LIMIT, values written inline by `where("…", x)`
// and `upsert_all` (which pg_stat_statements numbers after the binds), timestamps on every write.

const SAAS = `
create type account_plan as enum ('free', 'pro', 'enterprise');
create table accounts (
  id bigserial primary key,
  name character varying not null,
  plan account_plan not null default 'free',
  settings jsonb default '{}' not null,
  created_at timestamp(6) not null,
  updated_at timestamp(6) not null
);
create table users (
  id bigserial primary key,
  account_id bigint not null,
  email character varying not null,
  name character varying,
  admin boolean default false not null,
  lock_version integer default 0 not null,
  time_zone character varying,
  created_at timestamp(6) not null,
  updated_at timestamp(6) not null
);
create unique index index_users_on_email on users (email);
create index index_users_on_account_id on users (account_id);
alter table users add constraint fk_rails_61ac11da2b foreign key (account_id) references accounts (id);
create table comments (
  id bigserial primary key,
  user_id bigint not null references users (id),
  commentable_type character varying not null,
  commentable_id bigint not null,
  body text,
  created_at timestamp(6) not null,
  updated_at timestamp(6) not null
);
create index index_comments_on_commentable on comments (commentable_type, commentable_id);
create view account_user_counts as
  select a.id as account_id, a.name, count(u.id) as users_count
  from accounts a left join users u on u.account_id = a.id group by a.id, a.name;
create function normalize_email(text) returns text language sql immutable as $$ select lower(trim($1)) $$;
insert into accounts (name, plan, created_at, updated_at) values ('Acme', 'enterprise', now(), now());
insert into users (account_id, email, name, created_at, updated_at) values (1, 'ada@example.com', 'Ada', now(), now());
insert into comments (user_id, commentable_type, commentable_id, body, created_at, updated_at)
  values (1, 'Account', 1, 'First!', now(), now());`;

const planWithout = (removed: string) => `
update accounts set plan = 'free' where plan = '${removed}';
alter type account_plan rename to account_plan_old;
create type account_plan as enum (${["free", "pro", "enterprise"]
  .filter((v) => v !== removed)
  .map((v) => `'${v}'`)
  .join(", ")});
alter table accounts alter column plan drop default;
alter table accounts alter column plan type account_plan using plan::text::account_plan;
alter table accounts alter column plan set default 'free';
drop type account_plan_old;`;

const NOW = "2026-12-07 20:00:00";

const activerecord: RehearsalCase[] = [
  {
    name: "activerecord-find-user",
    orm: "activerecord",
    schema: SAAS,
    statement: `SELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2`,
    params: ["1", "1"],
    breaks: "alter table users rename to members;",
    // `*` is expanded when the statement is prepared: a dropped column it never names is fine.
    harmless: "alter table users drop column admin;",
  },
  {
    name: "activerecord-find-by-email",
    orm: "activerecord",
    schema: SAAS,
    statement: `SELECT "users".* FROM "users" WHERE "users"."email" = $1 LIMIT $2`,
    params: ["ada@example.com", "1"],
    breaks: "alter table users drop column email;",
    harmless: "drop index index_users_on_account_id;",
  },
  {
    name: "activerecord-create-user-time-zone-not-null",
    orm: "activerecord",
    missedByNameMatch: "not-null-added",
    schema: SAAS,
    statement: `INSERT INTO "users" ("account_id", "email", "name", "created_at", "updated_at") VALUES ($1, $2, $3, $4, $5) RETURNING "id"`,
    params: ["1", "grace@example.com", "Grace", NOW, NOW],
    breaks:
      "update users set time_zone = 'UTC' where time_zone is null;\nalter table users alter column time_zone set not null;",
    harmless:
      "update users set time_zone = 'UTC' where time_zone is null;\nalter table users alter column time_zone set default 'UTC';\nalter table users alter column time_zone set not null;",
  },
  {
    name: "activerecord-update-with-lock-version",
    orm: "activerecord",
    schema: SAAS,
    statement: `UPDATE "users" SET "name" = $1, "updated_at" = $2, "lock_version" = $3 WHERE "users"."id" = $4 AND "users"."lock_version" = $5`,
    params: ["Ada L.", NOW, "1", "1", "0"],
    breaks: "alter table users drop column lock_version;",
    harmless: "alter table users drop column admin;",
  },
  {
    name: "activerecord-joins-comments-users",
    orm: "activerecord",
    schema: SAAS,
    statement: `SELECT "comments".* FROM "comments" INNER JOIN "users" ON "users"."id" = "comments"."user_id" WHERE "users"."account_id" = $1 ORDER BY "comments"."created_at" DESC LIMIT $2`,
    params: ["1", "20"],
    breaks: "alter table users drop column account_id cascade;",
    harmless: "alter table comments drop column body;",
  },
  {
    name: "activerecord-preload-comments-in",
    orm: "activerecord",
    schema: SAAS,
    statement: `SELECT "comments".* FROM "comments" WHERE "comments"."user_id" IN ($1, $2, $3)`,
    params: ["1", "2", "3"],
    breaks: "alter table comments rename column user_id to author_id;",
    harmless: "drop index index_comments_on_commentable;",
  },
  {
    name: "activerecord-polymorphic-comments",
    orm: "activerecord",
    schema: SAAS,
    statement: `SELECT "comments".* FROM "comments" WHERE "comments"."commentable_id" = $1 AND "comments"."commentable_type" = $2`,
    params: ["1", "Account"],
    breaks: "alter table comments rename column commentable_type to subject_type;",
    harmless: "alter table comments drop column body;",
  },
  {
    name: "activerecord-exists-email",
    orm: "activerecord",
    schema: SAAS,
    // `SELECT 1 AS one`: the constant becomes $3, after the two binds.
    statement: `SELECT $3 AS one FROM "users" WHERE "users"."email" = $1 LIMIT $2`,
    params: ["ada@example.com", "1", "1"],
    breaks: "alter table users rename column email to email_address;",
    harmless: "alter table users drop column time_zone;",
  },
  {
    name: "activerecord-count-users",
    orm: "activerecord",
    schema: SAAS,
    statement: `SELECT COUNT(*) FROM "users" WHERE "users"."account_id" = $1`,
    params: ["1"],
    breaks: "drop view account_user_counts;\ndrop table comments;\ndrop table users;",
    harmless: "drop table comments;",
  },
  {
    name: "activerecord-where-plan-enum",
    orm: "activerecord",
    missedByNameMatch: "enum-value-removed",
    schema: SAAS,
    statement: `SELECT "accounts".* FROM "accounts" WHERE "accounts"."plan" = $1`,
    params: ["enterprise"],
    breaks: planWithout("enterprise"),
    harmless: planWithout("pro"),
  },
  {
    name: "activerecord-upsert-all-users",
    orm: "activerecord",
    missedByNameMatch: "unique-index-dropped",
    schema: SAAS,
    statement: `INSERT INTO "users" ("account_id","email","name","created_at","updated_at") VALUES ($1, $2, $3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) ON CONFLICT ("email") DO UPDATE SET updated_at=(CASE WHEN (("users"."name" IS NOT DISTINCT FROM excluded."name")) THEN "users".updated_at ELSE CURRENT_TIMESTAMP END),"name"=excluded."name" RETURNING "id"`,
    params: ["1", "ada@example.com", "Ada Lovelace"],
    breaks: "drop index index_users_on_email;",
    harmless: "drop index index_users_on_account_id;",
  },
  {
    name: "activerecord-store-settings-check",
    orm: "activerecord",
    missedByNameMatch: "check-added",
    schema: SAAS,
    statement: `UPDATE "accounts" SET "settings" = $1, "updated_at" = $2 WHERE "accounts"."id" = $3`,
    params: ['{"theme": "dark"}', NOW, "1"],
    breaks:
      "update accounts set settings = settings || '{\"locale\": \"en\"}';\nalter table accounts add constraint accounts_settings_locale check (settings ? 'locale');",
    harmless: "alter table accounts add constraint accounts_settings_object check (jsonb_typeof(settings) = 'object');",
  },
  {
    name: "activerecord-where-settings-theme",
    orm: "activerecord",
    missedByNameMatch: "type-changed",
    schema: SAAS,
    statement: `SELECT "accounts".* FROM "accounts" WHERE (settings->>$1 = $2)`,
    params: ["theme", "dark"],
    breaks:
      "alter table accounts alter column settings drop default;\nalter table accounts alter column settings type text using settings::text;",
    harmless: "alter table accounts alter column settings drop default;",
  },
  {
    name: "activerecord-pluck-view-users-count",
    orm: "activerecord",
    missedByNameMatch: "view-column-dropped",
    schema: SAAS,
    statement: `SELECT "account_user_counts"."users_count" FROM "account_user_counts" WHERE "account_user_counts"."account_id" = $1 LIMIT $2`,
    params: ["1", "1"],
    breaks:
      "drop view account_user_counts;\ncreate view account_user_counts as select a.id as account_id, a.name from accounts a;",
    harmless:
      "drop view account_user_counts;\ncreate view account_user_counts as\n  select a.id as account_id, count(u.id) as users_count from accounts a left join users u on u.account_id = a.id group by a.id;",
  },
  {
    name: "activerecord-where-normalize-email",
    orm: "activerecord",
    missedByNameMatch: "function-signature-changed",
    schema: SAAS,
    // `where("normalize_email(email) = normalize_email(?)", x).first`: LIMIT is bind $1, the inline value $2.
    statement: `SELECT "users".* FROM "users" WHERE (normalize_email(email) = normalize_email($2)) ORDER BY "users"."id" ASC LIMIT $1`,
    params: ["1", " Ada@Example.com "],
    breaks:
      "drop function normalize_email(text);\ncreate function normalize_email(address text, strip_plus boolean) returns text language sql immutable as\n  $$ select lower(trim(address)) $$;",
    harmless:
      "create or replace function normalize_email(text) returns text language sql immutable as $$ select lower(btrim($1)) $$;",
  },
  {
    name: "activerecord-delete-all-comments",
    orm: "activerecord",
    schema: SAAS,
    statement: `DELETE FROM "comments" WHERE "comments"."user_id" = $1`,
    params: ["1"],
    breaks: "alter table comments drop column user_id;",
    harmless: "alter table comments drop column body;",
  },
  {
    name: "activerecord-window-latest-comment",
    orm: "activerecord",
    schema: SAAS,
    statement: `SELECT "comments"."id", row_number() OVER (PARTITION BY "comments"."user_id" ORDER BY "comments"."created_at" DESC) AS rn FROM "comments" WHERE "comments"."commentable_type" = $1`,
    params: ["Account"],
    breaks: "alter table comments rename column created_at to posted_at;",
    harmless: "alter table comments drop column updated_at;",
  },
  {
    name: "activerecord-subquery-accounts-with-admins",
    orm: "activerecord",
    schema: SAAS,
    statement: `SELECT "accounts".* FROM "accounts" WHERE "accounts"."id" IN (SELECT "users"."account_id" FROM "users" WHERE "users"."admin" = $1)`,
    params: ["true"],
    breaks: "alter table users drop column admin;",
    harmless: "alter table users drop column time_zone;",
  },
];

// ---------------------------------------------------------------------------------------------
// Django: `"app_model"."column"` everywhere, parenthesised join conditions, `U0` aliases in
// subqueries, RETURNING the primary key, and the `LIMIT 21` of `get()` as a parameter.

const LIBRARY = `
create table "library_author" (
  "id" bigint not null primary key generated by default as identity,
  "name" varchar(100) not null,
  "email" varchar(254) not null unique,
  "bio" text not null,
  "active" boolean not null,
  "slug" varchar(50) null
);
create table "library_book" (
  "id" bigint not null primary key generated by default as identity,
  "title" varchar(200) not null,
  "isbn" varchar(13) not null unique,
  "published_on" date null,
  "pages" integer null,
  "price" numeric(8, 2) not null,
  "metadata" jsonb not null,
  "author_id" bigint not null
);
alter table "library_book" add constraint "library_book_author_id_7d4b5a1c_fk_library_author_id"
  foreign key ("author_id") references "library_author" ("id") deferrable initially deferred;
create index "library_book_author_id_7d4b5a1c" on "library_book" ("author_id");
create table "library_review" (
  "id" bigint not null primary key generated by default as identity,
  "rating" smallint not null check ("rating" >= 0),
  "body" text not null,
  "book_id" bigint not null,
  "created_at" timestamp with time zone not null
);
alter table "library_review" add constraint "library_review_book_id_2a6c1f0e_fk_library_book_id"
  foreign key ("book_id") references "library_book" ("id") deferrable initially deferred;
create view "library_bookstats" as
  select b.id as book_id, b.title, count(r.id) as review_count, avg(r.rating) as avg_rating
  from library_book b left join library_review r on r.book_id = b.id group by b.id, b.title;
create function library_search_rank(title text, q text) returns real language sql immutable as
  $$ select case when position(lower(q) in lower(title)) > 0 then 1.0::real else 0.0::real end $$;
insert into library_author (name, email, bio, active) values ('Ursula', 'ursula@example.com', '', true);
insert into library_book (title, isbn, published_on, pages, price, metadata, author_id)
  values ('The Dispossessed', '9780061054884', '1974-05-01', 32000, 12.99, '{"format": "epub"}', 1);
insert into library_review (rating, body, book_id, created_at) values (5, 'Anarres!', 1, now());`;

const django: RehearsalCase[] = [
  {
    name: "django-get-author",
    orm: "django",
    schema: LIBRARY,
    statement: `SELECT "library_author"."id", "library_author"."name", "library_author"."email", "library_author"."bio", "library_author"."active" FROM "library_author" WHERE "library_author"."id" = $1 LIMIT $2`,
    params: ["1", "21"],
    breaks: `alter table "library_author" drop column "bio";`,
    harmless: `alter table "library_author" drop column "slug";`,
  },
  {
    name: "django-create-book-price-narrowed",
    orm: "django",
    missedByNameMatch: "type-narrowed",
    schema: LIBRARY,
    statement: `INSERT INTO "library_book" ("title", "isbn", "published_on", "pages", "price", "metadata", "author_id") VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING "library_book"."id"`,
    params: ["Collected Stories", "9781101886830", "2016-10-01", "1200", "1299.00", "{}", "1"],
    breaks: `alter table "library_book" alter column "price" type numeric(5, 2);`,
    harmless: `alter table "library_book" alter column "price" type numeric(10, 2);`,
  },
  {
    name: "django-create-review-rating-check",
    orm: "django",
    missedByNameMatch: "check-added",
    schema: LIBRARY,
    // v1 stores "not rated yet" as 0.
    statement: `INSERT INTO "library_review" ("rating", "body", "book_id", "created_at") VALUES ($1, $2, $3, $4) RETURNING "library_review"."id"`,
    params: ["0", "Still reading", "1", "2026-12-07T20:00:00+00:00"],
    breaks: `alter table "library_review" add constraint "library_review_rating_range" check ("rating" between 1 and 5);`,
    harmless: `alter table "library_review" add constraint "library_review_rating_max" check ("rating" <= 5);`,
  },
  {
    name: "django-filter-books-by-author-email",
    orm: "django",
    schema: LIBRARY,
    statement: `SELECT "library_book"."id", "library_book"."title" FROM "library_book" INNER JOIN "library_author" ON ("library_book"."author_id" = "library_author"."id") WHERE "library_author"."email" = $1`,
    params: ["ursula@example.com"],
    breaks: `alter table "library_author" rename column "email" to "email_address";`,
    harmless: `alter table "library_author" drop column "slug";`,
  },
  {
    name: "django-select-related-book",
    orm: "django",
    schema: LIBRARY,
    statement: `SELECT "library_book"."id", "library_book"."title", "library_book"."author_id", "library_author"."id", "library_author"."name" FROM "library_book" INNER JOIN "library_author" ON ("library_book"."author_id" = "library_author"."id") WHERE "library_book"."isbn" = $1 LIMIT $2`,
    params: ["9780061054884", "21"],
    breaks: `alter table "library_author" drop column "name";`,
    harmless: `drop index "library_book_author_id_7d4b5a1c";`,
  },
  {
    name: "django-json-key-transform",
    orm: "django",
    missedByNameMatch: "type-changed",
    schema: LIBRARY,
    statement: `SELECT "library_book"."id", "library_book"."title" FROM "library_book" WHERE ("library_book"."metadata" -> $1) = $2::jsonb`,
    params: ["format", '"epub"'],
    breaks: `alter table "library_book" alter column "metadata" type text using "metadata"::text;`,
    harmless: `alter table "library_book" alter column "pages" drop not null;`,
  },
  {
    name: "django-json-contains",
    orm: "django",
    schema: LIBRARY,
    statement: `SELECT "library_book"."id" FROM "library_book" WHERE "library_book"."metadata" @> $1::jsonb`,
    params: ['{"format": "epub"}'],
    breaks: `alter table "library_book" rename column "metadata" to "meta";`,
    harmless: `alter table "library_book" drop column "published_on";`,
  },
  {
    name: "django-annotate-book-count",
    orm: "django",
    schema: LIBRARY,
    statement: `SELECT "library_author"."id", "library_author"."name", COUNT("library_book"."id") AS "book_count" FROM "library_author" LEFT OUTER JOIN "library_book" ON ("library_author"."id" = "library_book"."author_id") GROUP BY "library_author"."id" HAVING COUNT("library_book"."id") > $1`,
    params: ["0"],
    breaks: `alter table "library_author" rename to "library_writer";`,
    harmless: `alter table "library_author" drop column "bio";`,
  },
  {
    name: "django-update-authors-in",
    orm: "django",
    schema: LIBRARY,
    statement: `UPDATE "library_author" SET "active" = $1 WHERE "library_author"."id" IN ($2, $3)`,
    params: ["false", "1", "2"],
    breaks: `alter table "library_author" drop column "active";`,
    harmless: `alter table "library_author" drop column "slug";`,
  },
  {
    name: "django-update-pages-f-expression",
    orm: "django",
    missedByNameMatch: "type-narrowed",
    schema: LIBRARY,
    statement: `UPDATE "library_book" SET "pages" = ("library_book"."pages" + $1) WHERE "library_book"."id" = $2`,
    params: ["1000", "1"],
    breaks: `alter table "library_book" alter column "pages" type smallint;`,
    harmless: `alter table "library_book" alter column "pages" type bigint;`,
  },
  {
    name: "django-read-view-avg-rating",
    orm: "django",
    missedByNameMatch: "view-column-dropped",
    schema: LIBRARY,
    statement: `SELECT "library_bookstats"."book_id", "library_bookstats"."title", "library_bookstats"."avg_rating" FROM "library_bookstats" WHERE "library_bookstats"."review_count" >= $1 ORDER BY "library_bookstats"."avg_rating" DESC`,
    params: ["1"],
    breaks: `drop view "library_bookstats";\ncreate view "library_bookstats" as\n  select b.id as book_id, b.title, count(r.id) as review_count\n  from library_book b left join library_review r on r.book_id = b.id group by b.id, b.title;`,
    harmless: `create or replace view "library_bookstats" as\n  select b.id as book_id, b.title, count(r.id) as review_count, avg(r.rating) as avg_rating, max(r.created_at) as last_review_at\n  from library_book b left join library_review r on r.book_id = b.id group by b.id, b.title;`,
  },
  {
    name: "django-delete-reviews-of-books",
    orm: "django",
    schema: LIBRARY,
    statement: `DELETE FROM "library_review" WHERE "library_review"."book_id" IN ($1)`,
    params: ["1"],
    breaks: `alter table "library_review" rename column "book_id" to "edition_id";`,
    harmless: `alter table "library_review" drop column "body";`,
  },
  {
    name: "django-func-search-rank",
    orm: "django",
    missedByNameMatch: "function-signature-changed",
    schema: LIBRARY,
    statement: `SELECT "library_book"."id", library_search_rank("library_book"."title", $1) AS "rank" FROM "library_book" ORDER BY "rank" DESC`,
    params: ["dispossessed"],
    breaks: `drop function library_search_rank(text, text);\ncreate function library_search_rank(title text, q text, weight real) returns real language sql immutable as\n  $$ select case when position(lower(q) in lower(title)) > 0 then weight else 0.0::real end $$;`,
    // A new parameter with a default: the two-argument call still resolves.
    harmless: `drop function library_search_rank(text, text);\ncreate function library_search_rank(title text, q text, weight real default 1.0) returns real language sql immutable as\n  $$ select case when position(lower(q) in lower(title)) > 0 then weight else 0.0::real end $$;`,
  },
  {
    name: "django-exists-subquery",
    orm: "django",
    schema: LIBRARY,
    // `SELECT 1 AS "a" … LIMIT 1` inside EXISTS: both constants are numbered after the bind.
    statement: `SELECT "library_author"."id", "library_author"."name" FROM "library_author" WHERE EXISTS(SELECT $2 AS "a" FROM "library_book" U0 WHERE (U0."author_id" = ("library_author"."id") AND U0."published_on" >= $1) LIMIT $3)`,
    params: ["1970-01-01", "1", "1"],
    breaks: `alter table "library_book" drop column "published_on";`,
    harmless: `alter table "library_book" drop column "pages";`,
  },
  {
    name: "django-bulk-create-slug-not-null",
    orm: "django",
    missedByNameMatch: "not-null-added",
    schema: LIBRARY,
    statement: `INSERT INTO "library_author" ("name", "email", "bio", "active") VALUES ($1, $2, $3, $4), ($5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    params: ["Octavia", "octavia@example.com", "", "true", "Iain", "iain@example.com", "", "true"],
    breaks: `update "library_author" set "slug" = 'author-' || "id" where "slug" is null;\nalter table "library_author" alter column "slug" set not null;`,
    harmless: `update "library_author" set "slug" = 'author-' || "id" where "slug" is null;\nalter table "library_author" alter column "slug" set default '';\nalter table "library_author" alter column "slug" set not null;`,
  },
  {
    name: "django-bulk-update-conflicts",
    orm: "django",
    schema: LIBRARY,
    statement: `INSERT INTO "library_author" ("name", "email", "bio", "active") VALUES ($1, $2, $3, $4) ON CONFLICT("email") DO UPDATE SET "name" = EXCLUDED."name", "bio" = EXCLUDED."bio"`,
    params: ["Ursula K. Le Guin", "ursula@example.com", "Author of Earthsea", "true"],
    breaks: `alter table "library_author" drop constraint "library_author_email_key";`,
    harmless: `alter table "library_author" drop column "slug";`,
  },
];

// ---------------------------------------------------------------------------------------------
// Hibernate 6: lower-case, unquoted, `x1_0` aliases, no spaces after commas, ids from pooled
// sequences (`select nextval('…')`, whose name pg_stat_statements turns into a parameter),
// enums as varchar with a generated CHECK, inserted columns in alphabetical order with the id last.

const BILLING = `
create sequence customers_seq start with 1 increment by 50;
create sequence invoices_seq start with 1 increment by 50;
create table customers (
  id bigint not null,
  email varchar(255) not null,
  full_name varchar(255),
  tier varchar(255) check (tier in ('BASIC', 'GOLD', 'PLATINUM')),
  version integer not null,
  primary key (id)
);
alter table if exists customers add constraint uk_customers_email unique (email);
create table invoices (
  id bigint not null,
  amount numeric(38, 2) not null,
  customer_id bigint not null,
  issued_at timestamp(6),
  number varchar(32) not null,
  payload jsonb,
  status smallint not null check (status between 0 and 3),
  primary key (id)
);
alter table if exists invoices add constraint fk_invoices_customer foreign key (customer_id) references customers;
create table invoice_lines (
  id bigint generated by default as identity,
  description varchar(255),
  invoice_id bigint not null,
  quantity integer not null,
  unit_price numeric(38, 2),
  primary key (id)
);
alter table if exists invoice_lines add constraint fk_invoice_lines_invoice foreign key (invoice_id) references invoices;
create view customer_balances as
  select c.id as customer_id, c.email, sum(i.amount) as balance from customers c join invoices i on i.customer_id = c.id group by c.id, c.email;
create function invoice_due_date(issued timestamp, days integer) returns date language sql immutable as
  $$ select (issued + make_interval(days => days))::date $$;
insert into customers (id, email, full_name, tier, version) values (1, 'ada@example.com', 'Ada', 'GOLD', 0);
insert into invoices (id, amount, customer_id, issued_at, number, payload, status)
  values (1, 120.00, 1, '2026-11-01 09:00', 'INV-000001', '{"channel": "web"}', 1);
insert into invoice_lines (description, invoice_id, quantity, unit_price) values ('Consulting', 1, 1, 120.00);`;

const hibernate: RehearsalCase[] = [
  {
    name: "hibernate-find-customer",
    orm: "hibernate",
    schema: BILLING,
    statement: "select c1_0.id,c1_0.email,c1_0.full_name,c1_0.tier,c1_0.version from customers c1_0 where c1_0.id=$1",
    params: ["1"],
    breaks: "alter table customers drop column full_name;",
    harmless: "alter table invoices drop column payload;",
  },
  {
    name: "hibernate-sequence-next-value",
    orm: "hibernate",
    missedByNameMatch: "sequence-dropped-behind-a-parameter",
    schema: BILLING,
    // The sequence's name is a constant: normalised away, only the value bound says which.
    statement: "select nextval($1)",
    params: ["customers_seq"],
    breaks: "drop sequence customers_seq;",
    harmless: "drop sequence invoices_seq;",
  },
  {
    name: "hibernate-persist-customer",
    orm: "hibernate",
    schema: BILLING,
    statement: "insert into customers (email,full_name,tier,version,id) values ($1,$2,$3,$4,$5)",
    params: ["grace@example.com", "Grace", "BASIC", "0", "51"],
    breaks: "alter table customers rename column full_name to display_name;",
    harmless: "alter table invoice_lines drop column description;",
  },
  {
    name: "hibernate-persist-customer-tier-check",
    orm: "hibernate",
    missedByNameMatch: "check-added",
    schema: BILLING,
    // The enum lost GOLD: Hibernate regenerates the varchar column's CHECK without it.
    statement: "insert into customers (email,full_name,tier,version,id) values ($1,$2,$3,$4,$5)",
    params: ["linus@example.com", "Linus", "GOLD", "0", "52"],
    breaks:
      "update customers set tier = 'PLATINUM' where tier = 'GOLD';\nalter table customers drop constraint customers_tier_check;\nalter table customers add constraint customers_tier_check check (tier in ('BASIC', 'PLATINUM'));",
    harmless:
      "alter table customers drop constraint customers_tier_check;\nalter table customers add constraint customers_tier_check check (tier in ('BASIC', 'GOLD', 'PLATINUM', 'DIAMOND'));",
  },
  {
    name: "hibernate-versioned-update",
    orm: "hibernate",
    schema: BILLING,
    statement: "update customers set email=$1,full_name=$2,tier=$3,version=$4 where id=$5 and version=$6",
    params: ["ada@example.org", "Ada", "GOLD", "1", "1", "0"],
    breaks: "alter table customers drop column version;",
    harmless: "alter table invoices drop column payload;",
  },
  {
    name: "hibernate-join-fetch-invoices",
    orm: "hibernate",
    schema: BILLING,
    statement:
      "select i1_0.id,i1_0.amount,c1_0.id,c1_0.email from invoices i1_0 join customers c1_0 on c1_0.id=i1_0.customer_id where i1_0.status=$1",
    params: ["1"],
    breaks: "alter table invoices rename column status to state;",
    harmless: "alter table customers drop column full_name;",
  },
  {
    name: "hibernate-remove-invoice-line",
    orm: "hibernate",
    schema: BILLING,
    statement: "delete from invoice_lines where id=$1",
    params: ["1"],
    breaks: "alter table invoice_lines rename to invoice_items;",
    harmless: "alter table invoice_lines drop column unit_price;",
  },
  {
    name: "hibernate-insert-line-description-narrowed",
    orm: "hibernate",
    missedByNameMatch: "type-narrowed",
    schema: BILLING,
    statement:
      "insert into invoice_lines (description,invoice_id,quantity,unit_price) values ($1,$2,$3,$4) returning id",
    params: ["Architecture review of the billing service, two days on site", "1", "2", "950.00"],
    breaks: "alter table invoice_lines alter column description type varchar(40);",
    harmless: "alter table invoice_lines alter column description type varchar(500);",
  },
  {
    name: "hibernate-insert-invoice-number-check",
    orm: "hibernate",
    missedByNameMatch: "check-added",
    schema: BILLING,
    statement:
      "insert into invoices (amount,customer_id,issued_at,number,payload,status,id) values ($1,$2,$3,$4,$5,$6,$7)",
    params: ["80.00", "1", "2026-12-01 10:00:00", "2026-0042", '{"channel": "api"}', "0", "51"],
    breaks: "alter table invoices add constraint invoices_number_format check (number ~ '^INV-[0-9]{6}$') not valid;",
    harmless: "alter table invoices add constraint invoices_number_present check (char_length(number) > 0);",
  },
  {
    name: "hibernate-hql-due-date-function",
    orm: "hibernate",
    missedByNameMatch: "function-signature-changed",
    schema: BILLING,
    statement: "select i1_0.id,invoice_due_date(i1_0.issued_at,$1) from invoices i1_0 where i1_0.customer_id=$2",
    params: ["30", "1"],
    breaks:
      "drop function invoice_due_date(timestamp, integer);\ncreate function invoice_due_date(issued date, days integer) returns date language sql immutable as\n  $$ select issued + days $$;",
    harmless:
      "create or replace function invoice_due_date(issued timestamp, days integer) returns date language sql immutable as\n  $$ select (date_trunc('day', issued) + make_interval(days => days))::date $$;",
  },
  {
    name: "hibernate-window-rank-amounts",
    orm: "hibernate",
    schema: BILLING,
    statement:
      "select i1_0.customer_id,i1_0.amount,rank() over(partition by i1_0.customer_id order by i1_0.amount desc) from invoices i1_0 where i1_0.issued_at>=$1",
    params: ["2026-01-01 00:00:00"],
    breaks: "drop view customer_balances;\nalter table invoices rename column amount to total;",
    harmless: "alter table invoices drop column payload;",
  },
  {
    name: "hibernate-read-view-balances",
    orm: "hibernate",
    schema: BILLING,
    statement: "select cb1_0.customer_id,cb1_0.balance from customer_balances cb1_0 where cb1_0.email=$1",
    params: ["ada@example.com"],
    breaks: "drop view customer_balances;",
    harmless:
      "create or replace view customer_balances as\n  select c.id as customer_id, c.email, sum(i.amount) as balance, count(i.id) as invoices\n  from customers c join invoices i on i.customer_id = c.id group by c.id, c.email;",
  },
  {
    name: "hibernate-subquery-big-spenders",
    orm: "hibernate",
    schema: BILLING,
    statement:
      "select c1_0.id,c1_0.email from customers c1_0 where c1_0.id in (select i1_0.customer_id from invoices i1_0 where i1_0.amount>$1)",
    params: ["100"],
    breaks: "alter table invoices rename column customer_id to client_id;",
    harmless: "alter table customers drop column tier;",
  },
  {
    name: "hibernate-native-json-payload",
    orm: "hibernate",
    schema: BILLING,
    statement: "select i1_0.id,i1_0.number from invoices i1_0 where (i1_0.payload->>$1)=$2",
    params: ["channel", "web"],
    breaks: "alter table invoices drop column payload;",
    harmless: "alter table invoice_lines drop column description;",
  },
];

// ---------------------------------------------------------------------------------------------
// SQLAlchemy 2 on psycopg 3 (server-side binding): unquoted names, `$n::TYPE` on every bind.
// Plain SQL: hand-written queries of the same application (writable CTEs, views).

const LEDGER = `
create type event_kind as enum ('signup', 'login', 'purchase', 'refund');
create table accounts (
  id uuid primary key default gen_random_uuid(),
  handle text not null unique,
  balance_cents bigint not null default 0,
  profile jsonb not null default '{}'::jsonb,
  created_at timestamptz default now()
);
create table events (
  id bigint generated always as identity primary key,
  account_id uuid not null references accounts (id),
  kind event_kind not null,
  amount_cents bigint,
  occurred_at timestamptz not null default now(),
  data jsonb
);
create index events_account_id_idx on events (account_id);
create table events_archive (like events);
create function account_balance(p_account uuid, p_as_of timestamptz) returns bigint language sql stable as
  $$ select coalesce(sum(amount_cents), 0)::bigint from events where account_id = p_account and occurred_at <= p_as_of $$;
create view recent_purchases as
  select e.id, e.account_id, e.amount_cents, e.occurred_at from events e where e.kind = 'purchase';
insert into accounts (id, handle, profile) values ('7f1f9a52-2a6e-4d0b-9d1c-2a61c3a5e001', 'ada', '{"country": "GB"}');
insert into events (account_id, kind, amount_cents) values ('7f1f9a52-2a6e-4d0b-9d1c-2a61c3a5e001', 'purchase', 1500);`;

const ADA = "7f1f9a52-2a6e-4d0b-9d1c-2a61c3a5e001";

/** The enum without one value; the view that reads `kind` must step aside while the column is converted. */
const kindWithout = (removed: string) => `
delete from events where kind = '${removed}';
drop view recent_purchases;
alter type event_kind rename to event_kind_old;
create type event_kind as enum (${["signup", "login", "purchase", "refund"]
  .filter((v) => v !== removed)
  .map((v) => `'${v}'`)
  .join(", ")});
alter table events alter column kind type event_kind using kind::text::event_kind;
alter table events_archive alter column kind type event_kind using kind::text::event_kind;
drop type event_kind_old;
create view recent_purchases as
  select e.id, e.account_id, e.amount_cents, e.occurred_at from events e where e.kind = 'purchase';`;

const sqlalchemy: RehearsalCase[] = [
  {
    name: "sqlalchemy-select-account-by-handle",
    orm: "sqlalchemy",
    schema: LEDGER,
    statement:
      "SELECT accounts.id, accounts.handle, accounts.balance_cents FROM accounts WHERE accounts.handle = $1::VARCHAR",
    params: ["ada"],
    breaks: "alter table accounts rename column handle to username;",
    harmless: "alter table accounts drop column created_at;",
  },
  {
    name: "sqlalchemy-insert-event-refund-removed",
    orm: "sqlalchemy",
    missedByNameMatch: "enum-value-removed",
    schema: LEDGER,
    statement:
      "INSERT INTO events (account_id, kind, amount_cents, data) VALUES ($1::UUID, $2::event_kind, $3::BIGINT, $4::JSONB) RETURNING events.id, events.occurred_at",
    params: [ADA, "refund", "-1500", '{"reason": "damaged"}'],
    breaks: kindWithout("refund"),
    harmless: kindWithout("signup"),
  },
  {
    name: "sqlalchemy-insert-event-amount-narrowed",
    orm: "sqlalchemy",
    missedByNameMatch: "type-narrowed",
    schema: LEDGER,
    statement:
      "INSERT INTO events (account_id, kind, amount_cents) VALUES ($1::UUID, $2::event_kind, $3::BIGINT) RETURNING events.id",
    params: [ADA, "purchase", "5000000000"],
    breaks:
      "drop view recent_purchases;\nalter table events alter column amount_cents type integer;\ncreate view recent_purchases as\n  select e.id, e.account_id, e.amount_cents, e.occurred_at from events e where e.kind = 'purchase';",
    harmless:
      "drop view recent_purchases;\nalter table events alter column amount_cents type numeric(20, 0);\ncreate view recent_purchases as\n  select e.id, e.account_id, e.amount_cents, e.occurred_at from events e where e.kind = 'purchase';",
  },
  {
    name: "sqlalchemy-update-balance-returning-check",
    orm: "sqlalchemy",
    missedByNameMatch: "check-added",
    schema: LEDGER,
    statement:
      "UPDATE accounts SET balance_cents=(accounts.balance_cents + $1::BIGINT) WHERE accounts.id = $2::UUID RETURNING accounts.balance_cents",
    params: ["-500", ADA],
    breaks: "alter table accounts add constraint accounts_balance_not_negative check (balance_cents >= 0);",
    harmless: "alter table accounts add constraint accounts_balance_floor check (balance_cents > -100000000);",
  },
  {
    name: "sqlalchemy-any-uuid-array",
    orm: "sqlalchemy",
    schema: LEDGER,
    statement: "SELECT events.id, events.kind FROM events WHERE events.account_id = ANY ($1::UUID[])",
    params: [`{${ADA}}`],
    breaks: "alter table events rename column account_id to owner_id;",
    harmless: "drop index events_account_id_idx;",
  },
  {
    name: "sqlalchemy-jsonb-astext",
    orm: "sqlalchemy",
    schema: LEDGER,
    statement: "SELECT accounts.id FROM accounts WHERE (accounts.profile ->> $1::VARCHAR) = $2::VARCHAR",
    params: ["country", "GB"],
    breaks: "alter table accounts drop column profile;",
    harmless: "alter table accounts drop column created_at;",
  },
  {
    name: "sqlalchemy-upsert-account-profile",
    orm: "sqlalchemy",
    schema: LEDGER,
    statement:
      "INSERT INTO accounts (handle, profile) VALUES ($1::VARCHAR, $2::JSONB) ON CONFLICT (handle) DO UPDATE SET profile = (accounts.profile || excluded.profile) RETURNING accounts.id",
    params: ["ada", '{"theme": "dark"}'],
    breaks: "alter table accounts drop constraint accounts_handle_key;",
    harmless: "alter table accounts drop column created_at;",
  },
  {
    name: "sqlalchemy-func-account-balance",
    orm: "sqlalchemy",
    missedByNameMatch: "function-signature-changed",
    schema: LEDGER,
    statement: "SELECT account_balance($1::UUID, $2::TIMESTAMP WITH TIME ZONE) AS account_balance_1",
    params: [ADA, "2026-12-07T20:00:00Z"],
    breaks:
      "drop function account_balance(uuid, timestamptz);\ncreate function account_balance(p_account uuid, p_as_of date) returns bigint language sql stable as\n  $$ select coalesce(sum(amount_cents), 0)::bigint from events where account_id = p_account and occurred_at::date <= p_as_of $$;",
    harmless:
      "create or replace function account_balance(p_account uuid, p_as_of timestamptz) returns bigint language sql stable as\n  $$ select coalesce(sum(amount_cents), 0)::bigint from events where account_id = p_account and occurred_at < p_as_of $$;",
  },
  {
    name: "sqlalchemy-cte-window-totals",
    orm: "sqlalchemy",
    schema: LEDGER,
    statement:
      "WITH totals AS (SELECT events.account_id AS account_id, sum(events.amount_cents) AS total FROM events WHERE events.kind = $1::event_kind GROUP BY events.account_id) SELECT accounts.handle, totals.total, rank() OVER (ORDER BY totals.total DESC) AS anon_1 FROM accounts JOIN totals ON accounts.id = totals.account_id",
    params: ["purchase"],
    breaks: "drop view recent_purchases;\nalter table events rename column amount_cents to amount;",
    harmless: "alter table events drop column data;\nalter table events_archive drop column data;",
  },
  {
    name: "sqlalchemy-delete-events-before",
    orm: "sqlalchemy",
    schema: LEDGER,
    statement: "DELETE FROM events WHERE events.occurred_at < $1::TIMESTAMP WITH TIME ZONE",
    params: ["2000-01-01T00:00:00Z"],
    breaks: "drop view recent_purchases;\nalter table events rename column occurred_at to happened_at;",
    harmless: "alter table events drop column data;",
  },
];

const plain: RehearsalCase[] = [
  {
    name: "plain-writable-cte-archive",
    orm: "plain",
    schema: LEDGER,
    statement:
      "with moved as (delete from events where occurred_at < $1 returning *) insert into events_archive select * from moved",
    params: ["2000-01-01T00:00:00Z"],
    breaks: "alter table events_archive drop column data;",
    harmless: "create index events_archive_account_id_idx on events_archive (account_id);",
  },
  {
    name: "plain-read-view-recent-purchases",
    orm: "plain",
    missedByNameMatch: "view-column-dropped",
    schema: LEDGER,
    statement: "select id, amount_cents from recent_purchases where account_id = $1 order by occurred_at desc limit $2",
    params: [ADA, "10"],
    breaks:
      "drop view recent_purchases;\ncreate view recent_purchases as\n  select e.id, e.account_id, e.occurred_at from events e where e.kind = 'purchase';",
    harmless:
      "create or replace view recent_purchases as\n  select e.id, e.account_id, e.amount_cents, e.occurred_at, e.data from events e where e.kind = 'purchase';",
  },
  {
    name: "plain-lateral-last-event",
    orm: "plain",
    schema: LEDGER,
    statement:
      "select a.handle, last.kind, last.occurred_at from accounts a left join lateral (select e.kind, e.occurred_at from events e where e.account_id = a.id order by e.occurred_at desc limit $1) last on $3 where a.handle = any($2)",
    // `on true`: a boolean literal is a constant to pg_stat_statements too.
    params: ["1", "{ada}", "true"],
    breaks: "alter table accounts rename to members;",
    harmless: "alter table events drop column data;",
  },
  {
    name: "plain-enum-comparison-kind",
    orm: "plain",
    missedByNameMatch: "enum-value-removed",
    schema: LEDGER,
    statement: "select count(*) from events where account_id = $1 and kind = $2",
    params: [ADA, "login"],
    breaks: kindWithout("login"),
    harmless: kindWithout("refund"),
  },
];

export const REHEARSAL_CORPUS: RehearsalCase[] = [
  ...drizzle,
  ...prisma,
  ...activerecord,
  ...django,
  ...hibernate,
  ...sqlalchemy,
  ...plain,
];
