/** The look of a text input or select in the dashboard's forms. */
export const INPUT =
  "mt-1 block rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950";
