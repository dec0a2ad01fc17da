/**
 * Shared helpers for the benchmarks: statistics, timing loops and the closing `BENCH` line.
 * Benchmarks print measurements; they never assert timing. Every ratio is computed from numbers
 * measured side by side in the same run.
 */

export const now = (): number => performance.now();

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100) of `xs`. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

/** Run `step` repeatedly for at least `ms` milliseconds; returns iterations per second. */
export function rate(ms: number, step: () => void): { perSec: number; iterations: number; elapsedMs: number } {
  const t0 = now();
  let n = 0;
  let t = t0;
  do {
    step();
    n++;
    t = now();
  } while (t - t0 < ms);
  return { perSec: (n * 1000) / (t - t0), iterations: n, elapsedMs: t - t0 };
}

/** Format a number with a sensible number of significant digits. */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return x.toFixed(0);
  return x.toPrecision(digits);
}

export function header(name: string, what: string): void {
  console.log(`# ${name}: ${what}`);
  console.log(`# node ${process.version}, ${process.platform}/${process.arch}`);
}

/** The closing line every benchmark ends with. */
export function benchLine(name: string, ratio: number, what: string): void {
  console.log(`BENCH ${name} ${Number(ratio.toPrecision(4))} ${what}`);
}

/** Left-pad a table cell. */
export const pad = (s: string | number, n: number): string => String(s).padStart(n);
