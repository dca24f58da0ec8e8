// finops.signals: cost anomaly and budget forecast per tenant.
import { z } from 'zod';

export const signalsConfig = z.strictObject({}).prefault({});
