// A drill run is a list of steps, each timed, each with what was expected and what happened.

export interface Step {
  scenario: "unsafe" | "safe" | "late-writes";
  index: number;
  title: string;
  /** Whether the step went as the drill expects (a failure the drill demonstrates counts as expected). */
  ok: boolean;
  /** What the system did: succeeded, or failed with the real error. */
  outcome: "succeeded" | "failed";
  detail: string;
  error?: string;
  startedAt: string;
  durationMs: number;
}

export class Timeline {
  readonly steps: Step[] = [];

  constructor(
    private readonly scenario: Step["scenario"],
    private readonly onStep: (step: Step) => void = () => {},
  ) {}

  /** Runs `work`; `expect` says whether success or failure is what the drill should see. */
  async step(title: string, expect: "succeeds" | "fails", work: () => Promise<string | void>): Promise<Step> {
    const started = new Date();
    const t0 = performance.now();
    let outcome: Step["outcome"] = "succeeded";
    let detail = "";
    let error: string | undefined;
    try {
      detail = (await work()) ?? "";
    } catch (e) {
      outcome = "failed";
      error = e instanceof Error ? e.message : String(e);
      detail = error;
    }
    const step: Step = {
      scenario: this.scenario,
      index: this.steps.length + 1,
      title,
      ok: (outcome === "succeeded") === (expect === "succeeds"),
      outcome,
      detail,
      ...(error ? { error } : {}),
      startedAt: started.toISOString(),
      durationMs: Math.round((performance.now() - t0) * 10) / 10,
    };
    this.steps.push(step);
    this.onStep(step);
    // PGlite's queries resolve as microtasks: without a turn of the event loop between steps, a drill run inside
    // the web server would hold every other request (and its own streamed steps) until it ended.
    await new Promise((resolve) => setImmediate(resolve));
    return step;
  }
}
