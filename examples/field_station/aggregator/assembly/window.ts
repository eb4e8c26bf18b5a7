// A sensor's recent values: the last WINDOW_READINGS good readings, none
// older than WINDOW_MS before the newest batch.

/** How many readings a window keeps at most. */
export const WINDOW_READINGS: i32 = 60;

/** How far back a window reaches, in ms. */
export const WINDOW_MS: i64 = 5 * 60 * 1000;

/** What a window holds, summed up. */
export class WindowStats {
  count: i32 = 0;
  min: f64 = NaN;
  max: f64 = NaN;
  mean: f64 = NaN;
}

/** The recent values of one sensor, oldest first. */
export class Window {
  private values: f64[] = [];
  private times: i64[] = [];

  /** Adds a good reading, dropping the oldest past the count. */
  add(value: f64, timestamp: i64): void {
    this.values.push(value);
    this.times.push(timestamp);
    while (this.values.length > WINDOW_READINGS) this.dropOldest();
  }

  /** Drops readings older than WINDOW_MS before `now`. */
  prune(now: i64): void {
    while (this.times.length > 0 && this.times[0] < now - WINDOW_MS) {
      this.dropOldest();
    }
  }

  /** Count, min, max and mean; NaN for each when empty. */
  stats(): WindowStats {
    const stats = new WindowStats();
    const count = this.values.length;
    stats.count = count;
    if (count == 0) return stats;
    let low = Infinity;
    let high = -Infinity;
    let sum: f64 = 0;
    for (let i = 0; i < count; i++) {
      const value = this.values[i];
      if (value < low) low = value;
      if (value > high) high = value;
      sum += value;
    }
    stats.min = low;
    stats.max = high;
    stats.mean = sum / <f64> count;
    return stats;
  }

  private dropOldest(): void {
    this.values.shift();
    this.times.shift();
  }
}
