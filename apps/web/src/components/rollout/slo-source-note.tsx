import type { SloSource } from "@rollgate/core/policy";
import { LocalTime } from "@/components/local-time";

interface Props {
  source: SloSource;
  failures: Array<{ pulledAt: Date; error: string | null }>;
}

/** Where the charts' SLO data comes from, and the latest pulls that found none. */
export function SloSourceNote({ source, failures }: Props) {
  return (
    <div className="text-sm text-slate-600 dark:text-slate-300" data-slo-source={source.kind}>
      <p>
        Pulled from Prometheus (<code>{source.url}</code>) every {source.intervalSeconds} s while the rollout verifies.
        A break in a line is a gap longer than the {source.maxGapSeconds} s the policy allows.
      </p>
      {failures.length ? (
        <ul className="mt-1 list-disc pl-5">
          {failures.map((f) => (
            <li key={f.pulledAt.toISOString()}>
              <LocalTime at={f.pulledAt} />: {f.error}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
