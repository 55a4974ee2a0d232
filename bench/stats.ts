/** Medians, spreads and per-round paired ratios: what every scenario reports. */

export interface Summary {
  /** Median over rounds. */
  median: number;
  min: number;
  max: number;
  /** Interquartile range over the median (0.05 = ±2.5% around it). */
  spread: number;
  /** Median over rounds of (this round's value ÷ raw fetch's value in the same round). */
  ratio: number | null;
  rounds: number[];
}

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

export const median = (values: number[]) => quantile(values, 0.5);

export function summarize(rounds: number[], baseline: number[] | undefined): Summary {
  const mid = median(rounds);
  const paired =
    baseline && baseline.length === rounds.length ? rounds.map((value, i) => value / baseline[i]!) : undefined;
  return {
    median: mid,
    min: Math.min(...rounds),
    max: Math.max(...rounds),
    spread: mid === 0 ? 0 : (quantile(rounds, 0.75) - quantile(rounds, 0.25)) / mid,
    ratio: paired ? median(paired) : null,
    rounds,
  };
}

/** The contestants in round `round`'s order: rotated, so none always runs first or right after a noisy neighbour. */
export function rotation<T>(items: T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
