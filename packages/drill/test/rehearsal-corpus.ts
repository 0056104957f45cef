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

export const REHEARSAL_CORPUS: RehearsalCase[] = [...drizzle, ...prisma];
