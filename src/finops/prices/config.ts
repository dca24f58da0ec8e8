// finops.prices: the price sheet FinOps prices with, when not the bundled one.
import { z } from 'zod';

export const pricesConfig = z
  .string()
  .min(1)
  .optional()
  .describe('Price sheet file written by `compline prices refresh` (relative to this file); default: the bundled, dated sheet');
