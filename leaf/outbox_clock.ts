/**
 * Enqueue stamps of outbox messages. A message's age must survive a
 * restart, so stamps are wall-clock epoch milliseconds; the monotonic
 * clock serves only to notice when the wall clock jumps.
 *
 * Stamps never go down: a stamp is at least the latest one given, even
 * when the clock was set back. That keeps them in the order of the
 * messages, so that expired messages are always a prefix of the outbox.
 *
 * @module
 */
import type { OutboxClockSource } from "./outbox_options.ts";

/** Jumps of the wall clock smaller than this are ignored, in ms. */
const STEP_THRESHOLD_MS = 2000;

/** The system's clocks. */
export const systemClock: OutboxClockSource = {
  wall: () => Date.now(),
  monotonic: () => performance.now(),
};

/** Gives stamps and notices jumps of the wall clock. */
export class OutboxClock {
  readonly #source: OutboxClockSource;
  readonly #startFloor: number;
  #floor: number;
  #offset: number;

  /** `floor` is the latest stamp given before (0 for a new outbox). */
  constructor(source: OutboxClockSource, floor: number) {
    this.#source = source;
    this.#startFloor = floor;
    this.#floor = floor;
    this.#offset = source.wall() - source.monotonic();
  }

  /** Wall-clock time now, in epoch milliseconds. */
  now(): number {
    return this.#source.wall();
  }

  /** The latest stamp given; no later stamp is smaller. */
  get floor(): number {
    return this.#floor;
  }

  /**
   * Whether the wall clock reads earlier than a stamp already given: it
   * was set back, or (after a reboot without a real-time clock) is not
   * set yet. Ages are not to be trusted then.
   */
  get behind(): boolean {
    return this.now() < this.#floor;
  }

  /** A stamp for a message stored now. */
  stamp(): number {
    this.#floor = Math.max(this.now(), this.#floor);
    return this.#floor;
  }

  /**
   * How far the wall clock jumped against the monotonic clock since the
   * previous call, when more than two seconds; otherwise 0.
   */
  takeStep(): number {
    const offset = this.now() - this.#source.monotonic();
    const step = offset - this.#offset;
    this.#offset = offset;
    return Math.abs(step) > STEP_THRESHOLD_MS ? step : 0;
  }

  /**
   * The highest value a stamp of this process may take when moved by
   * `stepMs`: stamps never move past now.
   */
  stepCap(stepMs: number): number {
    return stepMs > 0 ? this.now() : Number.MAX_SAFE_INTEGER;
  }

  /** Moves the floor along with stamps moved by `stepMs`. */
  applyStep(stepMs: number): void {
    const moved = Math.min(this.stepCap(stepMs), this.#floor + stepMs);
    this.#floor = stepMs > 0
      ? Math.max(this.#floor, moved)
      : Math.max(this.#startFloor, moved);
  }
}
