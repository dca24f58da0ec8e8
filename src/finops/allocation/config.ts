// finops.allocation: how each day's cost is split between tenants.
import { z } from 'zod';

export const allocationConfig = z.strictObject({}).prefault({});
