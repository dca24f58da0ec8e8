import type { Config } from '../config.js';
import type { Store } from '../store.js';

/** What every FinOps step reads: the run's store after collection and tenant stamping. */
export interface FinopsContext {
  store: Store;
  runId: string;
  config: Config;
  /** Folder of the config file. */
  baseDir: string;
  /** The run's day, YYYY-MM-DD (UTC). */
  today: string;
  log: (line: string) => void;
}
