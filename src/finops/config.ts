// The `finops` section of compline.yaml: each part owns its schema.
import { z } from 'zod';
import { allocationConfig } from './allocation/config.js';
import { pricesConfig } from './prices/config.js';
import { rulesConfig } from './rules/config.js';
import { signalsConfig } from './signals/config.js';

export const finopsConfig = z
  .strictObject({
    allocation: allocationConfig,
    rules: rulesConfig,
    signals: signalsConfig,
    prices: pricesConfig,
  })
  .prefault({});
