"use client";

import type { DrillEvidence, Step } from "@rollgate/drill";
import { useState } from "react";

/** Runs the drill on the server and shows each step as it happens. */
export function DrillRunner() {
  const [scenario, setScenario] = useState<"both" | "unsafe" | "safe" | "late-writes" | "all">("both");
  const [steps, setSteps] = useState<Step[]>([]);
  const [evidence, setEvidence] = useState<DrillEvidence | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setRunning(true);
    setSteps([]);
    setEvidence(null);
    setError(null);
    try {
      const response = await fetch("/api/drill", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ scenario }),
      });
      if (!response.body) throw new Error("The server sent no drill output.");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines.filter(Boolean)) {
          const message = JSON.parse(line) as { step?: Step; evidence?: DrillEvidence; error?: string };
          if (message.step) setSteps((s) => [...s, message.step!]);
          if (message.evidence) setEvidence(message.evidence);
          if (message.error) setError(message.error);
        }
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setRunning(false);
    }
  }

  const download = evidence
    ? `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(evidence, null, 2))}`
    : null;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col text-sm">
          Scenario
          <select
            value={scenario}
            onChange={(e) => setScenario(e.target.value as typeof scenario)}
            className="mt-1 rounded border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-900"
          >
            <option value="both">Both: the incident, then the safe sequence</option>
            <option value="unsafe">Unsafe: app and column drop in one release</option>
            <option value="safe">Safe: expand, flag, window, gate, contract</option>
            <option value="late-writes">Late writes: the old version kept writing after the backfill</option>
            <option value="all">All three</option>
          </select>
        </label>
        <button
          type="button"
          onClick={run}
          disabled={running}
          className="rounded bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 disabled:opacity-60 dark:bg-slate-100 dark:text-slate-900"
        >
          {running ? "Running…" : "Run drill"}
        </button>
        {download ? (
          <a href={download} download={`rollgate-drill-${evidence!.id}.json`} className="text-sm underline">
            Download evidence (JSON)
          </a>
        ) : null}
      </div>
      {error ? (
        <p
          role="alert"
          className="rounded border border-red-300 bg-red-50 p-3 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          The drill could not run: {error}
        </p>
      ) : null}
      <ol aria-label="Drill timeline" aria-live="polite" className="space-y-2">
        {steps.map((s) => (
          <li
            key={`${s.scenario}-${s.index}`}
            className="rounded border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
          >
            <div className="flex flex-wrap items-baseline gap-2">
              <span
                aria-label={s.ok ? "as expected" : "not as expected"}
                className={s.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}
              >
                {s.ok ? "✓" : "✗"}
              </span>
              <span className="text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">{s.scenario}</span>
              <span className="font-medium">{s.title}</span>
              <span className="ml-auto text-xs text-slate-500 dark:text-slate-400">
                {s.outcome} · {s.durationMs} ms
              </span>
            </div>
            {s.detail ? (
              <p
                className={`mt-1 text-sm ${s.error ? "font-mono text-red-800 dark:text-red-300" : "text-slate-600 dark:text-slate-300"}`}
              >
                {s.detail}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
      {evidence ? (
        <p role="status" className="font-medium">
          {evidence.passed ? "Drill complete: every step went as expected." : "Some steps did not go as expected."}
          {evidence.unsafe
            ? ` The image rollback could not save v1, and restoring the backup lost ${evidence.unsafe.lostWrites} writes.`
            : ""}
          {evidence.safe
            ? ` After the contract, rolling back to ${evidence.safe.eligibility.targetVersion} is ${evidence.safe.eligibility.verdict}.`
            : ""}
        </p>
      ) : null}
    </div>
  );
}
