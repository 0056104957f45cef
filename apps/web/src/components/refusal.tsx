/** Why a signed-in person may not see a page, and what to do. */
export function Refusal({ message }: { message: string }) {
  return (
    <p role="alert" className="rounded border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950">
      {message}
    </p>
  );
}
