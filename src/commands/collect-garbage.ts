// A full garbage collection on demand, for the one point in the gate where it pays. Node offers none without the
// --expose-gc flag, which a `compline` bin cannot pass; the flag is set at run time and a fresh context picks up the
// `gc` global it adds (the main context was created before it).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null = null;

export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
