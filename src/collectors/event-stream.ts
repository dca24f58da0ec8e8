// Collectors do their work concurrently (pages, subscriptions, lists in flight at once); the run reads one stream.
import type { CollectorEvent } from './collector.js';

/**
 * The events `work` emits, yielded in the order emitted while it runs; the stream ends when the work does, and a
 * failure of the work is thrown once every event before it was yielded.
 */
export async function* eventStream(
  work: (emit: (event: CollectorEvent) => void) => Promise<unknown>,
): AsyncIterable<CollectorEvent> {
  const queue: CollectorEvent[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const running = work((event) => {
    queue.push(event);
    wake?.();
  }).finally(() => {
    done = true;
    wake?.();
  });
  running.catch(() => {}); // awaited below; until then its failure must not count as unhandled
  while (!done || queue.length > 0) {
    const next = queue.shift();
    if (next) yield next;
    else await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
  }
  await running;
}
