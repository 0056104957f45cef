import "server-only";
import { createHash } from "node:crypto";
import { gateDecisionKey, nextGateChange } from "@rollgate/core/gate";
import type { DbHandle } from "@rollgate/db/client";
import type { RolloutKeys } from "@rollgate/db/queries/rollouts";
import { database } from "@rollgate/db/runtime";
import { now } from "../clock";
import { logError } from "../errors";
import { metrics } from "../metrics";
import { evaluateRolloutGate, gateJson, rolloutOr404 } from "@rollgate/app/gate/evaluate-rollout-gate";

/** Channel that migration 0010's triggers notify; payloads `r:<rollout>`, `rel:<release>`, `e:<environment>`, `*`. */
export const GATE_CHANNEL = "rollgate_gate";

export interface GateSnapshot {
  body: ReturnType<typeof gateJson>;
  /** The body serialised once for every waiter it answers. */
  text: string;
  /** Weak entity tag of the decision (`W/"…"`): equal tags, equivalent verdicts. */
  etag: string;
}

export type WaitResult = { changed: true; snapshot: GateSnapshot } | { changed: false; etag: string };

interface Watch {
  keys: RolloutKeys;
  /** The notification payloads that concern this rollout. */
  topics: Set<string>;
  current: GateSnapshot | null;
  waiters: Set<(snapshot: GateSnapshot) => void>;
  /** Requests inside `wait` (parked or still evaluating): the watch lives while there are any. */
  users: number;
  evaluating: Promise<GateSnapshot> | null;
  again: boolean;
  timer: NodeJS.Timeout | null;
  idle: NodeJS.Timeout | null;
  /** While set, an open gate has been handed to one waiter and the others are held back. */
  handoff: NodeJS.Timeout | null;
}

export interface GateWaitersOptions {
  handle: Pick<DbHandle, "db" | "listen">;
  now: () => Date;
  /** Longest time a verdict is trusted without a notification or a known deadline. */
  recheckMs?: number;
  /** How long a watch outlives its last waiter, so the re-poll after an answer finds it. */
  lingerMs?: number;
  /** How long the others wait for the first waiter of an open gate to take the lease. */
  handoffMs?: number;
  /** Metrics: an evaluation made, requests parked (+1) or answered (−1). */
  observe?: { evaluated(): void; parked(delta: number): void };
}

/**
 * Every waiter of one rollout in this process shares one evaluation per change: a watch keeps
 * the latest verdict and the set of parked requests, and re-evaluates only when a notification
 * names the rollout (any replica, the worker, an admin), at the next instant the verdict can
 * change by time alone, or after `recheckMs` as a safety net. A waiter whose tag is current
 * costs a parked promise and a timer; nothing runs while nothing changes.
 */
export function createGateWaiters(options: GateWaitersOptions) {
  const recheckMs = options.recheckMs ?? 60_000;
  const lingerMs = options.lingerMs ?? 10_000;
  const handoffMs = options.handoffMs ?? 2_000;
  const watches = new Map<string, Watch>();
  /** Each parked request's way to answer as its timeout would. */
  const parked = new Set<() => void>();
  let draining = false;
  let listening: Promise<unknown> | null = null;
  let evaluations = 0;

  function listen(): Promise<unknown> {
    listening ??= options.handle
      .listen(
        GATE_CHANNEL,
        (payload) => {
          for (const w of watches.values())
            if (payload === "*" || w.topics.has(payload)) void refresh(w).catch(() => {});
        },
        // (Re)subscribed: whatever was notified meanwhile is lost, so every watch looks again.
        () => {
          for (const w of watches.values()) if (w.current) void refresh(w).catch(() => {});
        },
      )
      .catch((error: unknown) => {
        listening = null;
        throw error;
      });
    return listening;
  }

  async function evaluate(w: Watch): Promise<GateSnapshot> {
    evaluations += 1;
    options.observe?.evaluated();
    const now = options.now();
    const gate = await evaluateRolloutGate(options.handle.db, await rolloutOr404(options.handle.db, w.keys), now);
    const body = gateJson(w.keys, gate);
    const { rollout, release } = gate.row;
    w.topics = new Set([`r:${rollout.id}`, `rel:${release.id}`, `e:${rollout.environmentId}`]);
    const next = nextGateChange(gate.facts, gate.policy, gate.verdict, now);
    schedule(w, next ? Math.min(recheckMs, next.getTime() - now.getTime() + 5) : recheckMs);
    return {
      body,
      text: JSON.stringify(body),
      etag: `W/"${createHash("sha256").update(gateDecisionKey(body)).digest("base64url").slice(0, 27)}"`,
    };
  }

  function schedule(w: Watch, ms: number) {
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(() => void refresh(w).catch(() => {}), Math.max(0, ms));
    w.timer.unref();
  }

  /** One evaluation at a time per watch; a change announced during one runs one more after it. */
  function refresh(w: Watch): Promise<GateSnapshot> {
    if (w.evaluating) {
      w.again = true;
      return w.evaluating;
    }
    w.evaluating = (async () => {
      try {
        for (;;) {
          w.again = false;
          const snapshot = await evaluate(w);
          const changed = w.current?.etag !== snapshot.etag;
          w.current = snapshot;
          if (changed) wake(w, snapshot);
          if (!w.again) return snapshot;
        }
      } catch (error) {
        if (w.waiters.size > 0) {
          logError("could not re-evaluate a gate for its waiters", error);
          schedule(w, 5_000);
        }
        throw error;
      } finally {
        w.evaluating = null;
        forget(w);
      }
    })();
    return w.evaluating;
  }

  /**
   * Answers the parked requests with a new verdict. An open gate goes to the longest-waiting
   * one alone: every waiter would ask for the lease at once and all but one be refused, and a
   * thousand lease requests at once delay the one that matters. The others are answered by the
   * next change (the lease taken: a closed gate naming its holder) or, should the first not
   * take it, with the open gate after `handoffMs`.
   */
  function wake(w: Watch, snapshot: GateSnapshot) {
    if (w.handoff) clearTimeout(w.handoff);
    w.handoff = null;
    const waiters = [...w.waiters];
    const [first] = waiters;
    if (snapshot.body.allowed && first && waiters.length > 1) {
      w.waiters.delete(first);
      first(snapshot);
      w.handoff = setTimeout(() => {
        w.handoff = null;
        if (w.current === snapshot) wake(w, snapshot);
      }, handoffMs);
      return;
    }
    w.waiters.clear();
    for (const resolve of waiters) resolve(snapshot);
  }

  /** Drops a watch nobody has used for `lingerMs` (its verdict would go stale unwatched). */
  function forget(w: Watch) {
    if (w.users > 0 || w.evaluating || w.idle) return;
    w.idle = setTimeout(() => {
      w.idle = null;
      if (w.users > 0 || w.evaluating) return;
      if (w.timer) clearTimeout(w.timer);
      if (w.handoff) clearTimeout(w.handoff);
      if (watches.get(watchKey(w.keys)) === w) watches.delete(watchKey(w.keys));
    }, lingerMs);
    w.idle.unref();
  }

  /**
   * The verdict at once when its tag differs from `known` (or nothing is known); otherwise
   * parks until it changes (`changed: true`) or `timeoutMs` passes or `signal` aborts.
   */
  async function wait(request: {
    keys: RolloutKeys;
    known: string | null;
    timeoutMs: number;
    signal?: AbortSignal;
  }): Promise<WaitResult> {
    await listen();
    const key = watchKey(request.keys);
    let w = watches.get(key);
    if (!w) {
      w = {
        keys: request.keys,
        topics: new Set(),
        current: null,
        waiters: new Set(),
        users: 0,
        evaluating: null,
        again: false,
        timer: null,
        idle: null,
        handoff: null,
      };
      watches.set(key, w);
    }
    const watch = w;
    watch.users += 1;
    const leave = () => {
      watch.users -= 1;
      forget(watch);
    };
    let snapshot: GateSnapshot;
    try {
      snapshot = watch.current ?? (await refresh(watch));
    } catch (error) {
      leave();
      throw error;
    }
    // During a hand-off a newcomer waits with the others, whatever tag it has.
    const handingOff = watch.handoff !== null && snapshot.body.allowed && request.timeoutMs > 0;
    if (
      draining ||
      (!handingOff && (snapshot.etag !== request.known || request.timeoutMs <= 0 || request.signal?.aborted))
    ) {
      leave();
      return snapshot.etag !== request.known ? { changed: true, snapshot } : { changed: false, etag: snapshot.etag };
    }
    return new Promise<WaitResult>((resolve) => {
      const done = (result: WaitResult) => {
        clearTimeout(timer);
        request.signal?.removeEventListener("abort", stop);
        watch.waiters.delete(onChange);
        parked.delete(stop);
        options.observe?.parked(-1);
        leave();
        resolve(result);
      };
      const onChange = (next: GateSnapshot) => done({ changed: true, snapshot: next });
      const stop = () => done({ changed: false, etag: watch.current?.etag ?? snapshot.etag });
      const timer = setTimeout(stop, request.timeoutMs);
      request.signal?.addEventListener("abort", stop, { once: true });
      watch.waiters.add(onChange);
      parked.add(stop);
      options.observe?.parked(1);
    });
  }

  /**
   * The process is stopping: every parked request is answered now as its timeout would answer
   * it (304, or the new verdict if it changed), and later ones are answered without parking, so
   * a rolling restart does not hold pipelines for a whole wait; they ask again, and the next
   * request reaches a replica that is staying.
   */
  function drain() {
    draining = true;
    for (const stop of [...parked]) stop();
  }

  return {
    wait,
    drain,
    /** For tests and metrics: evaluations run so far, rollouts watched, requests parked. */
    stats: () => ({
      evaluations,
      watches: watches.size,
      waiters: [...watches.values()].reduce((n, w) => n + w.waiters.size, 0),
    }),
  };
}

export type GateWaiters = ReturnType<typeof createGateWaiters>;

function watchKey(keys: RolloutKeys): string {
  return JSON.stringify([keys.service, keys.environment, keys.release]);
}

const KEY = Symbol.for("rollgate.gateWaiters");

/** The process's waiters, on globalThis like the database: Next bundles routes apart, and one LISTEN serves them all. */
export function processGateWaiters(): Promise<GateWaiters> {
  const holder = globalThis as Record<symbol, Promise<GateWaiters> | undefined>;
  const observe = {
    evaluated: () => metrics().gateEvaluations.inc(),
    parked: (delta: number) => metrics().gateWaiters.inc(delta),
  };
  const made = (holder[KEY] ??= database().then((handle) => createGateWaiters({ handle, now, observe })));
  made.catch(() => {
    if (holder[KEY] === made) holder[KEY] = undefined;
  });
  return made;
}

/** At shutdown: drains the process's waiters, if any request made them (it opens nothing). */
export async function drainProcessGateWaiters(): Promise<void> {
  const made = (globalThis as Record<symbol, Promise<GateWaiters> | undefined>)[KEY];
  if (made) (await made.catch(() => null))?.drain();
}
