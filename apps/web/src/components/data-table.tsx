import type { ReactNode } from "react";

/**
 * A plain data table: a caption (visible or for screen readers), column headers, rows. On a
 * narrow screen the table scrolls sideways inside its own box (reachable by keyboard), so the
 * page itself never does.
 */
export function DataTable({
  caption,
  headers,
  children,
  showCaption = false,
}: {
  caption: string;
  headers: string[];
  children: ReactNode;
  showCaption?: boolean;
}) {
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={caption}>
      <table className="w-full text-left text-sm">
        <caption className={showCaption ? "text-left font-semibold" : "sr-only"}>{caption}</caption>
        <thead>
          <tr className="text-slate-500 dark:text-slate-400">
            {headers.map((h) => (
              <th key={h} scope="col" className="pr-3">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
