/**
 * What the scenarios measure with: call rates at a fixed concurrency,
 * medians and percentiles.
 *
 * @module
 */

/**
 * Calls per second that `inFlight` loops reach calling `call` one after
 * the other for `seconds`.
 */
export async function callRate(
  seconds: number,
  inFlight: number,
  call: () => Promise<unknown>,
): Promise<number> {
  let calls = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        await call();
        calls++;
      }
    }),
  );
  return calls / ((performance.now() - started) / 1000);
}

/** The middle value (the upper one of an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Percentile of sorted numbers (0 < p < 1). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}
