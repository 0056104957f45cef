/** Each state's colour; the pill's styles are `.state-badge` in globals.css (the overview draws hundreds). */
const tone: Record<string, string> = {
  contracted: "done",
  contract_ready: "done",
  verifying: "moving",
  rolling_out: "moving",
  expand_failed: "failed",
  contract_failed: "failed",
  rolled_back: "back",
};

/** A rollout state as a readable pill (`rolling_out` → "rolling out"). */
export function StateBadge({ state }: { state: string }) {
  return (
    <span className="state-badge" data-tone={tone[state] ?? "other"}>
      {state.replaceAll("_", " ")}
    </span>
  );
}
