const tone: Record<string, string> = {
  contracted: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200",
  contract_ready: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200",
  verifying: "bg-sky-100 text-sky-900 dark:bg-sky-900/40 dark:text-sky-200",
  rolling_out: "bg-sky-100 text-sky-900 dark:bg-sky-900/40 dark:text-sky-200",
  expand_failed: "bg-red-100 text-red-900 dark:bg-red-900/40 dark:text-red-200",
  contract_failed: "bg-red-100 text-red-900 dark:bg-red-900/40 dark:text-red-200",
  rolled_back: "bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200",
};

/** A rollout state as a readable pill (`rolling_out` → "rolling out"). */
export function StateBadge({ state }: { state: string }) {
  const classes = tone[state] ?? "bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200";
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${classes}`}>
      {state.replaceAll("_", " ")}
    </span>
  );
}
