import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not found" };

/** Every unknown address and every `notFound()` (an unknown service, environment or release), with HTTP 404. */
export default function NotFound() {
  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p>
        Rollgate has nothing at this address: no such service, environment or release. Check the link, or find the
        rollout on the overview.
      </p>
      <Link className="underline" href="/">
        Go to the overview
      </Link>
    </div>
  );
}
