import type { ReactNode } from "react";

/** A plain data table: a caption (visible or for screen readers), column headers, rows. */
export function DataTable({ caption, headers, children, showCaption = false }: { caption: string; headers: string[]; children: ReactNode; showCaption?: boolean }) {
  return (
    <table className="w-full text-left text-sm">
      <caption className={showCaption ? "text-left font-semibold" : "sr-only"}>{caption}</caption>
      <thead>
        <tr className="text-slate-500 dark:text-slate-400">
          {headers.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
