// sources.cost: FOCUS and EA/MCA exports from folders or Blob, or the Cost Management Query API.
import { z } from 'zod';

const nonEmpty = z.string().min(1);

/** ISO 4217 code assumed for exports that carry no BillingCurrency column (the FOCUS specification's examples). */
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code, e.g. EUR')
  .optional();

// The Blob fields as output.blob and sources.terraform spell them (config.ts imports this module, so they are not
// shared from there).
const accountUrl = z.url().refine((u) => {
  const url = new URL(u);
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
}, 'expected an https URL (plain http only to localhost)');

export const costSource = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('file'),
    /** Files or folders of cost exports (.csv, .csv.gz, .parquet), relative to the config file. */
    paths: z.array(nonEmpty).min(1),
    currency,
  }),
  z.strictObject({
    mode: z.literal('blob'),
    account_url: accountUrl,
    container: z
      .string()
      .regex(
        /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/,
        'expected a container name: 3-63 lower-case letters, digits, single hyphens',
      ),
    /** Only blobs whose name starts with this, e.g. `exports/focus/`; default every blob. */
    prefix: z.string().default(''),
    credential: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('azure') }),
        z.strictObject({
          kind: z.literal('account_key'),
          account_name: nonEmpty,
          key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'),
        }),
      ])
      .default({ kind: 'azure' }),
    currency,
  }),
  z.strictObject({
    mode: z.literal('live'),
    /** Days of cost asked for, ending yesterday (UTC). */
    lookback_days: z.number().int().min(1).max(365).default(30),
    /** actual → BilledCost, amortized → EffectiveCost; both (the default) fills each row with both. */
    metrics: z
      .array(z.enum(['actual', 'amortized']))
      .min(1)
      .default(['actual', 'amortized']),
  }),
]);

export type CostSource = z.infer<typeof costSource>;
