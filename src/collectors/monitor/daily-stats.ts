// A metric's interval values (Azure Monitor's timeseries data) → one row of statistics per UTC day.

/** One interval of a metric, as Azure Monitor returns it (absent aggregations: no data in that interval). */
export interface IntervalValue {
  timeStamp: Date;
  average?: number | null;
  minimum?: number | null;
  maximum?: number | null;
  count?: number | null;
}

export interface DailyStats {
  day: string;
  avg: number | null;
  max: number | null;
  p95: number | null;
  min: number | null;
  samples: number;
}

/** Nearest-rank percentile of `values` (sorted here); null for none. */
function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Per UTC day in [from, to): the mean of the interval averages weighted by their sample counts, the largest interval
 * maximum, the 95th percentile (nearest rank) of the interval maxima, the smallest interval minimum, and how many
 * intervals had a value. P95 of maxima,
 * not of averages: a minute's burst inside an hour then counts, so an idle or oversized verdict is never drawn from a
 * smoothed-over number. A day without any value has no row; the rules see how many samples each day rests on.
 */
export function dailyStats(points: readonly IntervalValue[], from: Date, to: Date): DailyStats[] {
  const days = new Map<string, IntervalValue[]>();
  for (const p of points) {
    const t = p.timeStamp.getTime();
    if (!(t >= from.getTime() && t < to.getTime())) continue;
    if (!finite(p.average) && !finite(p.maximum)) continue;
    const day = p.timeStamp.toISOString().slice(0, 10);
    const list = days.get(day);
    if (list) list.push(p);
    else days.set(day, [p]);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, values]) => {
      const averaged = values.filter((v) => finite(v.average));
      const weight = (v: IntervalValue) => (finite(v.count) && v.count > 0 ? v.count : 1);
      const total = averaged.reduce((s, v) => s + weight(v), 0);
      const maxima = values.map((v) => (finite(v.maximum) ? v.maximum : v.average)).filter(finite);
      const minima = values.map((v) => (finite(v.minimum) ? v.minimum : v.average)).filter(finite);
      return {
        day,
        avg: averaged.length ? averaged.reduce((s, v) => s + (v.average as number) * weight(v), 0) / total : null,
        max: maxima.length ? Math.max(...maxima) : null,
        p95: percentile(maxima, 95),
        min: minima.length ? Math.min(...minima) : null,
        samples: values.length,
      };
    });
}
