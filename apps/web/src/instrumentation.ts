// Runs once when the server starts (not during `next build`), in the Node.js runtime only:
// the background jobs run beside the web server in every replica (graphile-worker keeps them
// exactly once across replicas; ROLLGATE_WORKER=0 turns this off where `rollgate worker` runs
// them instead, the GitHub poll included). First it says whether the audit key is public and logs the audit key record (a copy
// the database cannot change).
export async function register(): Promise<void> {
  // eslint-disable-next-line no-restricted-properties -- Next sets NEXT_RUNTIME itself; it is not configuration
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { announceAuditKey } = await import("./server/admin/audit-key");
  announceAuditKey();
  const { startWebWorker } = await import("./server/jobs/start-worker");
  startWebWorker();
}
