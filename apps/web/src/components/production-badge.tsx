/** Marks a production-like environment (the flag on the environment, not its name); styles are `.production-badge` in globals.css. */
export function ProductionBadge({ productionLike }: { productionLike: boolean }) {
  if (!productionLike) return null;
  return (
    <span
      className="production-badge"
      title="Production-like: production's policy defaults, and overrides wait for a second person unless the policy says otherwise. An admin sets this on the Policies page."
    >
      production-like
    </span>
  );
}
