// finops.rules: per-rule parameter overrides for the FinOps rules (rightsizing, idle resources).
import { z } from 'zod';

export const rulesConfig = z.strictObject({}).prefault({});
