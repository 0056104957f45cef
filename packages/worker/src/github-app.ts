import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import { App } from "@octokit/app";
import { Octokit } from "@octokit/core";
import { redactSecrets } from "@rollgate/core/integrations/destination";
import { GithubAnswerError, type Answer, type GithubSettings } from "@rollgate/app/github/github-settings";
import { outboundFetch } from "./outbound.ts";

// One octokit App per configuration, kept on globalThis (Next bundles route handlers and
// pages separately; see TOOLCHAIN.md), so installation tokens are cached and reused.

/**
 * How long one answer to GitHub may take, the installation token included: the webhook answers a
 * decided rule at once, and GitHub gives up on a webhook after 10 s. Past it the answer is retried
 * by the `github_poll` job, with backoff.
 */
export const GITHUB_ANSWER_DEADLINE_MS = 5_000;

/**
 * The deadline of the answer in progress; every request of the App (the token's too) is bound by
 * it. On globalThis like the Apps it binds: the App one bundle made may answer for another.
 */
const DEADLINE = Symbol.for("rollgate.github-deadline");
const deadline = ((globalThis as Record<symbol, AsyncLocalStorage<AbortSignal>>)[DEADLINE] ??=
  new AsyncLocalStorage<AbortSignal>());

function bounded(fetchImpl: typeof fetch): typeof fetch {
  return (input, init = {}) => {
    const signal = deadline.getStore();
    if (!signal) return fetchImpl(input, init);
    return fetchImpl(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal });
  };
}

const CACHE = Symbol.for("rollgate.github-app");
type Cache = Map<string, App>;
const cache = (): Cache => ((globalThis as Record<symbol, Cache>)[CACHE] ??= new Map());

function appFor(settings: GithubSettings, allowPrivate: boolean): App {
  const key = createHash("sha256")
    .update(`${settings.appId}\0${settings.apiBaseUrl}\0${settings.privateKey}\0${allowPrivate}`)
    .digest("hex");
  let app = cache().get(key);
  if (!app) {
    app = new App({
      appId: settings.appId,
      privateKey: settings.privateKey,
      // Every request (the App's JWT, the installation token) goes through the destination guard.
      Octokit: Octokit.defaults({
        baseUrl: settings.apiBaseUrl,
        userAgent: "rollgate",
        request: { fetch: bounded(outboundFetch({ allowPrivate })) },
      }),
    });
    cache().clear();
    cache().set(key, app);
  }
  return app;
}

const CALLBACK_PATH = /\/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+\/deployment_protection_rule$/;

/**
 * The callback's API path. Only the path of the event's `deployment_callback_url` is used,
 * on the configured API base URL: the installation token never goes to another host.
 */
export function callbackPath(callbackUrl: string): string | null {
  try {
    return CALLBACK_PATH.exec(new URL(callbackUrl).pathname)?.[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * The GitHub use cases' `answer`: posts `approved` or `rejected` to the protection rule's callback
 * as the App's installation, through the destination guard (`allowPrivate`: ROLLGATE_ALLOW_PRIVATE_DESTINATIONS).
 */
export const githubAnswer =
  (options: { allowPrivate: boolean }): Answer =>
  (settings, params) =>
    answerProtectionRule(settings, params, options.allowPrivate);

async function answerProtectionRule(
  settings: GithubSettings,
  params: Parameters<Answer>[1],
  allowPrivate: boolean,
): Promise<void> {
  const path = callbackPath(params.callbackUrl);
  if (!path) throw new GithubAnswerError("the deployment_callback_url is not a protection-rule callback", false);
  const signal = AbortSignal.timeout(GITHUB_ANSWER_DEADLINE_MS);
  try {
    await deadline.run(signal, async () => {
      const octokit = await appFor(settings, allowPrivate).getInstallationOctokit(params.installationId);
      await octokit.request(`POST ${path}`, {
        environment_name: params.environmentName,
        state: params.state,
        comment: params.comment,
      });
    });
  } catch (error) {
    if (signal.aborted)
      throw new GithubAnswerError(`GitHub did not answer within ${GITHUB_ANSWER_DEADLINE_MS / 1000} s`, true);
    const status = (error as { status?: number }).status;
    // 401/403: the App's settings are wrong or it lacks permission (an admin can fix that); 429 and 5xx pass.
    const retry = status === undefined || status >= 500 || status === 429 || status === 401 || status === 403;
    throw new GithubAnswerError(
      redactSecrets(`GitHub answered ${status ?? "nothing"}: ${(error as Error).message}`, [
        settings.privateKey,
        settings.webhookSecret,
      ]).slice(0, 500),
      retry,
    );
  }
}
