"use client";

import { useActionState } from "react";
import type { ActionState } from "@/app/rollouts/[service]/[environment]/[release]/actions";

interface Props {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  keys: { service: string; environment: string; release: string };
  canWithdraw: boolean;
}

/** Approve or reject with a comment; withdraw an earlier decision. */
export function ApprovalForm({ action, keys, canWithdraw }: Props) {
  const [state, submit, pending] = useActionState(action, {});
  return (
    <form action={submit} className="space-y-3">
      {Object.entries(keys).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <label className="block text-sm">
        Comment
        <textarea name="comment" rows={2} className="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-950" placeholder="What you checked, or why you reject" />
      </label>
      <div className="flex flex-wrap gap-2">
        <button name="decision" value="approve" disabled={pending} className="rounded bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-800 focus-visible:ring-2 focus-visible:ring-sky-500 disabled:opacity-60">
          Approve contract
        </button>
        <button name="decision" value="reject" disabled={pending} className="rounded border border-red-700 px-3 py-1.5 text-sm font-medium text-red-800 hover:bg-red-50 focus-visible:ring-2 focus-visible:ring-sky-500 disabled:opacity-60 dark:text-red-300 dark:hover:bg-red-950">
          Reject
        </button>
        {canWithdraw ? (
          <button name="decision" value="withdraw" disabled={pending} className="rounded border border-slate-400 px-3 py-1.5 text-sm hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 disabled:opacity-60 dark:hover:bg-slate-800">
            Withdraw my decision
          </button>
        ) : null}
      </div>
      {state.error ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          {state.error}
        </p>
      ) : null}
      {state.done ? (
        <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
          {state.done}
        </p>
      ) : null}
    </form>
  );
}
