"use client";

import { startTransition, useActionState, type FormEvent, type ReactNode } from "react";
import type { ActionState } from "@/lib/action-state";

interface Props {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  hidden: Record<string, string>;
  /** The submit button's label; omit when the children bring their own buttons. */
  submit?: string;
  children?: ReactNode;
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
  const button =
    tone === "danger"
      ? "bg-red-700 text-white hover:bg-red-800"
      : "bg-slate-900 text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900";
  return (
    <form onSubmit={onSubmit} className="space-y-3">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
      {submit ? (
        <button
          disabled={pending}
          className={`rounded px-3 py-1.5 text-sm font-medium focus-visible:ring-2 focus-visible:ring-sky-500 disabled:opacity-60 ${button}`}
        >
          {submit}
        </button>
      ) : null}
      {state.error ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          {state.error}
        </p>
      ) : null}
      {state.fields?.length ? (
        <ul role="alert" aria-label="Field errors" className="list-disc pl-5 text-sm text-red-800 dark:text-red-300">
          {state.fields.map((f) => (
            <li key={`${f.path}:${f.message}`}>
              <code className="font-mono">{f.path || "(whole policy)"}</code>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
      {state.reveal ? (
        <dl
          role="status"
          aria-label="Shown once"
          className="space-y-1 rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950"
        >
          <dt className="font-medium">Copy these now: Rollgate cannot show them again.</dt>
          {Object.entries(state.reveal).map(([k, v]) => (
            <dd key={k}>
              {k}: <code className="break-all font-mono">{v}</code>
            </dd>
          ))}
        </dl>
      ) : null}
      {state.done ? (
        <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
          {state.done}
        </p>
      ) : null}
    </form>
  );
}
