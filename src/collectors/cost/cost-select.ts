// The SQL that maps one export onto the `costs` columns, typed, with `_problem` saying why a row is refused (null when
// it is not). DuckDB reads the file itself; nothing here touches a row.
import type { ExportFormat } from './export-header.js';

export interface ExportSql {
  /** read_csv / read_parquet of the file, every column as text but `decimals`, plus `x_SourceRow` (null from a CSV: the store numbers its rows). */
  reader: string;
  /** Header names of the columns the reader already typed as decimals (read_csv refuses a line whose value is not one). */
  decimals?: ReadonlyMap<string, string>;
  /** The file's column names as its header spells them. */
  columns: readonly string[];
  format: ExportFormat;
  /** x_SourceFile of every row. */
  label: string;
  /** BillingCurrency of files without that column; without one, such a file is refused. */
  currency?: string | undefined;
}

/** Read-side problems are recorded here by read_csv (wrong column counts, unterminated quotes). */
export const REJECTS_TABLE = 'cost_rejects';

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

const DEC = 'decimal(18,6)';

/** FOCUS's cost, price and quantity columns: read_csv casts them itself, cheaper than storing text and casting it. */
const FOCUS_DECIMALS = [
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'ContractedUnitPrice',
  'ListUnitPrice',
  'PricingQuantity',
  'ConsumedQuantity',
];

/** The header's spelling of each column read as a decimal → its FOCUS name (none for EA/MCA, whose columns are mapped). */
export function decimalColumns(columns: readonly string[], format: ExportFormat): Map<string, string> {
  if (format.kind !== 'focus') return new Map();
  const byLower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  return new Map(
    FOCUS_DECIMALS.flatMap((n) => {
      const c = byLower.get(n.toLowerCase());
      return c === undefined ? [] : [[c, n] as const];
    }),
  );
}

/**
 * read_csv with every column typed up front. Lines keep DuckDB's default limit (2 MB): a line over it is refused and
 * named like any other; a larger limit made every read buffer that large (10 M rows: 13 s slower, 0.7 GB more memory).
 */
export function csvReader(
  path: string,
  columns: readonly string[],
  gzip: boolean,
  decimals: ReadonlyMap<string, string>,
): string {
  const types = columns.map((c) => `${lit(c)}: '${decimals.has(c) ? DEC : 'VARCHAR'}'`).join(', ');
  return `(select *, null::bigint as x_SourceRow from read_csv(${lit(path)}, header = true, delim = ',', quote = '"',
    escape = '"', auto_detect = false, columns = {${types}}, nullstr = ['', 'null', 'NULL', 'Null'],
    compression = ${gzip ? "'gzip'" : "'none'"}, store_rejects = true, rejects_table = '${REJECTS_TABLE}',
    rejects_scan = '${REJECTS_TABLE}_scans'))`;
}

/**
 * Why read_csv refused a line, over its rejects table: a decimal it could not cast is named as the row checks name a
 * bad number (FOCUS column, the value's start); anything else (a line that does not split) in DuckDB's words.
 */
export function rejectReason(decimals: ReadonlyMap<string, string>): string {
  const named = [...decimals].map(([header, name]) => `when ${lit(header)} then ${lit(name)}`).join(' ');
  const value = `left(regexp_extract(error_message, 'Could not convert string "(.*)" to ''', 1), 40)`;
  const column = named ? `case column_name ${named} else column_name end` : 'column_name';
  return `case when error_type = 'CAST' then 'column ' || ${column} || ': not a number (' || ${value} || ')'
    when column_name is null then error_message else 'column ' || column_name || ': ' || error_message end`;
}

/** Parquet columns as text too, so one mapping serves both; maps and structs (Tags) as JSON. */
export function parquetReader(path: string, columns: readonly { name: string; type: string }[]): string {
  const cols = columns
    .map(({ name, type }) =>
      /^(MAP|STRUCT)/.test(type)
        ? `to_json(${ident(name)})::varchar as ${ident(name)}`
        : `${ident(name)}::varchar as ${ident(name)}`,
    )
    .join(', ');
  return `(select ${cols}, file_row_number + 1 as x_SourceRow from read_parquet(${lit(path)}, file_row_number = true))`;
}

interface Target {
  expr: string;
  problems: string[];
}

const sample = (src: string) => `left(${src}, 40)`;

function num(name: string, src: string | null): Target {
  if (!src) return { expr: `null::${DEC}`, problems: [] };
  return {
    expr: `try_cast(${src} as ${DEC})`,
    problems: [
      `case when ${src} is not null and try_cast(${src} as ${DEC}) is null then 'column ${name}: not a number (' || ${sample(src)} || ')' end`,
    ],
  };
}

/** A FOCUS date-time (ISO 8601; no offset means UTC) or an EA/MCA date (MM/DD/YYYY or ISO). */
function time(name: string, src: string | null, usDates = false): Target {
  if (!src) return { expr: 'null::timestamptz', problems: [] };
  // The load runs with TimeZone UTC, so a time without an offset is UTC and one with an offset keeps it.
  const parsed = usDates
    ? `coalesce(try_strptime(${src}, '%m/%d/%Y'), try_cast(${src} as timestamp))::timestamptz`
    : `try_cast(${src} as timestamptz)`;
  return {
    expr: parsed,
    problems: [
      `case when ${src} is not null and ${parsed} is null then 'column ${name}: not a date (' || ${sample(src)} || ')' end`,
    ],
  };
}

/** A JSON object (FOCUS Tags), or an EA/MCA tag list without its braces (`"env": "prod","org": "x"`). */
function tags(name: string, src: string | null, braces = false): Target {
  if (!src) return { expr: 'null::json', problems: [] };
  const text = braces
    ? `case when trim(${src}) = '' then null when starts_with(ltrim(${src}), '{') then ${src} else '{' || ${src} || '}' end`
    : src;
  // Valid JSON whose first character (after JSON's whitespace) is `{` is an object: one parse, not two.
  const ok = `(json_valid(${text}) and starts_with(ltrim(${text}, ' ' || chr(9) || chr(10) || chr(13)), '{'))`;
  return {
    expr: `case when ${ok} then (${text})::json end`,
    problems: [
      `case when ${text} is not null and not ${ok} then 'column ${name}: not a JSON object (' || ${sample(src)} || ')' end`,
    ],
  };
}

const text = (src: string | null): Target => ({ expr: src ? `${src}::varchar` : 'null::varchar', problems: [] });

function required(name: string, t: Target, src: string | null): Target {
  return {
    expr: t.expr,
    problems: [...(src ? [`case when ${src} is null then 'column ${name}: empty' end`] : []), ...t.problems],
  };
}

/** The export's columns, found without case; each a quoted identifier of the name as the file spells it. */
function finder(columns: readonly string[]) {
  const byLower = new Map(columns.map((c) => [c.toLowerCase(), ident(c)]));
  return (...names: string[]): string | null => {
    const found = names.map((n) => byLower.get(n.toLowerCase())).filter((c) => c !== undefined);
    if (!found.length) return null;
    return found.length === 1 ? found[0]! : `coalesce(${found.join(', ')})`;
  };
}

const REQUIRED_FOCUS = ['BilledCost', 'EffectiveCost', 'ChargePeriodStart', 'ChargePeriodEnd', 'ChargeCategory'];
const REQUIRED_EA = [
  ['Date', 'UsageDateTime'],
  ['CostInBillingCurrency', 'Cost', 'PreTaxCost'],
];

/** Columns FOCUS or the EA/MCA format require that the header lacks; BillingCurrency unless a default is configured. */
export function missingColumns(columns: readonly string[], format: ExportFormat, currency?: string): string[] {
  const col = finder(columns);
  const wanted = format.kind === 'focus' ? REQUIRED_FOCUS.map((n) => [n]) : REQUIRED_EA;
  const missing = wanted.filter((names) => !col(...names)).map((names) => names.join(' / '));
  if (!currency && !col('BillingCurrency', 'BillingCurrencyCode')) missing.push('BillingCurrency');
  return missing;
}

/** The lower-case ARM type of a resource id: its provider namespace and every type segment after the last /providers/. */
function armType(id: string): string {
  const parts = `string_split(regexp_extract(${id}, '.*/providers/(.*)$', 1), '/')`;
  return `case when len(${parts}) >= 3 and len(${parts}) % 2 = 1
    then lower(${parts}[1] || '/' || array_to_string(list_filter(${parts}[2:], (x, i) -> i % 2 = 1), '/')) end`;
}

function focusTargets(col: ReturnType<typeof finder>, typed: ReadonlySet<string>, currency?: string): Record<string, Target> {
  const c = (n: string) => col(n);
  // A column read_csv typed is a decimal already: its bad values were refused there.
  const decimal = (name: string, src: string | null): Target =>
    src && typed.has(src) ? { expr: src, problems: [] } : num(name, src);
  const currencySrc = c('BillingCurrency');
  const resourceId = c('ResourceId');
  return {
    BilledCost: required('BilledCost', decimal('BilledCost', c('BilledCost')), c('BilledCost')),
    EffectiveCost: required('EffectiveCost', decimal('EffectiveCost', c('EffectiveCost')), c('EffectiveCost')),
    ListCost: decimal('ListCost', c('ListCost')),
    ContractedCost: decimal('ContractedCost', c('ContractedCost')),
    ContractedUnitPrice: decimal('ContractedUnitPrice', c('ContractedUnitPrice')),
    ListUnitPrice: decimal('ListUnitPrice', c('ListUnitPrice')),
    PricingQuantity: decimal('PricingQuantity', c('PricingQuantity')),
    ConsumedQuantity: decimal('ConsumedQuantity', c('ConsumedQuantity')),
    ChargePeriodStart: required('ChargePeriodStart', time('ChargePeriodStart', c('ChargePeriodStart')), c('ChargePeriodStart')),
    ChargePeriodEnd: required('ChargePeriodEnd', time('ChargePeriodEnd', c('ChargePeriodEnd')), c('ChargePeriodEnd')),
    BillingPeriodStart: time('BillingPeriodStart', c('BillingPeriodStart')),
    BillingPeriodEnd: time('BillingPeriodEnd', c('BillingPeriodEnd')),
    BillingCurrency: currencySrc
      ? required('BillingCurrency', text(currencySrc), currencySrc)
      : { expr: currency ? `'${currency}'` : 'null::varchar', problems: [] },
    Tags: tags('Tags', c('Tags')),
    ChargeCategory: required('ChargeCategory', text(c('ChargeCategory')), c('ChargeCategory')),
    ProviderName: text(col('ServiceProviderName', 'ProviderName')),
    x_ResourceGroupName: text(
      col('x_ResourceGroupName') ??
        (resourceId ? `nullif(regexp_extract(${resourceId}, '/resourcegroups/([^/]+)', 1, 'i'), '')` : null),
    ),
    ...Object.fromEntries(
      [
        'ResourceId',
        'ResourceType',
        'ResourceName',
        'ServiceName',
        'ServiceCategory',
        'ServiceSubcategory',
        'SubAccountId',
        'SubAccountName',
        'BillingAccountId',
        'BillingAccountName',
        'RegionId',
        'SkuId',
        'PricingUnit',
        'PricingCategory',
        'ConsumedUnit',
        'ChargeClass',
        'ChargeDescription',
        'ChargeFrequency',
        'CommitmentDiscountId',
        'CommitmentDiscountName',
        'CommitmentDiscountCategory',
        'CommitmentDiscountStatus',
        'CommitmentDiscountType',
        'PublisherName',
        'x_ChargeType',
      ].map((n) => [n, text(c(n))]),
    ),
  };
}

/**
 * EA and MCA cost details onto FOCUS, as Microsoft's FOCUS conversion maps them: CostInBillingCurrency (EA's `Cost`)
 * → BilledCost and EffectiveCost; in an amortized file, usage a reservation or savings plan covers and unused
 * commitment were paid at purchase (BilledCost 0) and a commitment purchase is amortized away (EffectiveCost 0);
 * an actual file has no amortization, so EffectiveCost is BilledCost. ChargeType → ChargeCategory (Usage, Purchase,
 * Tax; Refund → Purchase with ChargeClass Correction; RoundingAdjustment → Adjustment), PricingModel →
 * PricingCategory and commitment columns, PayG price × quantity → ListCost, UnitPrice × quantity → ContractedCost.
 */
function eaTargets(col: ReturnType<typeof finder>, dataset: 'actual' | 'amortized', currency?: string): Record<string, Target> {
  const cost = col('CostInBillingCurrency', 'Cost', 'PreTaxCost')!;
  const quantity = col('Quantity');
  const chargeType = col('ChargeType') ?? 'null::varchar';
  const model = col('PricingModel') ?? 'null::varchar';
  const commitment = `${model} in ('Reservation', 'SavingsPlan')`;
  const covered = `((${chargeType} = 'Usage' and ${commitment}) or ${chargeType} in ('UnusedReservation', 'UnusedSavingsPlan'))`;
  const purchase = `(${chargeType} = 'Purchase' and ${commitment})`;
  const costNum = num('CostInBillingCurrency', cost);
  const billed = dataset === 'amortized' ? `case when ${covered} then 0::${DEC} else ${costNum.expr} end` : costNum.expr;
  const effective = dataset === 'amortized' ? `case when ${purchase} then 0::${DEC} else ${costNum.expr} end` : costNum.expr;
  const times = (price: string | null) =>
    price && quantity ? `(try_cast(${price} as double) * try_cast(${quantity} as double))::varchar` : null;
  const payg = col('PaygCostInBillingCurrency') ?? times(col('PayGPrice'));
  const contracted = times(col('UnitPrice'));
  const date = col('Date', 'UsageDateTime');
  const start = time('Date', date, true);
  const resourceId = col('ResourceId', 'InstanceId');
  const billingEnd = time('BillingPeriodEndDate', col('BillingPeriodEndDate'), true);
  const currencySrc = col('BillingCurrencyCode', 'BillingCurrency');
  const subscription = col('SubscriptionId', 'SubscriptionGuid');
  return {
    BilledCost: {
      expr: billed,
      problems: [`case when ${cost} is null then 'column CostInBillingCurrency: empty' end`, ...costNum.problems],
    },
    EffectiveCost: { expr: effective, problems: [] },
    ListCost: num('PayGPrice', payg),
    ContractedCost: num('UnitPrice', contracted),
    ContractedUnitPrice: num('UnitPrice', col('UnitPrice')),
    ListUnitPrice: num('PayGPrice', col('PayGPrice')),
    PricingQuantity: num('Quantity', quantity),
    ConsumedQuantity: {
      expr: `case when ${chargeType} is distinct from 'Purchase' then ${num('Quantity', quantity).expr} end`,
      problems: [],
    },
    ChargePeriodStart: required('Date', start, date),
    ChargePeriodEnd: { expr: `${start.expr} + interval 1 day`, problems: [] },
    BillingPeriodStart: time('BillingPeriodStartDate', col('BillingPeriodStartDate'), true),
    // EA and MCA give the last day of the period; FOCUS's end is exclusive.
    BillingPeriodEnd: { expr: `${billingEnd.expr} + interval 1 day`, problems: billingEnd.problems },
    BillingCurrency: currencySrc
      ? required('BillingCurrency', text(currencySrc), currencySrc)
      : { expr: currency ? `'${currency}'` : 'null::varchar', problems: [] },
    Tags: tags('Tags', col('Tags'), true),
    ChargeCategory: {
      expr: `case coalesce(${chargeType}, 'Usage') when 'Usage' then 'Usage' when 'UnusedReservation' then 'Usage'
        when 'UnusedSavingsPlan' then 'Usage' when 'Purchase' then 'Purchase' when 'Refund' then 'Purchase'
        when 'Tax' then 'Tax' when 'RoundingAdjustment' then 'Adjustment' when 'Credit' then 'Credit' else ${chargeType} end`,
      problems: [],
    },
    ChargeClass: { expr: `case when ${chargeType} = 'Refund' then 'Correction' end`, problems: [] },
    ChargeFrequency: {
      expr: `case ${col('Frequency') ?? 'null::varchar'} when 'OneTime' then 'One-Time' when 'Recurring' then 'Recurring'
        when 'UsageBased' then 'Usage-Based' end`,
      problems: [],
    },
    ChargeDescription: text(col('ProductName', 'Product')),
    PricingCategory: {
      expr: `case ${model} when 'OnDemand' then 'Standard' when 'Spot' then 'Dynamic' when 'Reservation' then 'Committed'
        when 'SavingsPlan' then 'Committed' end`,
      problems: [],
    },
    PricingUnit: text(col('UnitOfMeasure')),
    ConsumedUnit: text(col('UnitOfMeasure')),
    CommitmentDiscountId: text(col('BenefitId', 'ReservationId')),
    CommitmentDiscountName: text(col('BenefitName', 'ReservationName')),
    CommitmentDiscountCategory: {
      expr: `case ${model} when 'Reservation' then 'Usage' when 'SavingsPlan' then 'Spend' end`,
      problems: [],
    },
    CommitmentDiscountType: {
      expr: `case ${model} when 'Reservation' then 'Reservation' when 'SavingsPlan' then 'Savings Plan' end`,
      problems: [],
    },
    CommitmentDiscountStatus: {
      expr: `case when ${chargeType} in ('UnusedReservation', 'UnusedSavingsPlan') then 'Unused'
        when ${chargeType} = 'Usage' and ${commitment} then 'Used' end`,
      problems: [],
    },
    ResourceId: text(resourceId),
    ResourceName: text(col('ResourceName')),
    ResourceType: {
      expr: resourceId ? armType(resourceId) : 'null::varchar',
      problems: [],
    },
    x_ResourceGroupName: text(col('ResourceGroup', 'ResourceGroupName')),
    ServiceName: text(col('MeterCategory')),
    ServiceCategory: text(col('ServiceFamily')),
    SubAccountId: { expr: subscription ? `'/subscriptions/' || ${subscription}` : 'null::varchar', problems: [] },
    SubAccountName: text(col('SubscriptionName')),
    BillingAccountId: text(col('BillingAccountId')),
    BillingAccountName: text(col('BillingAccountName')),
    RegionId: { expr: `lower(replace(${col('ResourceLocation') ?? 'null::varchar'}, ' ', ''))`, problems: [] },
    SkuId: text(col('ProductId', 'MeterId')),
    PublisherName: text(col('PublisherName')),
    ProviderName: { expr: `'Microsoft'`, problems: [] },
    x_ChargeType: text(chargeType === 'null::varchar' ? null : chargeType),
  };
}

/**
 * Credits, refunds and adjustments may be negative; anything else with a negative cost is refused: a usage row below
 * zero is a broken export, and counting it would lower a tenant's bill silently.
 */
const NEGATIVE = `case when not (coalesce(ChargeCategory, '') in ('Credit', 'Adjustment') or coalesce(ChargeClass, '') = 'Correction')
  then case when BilledCost < 0 then 'column BilledCost: negative (' || BilledCost || ') outside a credit, refund or adjustment row'
            when EffectiveCost < 0 then 'column EffectiveCost: negative (' || EffectiveCost || ') outside a credit, refund or adjustment row' end end`;

/** The select: every costs column (but run_id and tenant_id), x_SourceRow, and `_problem`. */
export function costSelect(sql: ExportSql): string {
  const col = finder(sql.columns);
  const targets =
    sql.format.kind === 'focus'
      ? focusTargets(col, new Set([...(sql.decimals?.keys() ?? [])].map(ident)), sql.currency)
      : eaTargets(col, sql.format.dataset, sql.currency);
  const sourceFormat = sql.format.kind === 'focus' ? `focus-${sql.format.version}` : `ea-${sql.format.dataset}`;
  const exprs = Object.entries(targets).map(([name, t]) => `${t.expr} as ${ident(name)}`);
  const problems = Object.values(targets).flatMap((t) => t.problems);
  return `select * exclude (_read), coalesce(_read, ${NEGATIVE}) as _problem from (
    select ${exprs.join(',\n      ')},
      ${lit(sourceFormat)} as x_SourceFormat, ${lit(sql.label)} as x_SourceFile, x_SourceRow,
      ${problems.length ? `coalesce(${problems.join(',\n        ')})` : 'null::varchar'} as _read
    from ${sql.reader})`;
}
