// sources.monitor: VM metrics (Azure Monitor) and container usage (Container Insights), from files or live.
import { z } from 'zod';

export const monitorSource = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('file'),
    /** Files or folders of utilisation, relative to the config file. */
    paths: z.array(z.string().min(1)).min(1),
  }),
]);
