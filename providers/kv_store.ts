/**
 * The storage behind the `wascc:keyvalue` provider: Redis-like keys that
 * hold a string, a list or a set. A key of one type refuses the operations
 * of the others; an expired key reads as absent everywhere.
 *
 * @module
 */

/** What a key holds. */
export type KeyType = "string" | "list" | "set";

/** Options shared by the stores. */
export interface KeyValueStoreOptions {
  /**
   * The clock expiry is measured against, in milliseconds. A store that
   * persists expiry needs wall-clock epoch milliseconds.
   */
  now?: () => number;
}

/** How long a store waits between sweeps for expired keys, in clock ms. */
export const SWEEP_INTERVAL_MS = 60_000;

/**
 * Keys shared by every actor that uses the store. Methods throw a
 * `TypeError` naming the key and the type it holds when it holds another
 * type than the operation needs.
 */
export interface KeyValueStore {
  /** The string held by `key`, or `undefined` when the key is absent. */
  get(key: string): string | undefined;
  /**
   * Makes `key` hold `value`, replacing a key of any type; it expires after
   * `ttlMs` milliseconds, or never when `ttlMs` is 0.
   */
  set(key: string, value: string, ttlMs: number): void;
  /**
   * Adds `delta` to the integer string held by `key` (an absent key counts
   * as 0) and returns the sum. Expiry is kept. Throws a `TypeError` when the
   * value is not an integer and a `RangeError` when the sum is outside the
   * signed 32-bit range; the value is then unchanged.
   */
  add(key: string, delta: number): number;
  /** Removes `key`, whatever it holds. */
  delete(key: string): void;
  /** Whether `key` is present, whatever it holds. */
  exists(key: string): boolean;
  /** Appends `value` to the list at `key`; returns the new length. */
  push(key: string, value: string): number;
  /**
   * Items `start` to `stop` inclusive of the list at `key`; negative
   * indexes count from the end (-1 is the last item).
   */
  range(key: string, start: number, stop: number): string[];
  /**
   * Removes every occurrence of `value` from the list at `key`; returns the
   * new length. An emptied list is removed.
   */
  removeListItem(key: string, value: string): number;
  /** Adds `member` to the set at `key`; returns the new cardinality. */
  addToSet(key: string, member: string): number;
  /**
   * Removes `member` from the set at `key`; returns the new cardinality.
   * An emptied set is removed.
   */
  removeFromSet(key: string, member: string): number;
  /** Members of the set at `key`, in the order they were added. */
  members(key: string): string[];
  /** Releases the store; it must not be used afterwards. */
  close(): void;
}

/** The error for a key that holds another type than an operation needs. */
export function wrongType(
  key: string,
  held: KeyType,
  wanted: KeyType,
): TypeError {
  return new TypeError(`Key "${key}" holds a ${held}, not a ${wanted}`);
}

/** Whether `value` fits a signed 32-bit integer, as the wire's `i32`. */
export function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31;
}

/**
 * Adds `delta` to the integer string `current` held by `key`; throws when
 * `current` is not an integer or the sum leaves the signed 32-bit range.
 */
export function addToInteger(
  key: string,
  current: string,
  delta: number,
): number {
  const value = /^-?\d+$/.test(current) ? Number(current) : NaN;
  if (!Number.isSafeInteger(value)) {
    throw new TypeError(
      `Key "${key}" holds "${current}", which is not an integer`,
    );
  }

  const sum = value + delta;
  if (!isInt32(sum)) {
    throw new RangeError(
      `Cannot add ${delta} to key "${key}": ${sum} is outside the 32-bit range`,
    );
  }
  return sum;
}

/**
 * The slice `[from, to)` of a list of `length` items that Redis-style
 * inclusive indexes `start` and `stop` select; `from >= to` when empty.
 */
export function rangeBounds(
  length: number,
  start: number,
  stop: number,
): [from: number, to: number] {
  const from = Math.max(start < 0 ? start + length : start, 0);
  const last = Math.min(stop < 0 ? stop + length : stop, length - 1);
  return [from, Math.max(from, last + 1)];
}

/** Decides when a store sweeps for expired keys: at most once a period. */
export class SweepSchedule {
  #sweptAt: number;

  /** Starts the schedule at `now`, as if a sweep had just run. */
  constructor(now: number, readonly intervalMs = SWEEP_INTERVAL_MS) {
    this.#sweptAt = now;
  }

  /** Whether a sweep is due at `now`; if so, counts it as done. */
  due(now: number): boolean {
    if (now - this.#sweptAt < this.intervalMs) return false;
    this.#sweptAt = now;
    return true;
  }
}
