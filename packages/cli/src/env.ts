import { z } from "zod";
import { UsageError } from "./io.ts";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";

// The CLI's settings: where Rollgate is and the pipeline's credentials.
const schema = z.object({
  ROLLGATE_URL: z.url({ message: "ROLLGATE_URL must be the Rollgate server's URL, e.g. https://rollgate.example.com" }),
  ROLLGATE_TOKEN: z.string().min(1, "ROLLGATE_TOKEN must hold the API token (rg_…)"),
  ROLLGATE_SECRET: z.string().startsWith("whsec_", "ROLLGATE_SECRET must hold the signing secret (whsec_…)"),
});

export type CliEnv = z.infer<typeof schema>;

export function readCliEnv(source: Record<string, string | undefined> = process.env): CliEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

/** `--service`/`--environment`/`--release`, falling back to ROLLGATE_SERVICE, … for pipelines. */
export function rolloutKeys(
  values: { service?: string; environment?: string; release?: string },
  source: Record<string, string | undefined> = process.env,
) {
  const keys = {
    service: values.service ?? source.ROLLGATE_SERVICE,
    environment: values.environment ?? source.ROLLGATE_ENVIRONMENT,
    release: values.release ?? source.ROLLGATE_RELEASE,
  };
  for (const [name, value] of Object.entries(keys))
    if (!value) throw new UsageError(`give --${name} (or set ROLLGATE_${name.toUpperCase()}).`);
  return keys as RolloutKey;
}

/** The application's database for `inspect` and `run`: `--database-url`, else ROLLGATE_DATABASE_URL. */
export function applicationDatabaseUrl(
  flag: string | undefined,
  source: Record<string, string | undefined> = process.env,
): string | undefined {
  return flag ?? source.ROLLGATE_DATABASE_URL;
}

/** Who holds a lease, as the pipeline names itself (a job URL where the CI system gives one). */
export function leaseHolder(fallback: string, source: Record<string, string | undefined> = process.env): string {
  const ghRun =
    source.GITHUB_RUN_ID && source.GITHUB_REPOSITORY
      ? `${source.GITHUB_SERVER_URL ?? "https://github.com"}/${source.GITHUB_REPOSITORY}/actions/runs/${source.GITHUB_RUN_ID}`
      : undefined;
  return source.CI_JOB_URL ?? ghRun ?? fallback;
}

/** The environment a `lint --format markdown` report describes: --environment, else ROLLGATE_ENVIRONMENT, else production. */
export function reportEnvironment(
  value: string | undefined,
  source: Record<string, string | undefined> = process.env,
): string {
  return value ?? source.ROLLGATE_ENVIRONMENT ?? "production";
}

/** The rollout keys given so far (flags, else ROLLGATE_SERVICE, …), each possibly missing: for commands that work without them. */
export function partialRolloutKeys(
  values: { service?: string; environment?: string; release?: string },
  source: Record<string, string | undefined> = process.env,
): Partial<RolloutKey> {
  return {
    service: values.service ?? source.ROLLGATE_SERVICE,
    environment: values.environment ?? source.ROLLGATE_ENVIRONMENT,
    release: values.release ?? source.ROLLGATE_RELEASE,
  };
}

/** ROLLGATE_URL and ROLLGATE_TOKEN when set, unchecked: for a read that needs no signing secret. */
export function readerSettings(source: Record<string, string | undefined> = process.env): {
  url?: string;
  token?: string;
} {
  return { url: source.ROLLGATE_URL || undefined, token: source.ROLLGATE_TOKEN || undefined };
}
