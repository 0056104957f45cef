import type { GateCheck } from "@rollgate/core/gate";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import type { ActionState } from "@/lib/action-state";
import { ActionForm } from "@/components/action-form";
import { LocalTime } from "@/components/local-time";

interface OverrideRow {
  id: string;
  kind: string;
  confirmedAt: Date | null;
  confirmerEmail: string | null;
  fixName: string | null;
  fixChecksum: string | null;
  actorId: string;
  actorEmail: string;
  justification: string;
  checks: string[];
  createdAt: Date;
  expiresAt: Date;
  reviewedAt: Date | null;
  reviewerEmail: string | null;
  reviewNote: string | null;
}

interface Props {
  keys: RolloutKey;
  /** The page's server actions: break glass, confirm as the second person, authorise a recovery run, review. */
  actions: Record<
    "breakGlass" | "confirm" | "recovery" | "review",
    (state: ActionState, form: FormData) => Promise<ActionState>
  >;
  /** Failing checks break-glass may override (never approvals, the lease or expand safety). */
  open: GateCheck[];
  /** After a failed migration: whether this person may authorise a recovery run. */
  canRecover: boolean;
  /** Overrides this person may confirm as the second person. */
  confirmable: string[];
  overrides: OverrideRow[];
  userId: string;
  maxMinutes: number;
}

/** Emergency override of failing checks, and the review items it leaves behind. */
export function BreakGlassPanel({
  keys,
  actions,
  open,
  canRecover,
  confirmable,
  overrides,
  userId,
  maxMinutes,
}: Props) {
  return (
    <section
      aria-labelledby="glass-heading"
      className="rounded-lg border border-red-200 bg-white p-4 dark:border-red-900 dark:bg-slate-900"
    >
      <h2 id="glass-heading" className="text-lg font-semibold text-red-800 dark:text-red-300">
        Break glass
      </h2>
      <ul className="my-2 space-y-2 text-sm">
        {overrides.map((o) => (
          <li key={o.id} className="rounded border border-red-200 p-2 dark:border-red-900">
            <p>
              {o.kind === "recovery" ? (
                <>
                  <span className="font-medium">{o.actorEmail}</span> authorised a recovery run of {o.fixName} (SHA-256{" "}
                  <span className="font-mono">{o.fixChecksum?.slice(0, 12)}…</span>) until{" "}
                  <LocalTime at={o.expiresAt} />: “{o.justification}”
                </>
              ) : (
                <>
                  <span className="font-medium">{o.actorEmail}</span> overrode {o.checks.join(", ")} until{" "}
                  <LocalTime at={o.expiresAt} />: “{o.justification}”
                </>
              )}
            </p>
            {o.confirmedAt ? (
              o.confirmerEmail ? (
                <p className="text-slate-600 dark:text-slate-300">Confirmed by {o.confirmerEmail}.</p>
              ) : null
            ) : confirmable.includes(o.id) ? (
              <ActionForm
                action={actions.confirm}
                hidden={{ ...keys, overrideId: o.id }}
                submit="Confirm as the second person"
                tone="danger"
              />
            ) : (
              <p className="font-medium text-amber-700 dark:text-amber-300">
                Not in effect: waiting for a second person to confirm it.
              </p>
            )}
            {o.reviewedAt ? (
              <p className="text-slate-600 dark:text-slate-300">
                Reviewed by {o.reviewerEmail}: “{o.reviewNote}”
              </p>
            ) : o.actorId === userId ? (
              <p className="text-amber-700 dark:text-amber-300">Awaiting review by someone else.</p>
            ) : (
              <ActionForm action={actions.review} hidden={{ ...keys, overrideId: o.id }} submit="Mark reviewed">
                <label className="block">
                  Review note
                  <input
                    name="note"
                    className="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950"
                  />
                </label>
              </ActionForm>
            )}
          </li>
        ))}
      </ul>
      {open.length ? (
        <ActionForm action={actions.breakGlass} hidden={keys} submit="Override these checks" tone="danger">
          <fieldset className="text-sm">
            <legend className="font-medium">Checks to override</legend>
            {open.map((c) => (
              <label key={c.id} className="mr-4 inline-flex items-center gap-1">
                <input type="checkbox" name="checks" value={c.id} /> {c.title}
              </label>
            ))}
          </fieldset>
          <Justification label="Justification (a full sentence: why this cannot wait)" maxMinutes={maxMinutes} />
        </ActionForm>
      ) : null}
      {canRecover ? (
        <ActionForm action={actions.recovery} hidden={keys} submit="Authorise this recovery run" tone="danger">
          <p className="text-sm">
            The migration failed. Authorise one run of a fix script; approvals of the failed script do not carry over,
            and the pipeline takes a recovery lease for exactly this script.
          </p>
          <label className="block text-sm">
            Fix name
            <input
              name="name"
              defaultValue="fix"
              className="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950"
            />
          </label>
          <label className="block text-sm">
            Fix script (SQL)
            <textarea
              name="sql"
              rows={4}
              className="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1.5 font-mono dark:border-slate-700 dark:bg-slate-950"
            />
          </label>
          <Justification label="Justification (a full sentence)" maxMinutes={maxMinutes} />
        </ActionForm>
      ) : null}
    </section>
  );
}

/** Why, and for how long: every override and recovery run asks both. */
function Justification({ label, maxMinutes }: { label: string; maxMinutes: number }) {
  return (
    <>
      <label className="block text-sm">
        {label}
        <textarea
          name="justification"
          rows={2}
          className="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-950"
        />
      </label>
      <label className="block text-sm">
        For how many minutes (at most {maxMinutes})
        <input
          name="minutes"
          type="number"
          min={1}
          max={maxMinutes}
          defaultValue={Math.min(60, maxMinutes)}
          className="mt-1 block w-32 rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950"
        />
      </label>
    </>
  );
}
