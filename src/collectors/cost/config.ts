// sources.cost: FOCUS and EA/MCA exports from folders or Blob, or the Cost Management Query API.
import { z } from 'zod';

export const costSource = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('file'),
    /** Files or folders of cost exports, relative to the config file. */
    paths: z.array(z.string().min(1)).min(1),
  }),
]);
