// Resource Graph's quota per principal (15 queries in each 5-second window, by default), kept from the headers of
// every answer: a query goes out only while the window has room for it beside those already on their way, and once
// the window is spent the next one waits for its end, so the quota is honoured before a 429 rather than after.

/** Answers whose window ends this far apart belong to different windows. */
const SAME_WINDOW_MS = 1500;
/**
 * After a 429 the headers did not foresee, windows are taken to end this much later: a service that rounds
 * `resets-after` down (rather than up, as its fresh `00:00:05` suggests) ends them up to a second after they say.
 */
const SLACK_AFTER_429_MS = 1000;

/** `hh:mm:ss`, or .NET's `hh:mm:ss.fffffff`, → milliseconds; null when absent or malformed. */
export function durationMs(text: string | undefined): number | null {
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text?.trim() ?? '');
  return m ? ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 : null;
}

/** A wait for the quota that would end only after the page's deadline. */
export class QuotaBeyondDeadline extends Error {}

interface Window {
  /** The earliest end any answer of the window allows for: each says it ends no later than its arrival + resets-after. */
  endsAt: number;
  /** The fewest queries any answer of the window said were left. */
  remaining: number;
}

export class QuotaGate {
  private window: Window | null = null;
  private inFlight = 0;
  private slackMs = 0;
  /** Settles at the next change of state (an answer read, a query released); replaced at each. */
  private changed = signalled();

  /** Reads one answer's quota headers (every attempt's, throttled ones included). */
  observe(status: number, headers: { get(name: string): string | undefined }): void {
    const remaining = Number.parseInt(headers.get('x-ms-user-quota-remaining') ?? '', 10);
    const resets = durationMs(headers.get('x-ms-user-quota-resets-after'));
    if (status === 429) this.slackMs = SLACK_AFTER_429_MS;
    if (Number.isNaN(remaining) || resets === null) return;
    const endsAt = Date.now() + resets;
    const w = this.window;
    if (!w || endsAt > w.endsAt + SAME_WINDOW_MS) this.window = { endsAt, remaining };
    // An answer from a window that is already over says nothing of this one.
    else if (endsAt >= w.endsAt - SAME_WINDOW_MS)
      this.window = { endsAt: Math.min(w.endsAt, endsAt), remaining: Math.min(w.remaining, remaining) };
    this.notify();
  }

  /**
   * Waits until a query may go out and counts it as on its way; the caller releases it once answered or failed.
   * Throws QuotaBeyondDeadline when the window ends only after `deadlineAt`.
   */
  async acquire(deadlineAt: number, signal: AbortSignal): Promise<() => void> {
    for (;;) {
      signal.throwIfAborted();
      const now = Date.now();
      if (this.window && now >= this.window.endsAt + this.slackMs) this.window = null;
      const w = this.window;
      // Without an answer from this window its whole quota is left; queries on their way may not yet be counted in it.
      if (!w || w.remaining - this.inFlight > 0) return this.take();
      if (w.remaining > 0) {
        // What is left is spoken for by queries on their way: their answers will say whether they were counted.
        await this.change(Number.POSITIVE_INFINITY, signal);
        continue;
      }
      const resumeAt = w.endsAt + this.slackMs;
      if (resumeAt > deadlineAt)
        throw new QuotaBeyondDeadline(
          `request quota exhausted until ${Math.ceil((resumeAt - now) / 1000)} s from now, beyond the deadline`,
        );
      await this.change(resumeAt - now, signal);
    }
  }

  private take(): () => void {
    this.inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.notify();
    };
  }

  private notify(): void {
    this.changed.resolve();
    this.changed = signalled();
  }

  /** Until the gate's state changes, `ms` pass, or the signal aborts (rejecting with its reason). */
  private change(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.changed.promise.then(done);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve();
      }
    });
  }
}

function signalled(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
