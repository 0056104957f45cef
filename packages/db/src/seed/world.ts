// The demo world: three services, staging and production, and releases in every phase
// a release manager meets. Times are offsets from "now" so the demo always looks alive.

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export interface StoryStep {
  /** Hours before now. */
  hoursAgo: number;
  type:
    | "migration.started"
    | "migration.succeeded"
    | "migration.failed"
    | "app.deployed"
    | "app.rolled_back"
    | "flag.changed";
  data: Record<string, unknown>;
}

export interface DemoRollout {
  environment: "staging" | "production";
  steps: StoryStep[];
  /** Approvals of the contract script by these demo users. */
  approvedBy?: string[];
}

export interface DemoRelease {
  service: string;
  key: string;
  title: string;
  author: string;
  appVersion: string;
  previousVersion: string;
  manifest: string[];
  previousManifest: string[];
  expandSql: string;
  contractSql: string;
  rollouts: DemoRollout[];
}

export const demoServices = [
  { slug: "billing-api", name: "Billing API", description: "Invoices, payments and dunning" },
  { slug: "accounts-api", name: "Accounts API", description: "Sign-up, profiles and login" },
  { slug: "search-indexer", name: "Search indexer", description: "Full-text index of documents" },
];

export const demoUsers = [
  { email: "rita.release@example.com", name: "Rita Release", role: "release_manager" },
  { email: "amir.approver@example.com", name: "Amir Approver", role: "approver" },
  { email: "olga.oncall@example.com", name: "Olga On-call", role: "on_call" },
  { email: "dev.author@example.com", name: "Dev Author", role: "viewer" },
  { email: "admin@example.com", name: "Ada Admin", role: "admin" },
];

/** A whole expand → deploy → ramp sequence starting `start` hours ago. */
function shipped(start: number, version: string, manifest: string[], name: string): StoryStep[] {
  return [
    { hoursAgo: start, type: "migration.started", data: { phase: "expand", name: `${name}_expand` } },
    {
      hoursAgo: start - 0.05,
      type: "migration.succeeded",
      data: { phase: "expand", name: `${name}_expand`, durationMs: 2140, exitCode: 0 },
    },
    { hoursAgo: start - 0.5, type: "app.deployed", data: { version, manifest } },
    { hoursAgo: start - 1, type: "flag.changed", data: { flag: name, percent: 10 } },
    { hoursAgo: start - 2, type: "flag.changed", data: { flag: name, percent: 50 } },
    { hoursAgo: start - 3, type: "flag.changed", data: { flag: name, percent: 100 } },
  ];
}

function contracted(at: number, name: string): StoryStep[] {
  return [
    { hoursAgo: at, type: "migration.started", data: { phase: "contract", name: `${name}_contract` } },
    {
      hoursAgo: at - 0.02,
      type: "migration.succeeded",
      data: { phase: "contract", name: `${name}_contract`, durationMs: 830, exitCode: 0 },
    },
  ];
}

export const demoReleases: DemoRelease[] = [
  {
    service: "billing-api",
    key: "2026.11.1",
    title: "Split customer name into first and last name",
    author: "dev.author@example.com",
    appVersion: "5.2.0",
    previousVersion: "5.1.4",
    previousManifest: ["customers.id", "customers.full_name", "invoices.customer_id"],
    manifest: ["customers.id", "customers.first_name", "customers.last_name", "invoices.customer_id"],
    expandSql:
      "SET lock_timeout = '3s';\nALTER TABLE customers ADD COLUMN IF NOT EXISTS first_name text;\nALTER TABLE customers ADD COLUMN IF NOT EXISTS last_name text;\n",
    contractSql: "SET lock_timeout = '3s';\nALTER TABLE customers DROP COLUMN IF EXISTS full_name;\n",
    rollouts: [
      {
        environment: "staging",
        steps: [
          ...shipped(
            340,
            "5.2.0",
            ["customers.id", "customers.first_name", "customers.last_name", "invoices.customer_id"],
            "split_name",
          ),
          ...contracted(330, "split_name"),
        ],
        approvedBy: ["amir.approver@example.com"],
      },
      {
        environment: "production",
        steps: [
          ...shipped(
            320,
            "5.2.0",
            ["customers.id", "customers.first_name", "customers.last_name", "invoices.customer_id"],
            "split_name",
          ),
          ...contracted(240, "split_name"),
        ],
        approvedBy: ["amir.approver@example.com", "rita.release@example.com"],
      },
    ],
  },
  {
    service: "billing-api",
    key: "2026.11.2",
    title: "Move invoice e-mail to billing_email",
    author: "dev.author@example.com",
    appVersion: "5.3.0",
    previousVersion: "5.2.0",
    previousManifest: [
      "customers.id",
      "customers.first_name",
      "customers.last_name",
      "invoices.customer_id",
      "invoices.email",
    ],
    manifest: [
      "customers.id",
      "customers.first_name",
      "customers.last_name",
      "invoices.customer_id",
      "invoices.billing_email",
    ],
    expandSql:
      "SET lock_timeout = '3s';\nALTER TABLE invoices ADD COLUMN IF NOT EXISTS billing_email text;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_billing_email_idx ON invoices (billing_email);\n",
    contractSql: "SET lock_timeout = '3s';\nALTER TABLE invoices DROP COLUMN IF EXISTS email;\n",
    rollouts: [
      {
        environment: "staging",
        steps: [
          ...shipped(60, "5.3.0", ["invoices.customer_id", "invoices.billing_email"], "billing_email"),
          ...contracted(50, "billing_email"),
        ],
        approvedBy: ["amir.approver@example.com"],
      },
      // Inside its 72 h rollback window, with about 40 hours left.
      {
        environment: "production",
        steps: shipped(35, "5.3.0", ["invoices.customer_id", "invoices.billing_email"], "billing_email"),
        approvedBy: ["amir.approver@example.com"],
      },
    ],
  },
  {
    service: "accounts-api",
    key: "2026.11.4",
    title: "Replace users.email with users.email_address",
    author: "dev.author@example.com",
    appVersion: "3.4.0",
    previousVersion: "3.3.2",
    previousManifest: ["users.id", "users.email", "users.password_hash"],
    manifest: ["users.id", "users.email_address", "users.password_hash"],
    expandSql:
      "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text;\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_address_key ON users (email_address);\n",
    contractSql: "SET lock_timeout = '3s';\nALTER TABLE users DROP COLUMN IF EXISTS email;\n",
    rollouts: [
      {
        environment: "staging",
        steps: [
          ...shipped(120, "3.4.0", ["users.id", "users.email_address", "users.password_hash"], "email_address"),
          ...contracted(110, "email_address"),
        ],
        approvedBy: ["amir.approver@example.com"],
      },
      // Window over, SLOs held: waiting for its second approval.
      {
        environment: "production",
        steps: shipped(90, "3.4.0", ["users.id", "users.email_address", "users.password_hash"], "email_address"),
        approvedBy: ["amir.approver@example.com"],
      },
    ],
  },
  {
    service: "search-indexer",
    key: "2026.11.6",
    title: "Rename documents.body to documents.content",
    author: "rita.release@example.com",
    appVersion: "1.9.0",
    previousVersion: "1.8.3",
    previousManifest: ["documents.id", "documents.body"],
    manifest: ["documents.id", "documents.content"],
    expandSql: "SET lock_timeout = '3s';\nALTER TABLE documents ADD COLUMN IF NOT EXISTS content text;\n",
    contractSql: "SET lock_timeout = '3s';\nALTER TABLE documents DROP COLUMN IF EXISTS body;\n",
    rollouts: [
      {
        environment: "production",
        // The new version misbehaved at 50 %: the app was rolled back inside the window.
        steps: [
          ...shipped(30, "1.9.0", ["documents.id", "documents.content"], "documents_content").slice(0, 5),
          { hoursAgo: 26, type: "app.rolled_back", data: { version: "1.8.3" } },
        ],
      },
    ],
  },
  {
    service: "search-indexer",
    key: "2026.11.7",
    title: "Add a tsvector column for ranking",
    author: "dev.author@example.com",
    appVersion: "1.10.0",
    previousVersion: "1.8.3",
    previousManifest: ["documents.id", "documents.body"],
    manifest: ["documents.id", "documents.body", "documents.search_vector"],
    expandSql:
      "ALTER TABLE documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED;\n",
    contractSql: "",
    rollouts: [
      {
        environment: "staging",
        steps: [
          { hoursAgo: 4, type: "migration.started", data: { phase: "expand", name: "search_vector_expand" } },
          {
            hoursAgo: 3.9,
            type: "migration.failed",
            data: {
              phase: "expand",
              name: "search_vector_expand",
              durationMs: 301_000,
              exitCode: 1,
              logTail: "ERROR:  canceling statement due to lock timeout",
            },
          },
        ],
      },
    ],
  },
];
