"use client";

import { startTransition, useActionState, type FormEvent, type ReactNode } from "react";
import type { ActionState } from "@/app/rollouts/[service]/[environment]/[release]/actions";

interface Props {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  hidden: Record<string, string>;
  /** The submit button's label; omit when the children bring their own buttons. */
  submit?: string;
  children: ReactNode;
  tone?: "danger" | "plain";
}

/** A server-action form that shows the server's sentence: what failed, or what was done. */
export function ActionForm({ action, hidden, submit, children, tone = "plain" }: Props) {
  const [state, send, pending] = useActionState(action, {});
  // Submitted by hand rather than with `action=`, so React does not reset the form: after a
  // refusal the person fixes what they typed instead of typing it all again.
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter);
    startTransition(() => send(data));
  };
  const button = tone === "danger" ? "bg-red-700 text-white hover:bg-red-800" : "bg-slate-900 text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900";
  return (
    <form onSubmit={onSubmit} className="space-y-3">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
      {submit ? (
        <button disabled={pending} className={`rounded px-3 py-1.5 text-sm font-medium focus-visible:ring-2 focus-visible:ring-sky-500 disabled:opacity-60 ${button}`}>
          {submit}
        </button>
      ) : null}
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
