// Next calls register() once when the server starts (not during `next build`'s page-data
// collection of routes). The Node.js runtime only: the poller uses the database.
export async function register(): Promise<void> {
  // eslint-disable-next-line no-restricted-properties -- Next's own runtime marker, not configuration
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startGithubPoller } = await import("./server/integrations/github/poller");
  startGithubPoller();
}
