import type { ActionState } from "@/lib/action-state";
import { ActionForm } from "@/components/action-form";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";

interface Props {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  keys: RolloutKey;
  /** The contract script's SHA-256 as shown: the server refuses a decision if it changed since. */
  checksum: string;
  canWithdraw: boolean;
}

const BUTTON = "rounded px-3 py-1.5 text-sm font-medium focus-visible:ring-2 focus-visible:ring-sky-500";

/** Approve or reject with a comment; withdraw an earlier decision. */
export function ApprovalForm({ action, keys, checksum, canWithdraw }: Props) {
  return (
    <ActionForm action={action} hidden={{ ...keys, checksum }}>
      <label className="block text-sm">
        Comment
        <textarea
          name="comment"
          rows={2}
          className="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-950"
          placeholder="What you checked, or why you reject"
        />
      </label>
      <div className="flex flex-wrap gap-2">
        <button name="decision" value="approve" className={`${BUTTON} bg-emerald-700 text-white hover:bg-emerald-800`}>
          Approve contract
        </button>
        <button
          name="decision"
          value="reject"
          className={`${BUTTON} border border-red-700 text-red-800 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950`}
        >
          Reject
        </button>
        {canWithdraw ? (
          <button
            name="decision"
            value="withdraw"
            className={`${BUTTON} border border-slate-400 hover:bg-slate-100 dark:hover:bg-slate-800`}
          >
            Withdraw my decision
          </button>
        ) : null}
      </div>
    </ActionForm>
  );
}
