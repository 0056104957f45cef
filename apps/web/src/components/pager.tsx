import Link from "next/link";

/**
 * Keyset pagination links: back to the newest entries, and on to older ones. There is no
 * page number on purpose: a page is "everything before this entry", which stays right while
 * new entries arrive.
 */
export function Pager({ newest, older, label }: { newest: string | null; older: string | null; label: string }) {
  if (!newest && !older) return null;
  return (
    <nav aria-label={`${label} pages`} className="flex gap-4 text-sm">
      {newest ? (
        <Link className="underline" href={newest}>
          ← Newest
        </Link>
      ) : null}
      {older ? (
        <Link className="underline" href={older} rel="next">
          Older →
        </Link>
      ) : null}
    </nav>
  );
}
