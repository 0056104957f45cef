/** Grey blocks in the shape of what is loading. */
export function Skeleton({ blocks = 3 }: { blocks?: number }) {
  return (
    <div role="status" aria-label="Loading" className="animate-pulse space-y-4">
      <div className="h-8 w-1/3 rounded bg-slate-200 dark:bg-slate-800" />
      {Array.from({ length: blocks }, (_, i) => (
        <div key={i} className="h-32 rounded-lg bg-slate-200 dark:bg-slate-800" />
      ))}
    </div>
  );
}
