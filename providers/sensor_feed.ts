/**
 * Delivers one binding's readings to its actor on a timer. A slow actor
 * never makes batches pile up: a tick that finds the previous delivery
 * still in flight is skipped and counted, and the next batch says how many
 * were skipped.
 *
 * @module
 */
import type { Logger } from "../runtime/logger.ts";
import { encodeBatch, reasonOf } from "./sensor_reading.ts";
import type { SensorSampler } from "./sensor_sampler.ts";

/** The operation each batch is delivered as. */
export const DELIVER_OPERATION = "DeliverReadings";

/** What a feed needs to run. */
export interface FeedOptions {
  /** The actor's public key. */
  actor: string;
  /** Ticks apart, in ms. */
  intervalMs: number;
  /** Reads the binding's sources for each batch. */
  sampler: SensorSampler;
  /** Invokes the actor, as the provider context does. */
  deliver(
    actor: string,
    operation: string,
    payload: Uint8Array,
  ): Promise<Uint8Array>;
  /** Where slow and failed deliveries are logged. */
  logger: Logger;
}

/** How a feed has fared so far. */
export interface FeedCounts {
  /** Batches the actor took. */
  delivered: number;
  /** Readings in those batches. */
  readings: number;
  /** Ticks skipped because a delivery was still in flight. */
  skipped: number;
  /** Deliveries the actor failed or refused. */
  failed: number;
}

/** A binding's timer: first batch at once, then one every interval. */
export class ReadingFeed {
  /** How the feed has fared so far. */
  readonly counts: FeedCounts = {
    delivered: 0,
    readings: 0,
    skipped: 0,
    failed: 0,
  };
  readonly #options: FeedOptions;
  readonly #timers: ReturnType<typeof setTimeout>[] = [];
  #inFlight = false;
  #skippedSinceLast = 0;
  #sequence = 0;
  #failing = false;
  #stopped = false;

  /** A feed that waits for `start`. */
  constructor(options: FeedOptions) {
    this.#options = options;
  }

  /** Starts ticking. */
  start(): void {
    const tick = () => this.#tick();
    this.#timers.push(setTimeout(tick, 0));
    this.#timers.push(setInterval(tick, this.#options.intervalMs));
  }

  /**
   * Stops ticking. A delivery in flight runs to its end, but no batch is
   * sampled or sent after this.
   */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.length = 0;
  }

  #tick(): void {
    if (this.#stopped) return;
    if (this.#inFlight) {
      this.#skip();
      return;
    }
    this.#inFlight = true;
    this.#deliverOnce()
      .catch((error) => this.#failed(error))
      .finally(() => this.#inFlight = false);
  }

  #skip(): void {
    this.#skippedSinceLast++;
    this.counts.skipped++;
    const { actor, intervalMs, logger } = this.#options;
    const fields = { actor, intervalMs, skipped: this.counts.skipped };
    if (this.counts.skipped === 1) {
      logger.warn("reading delivery slower than its interval", fields);
    } else {
      logger.debug("reading tick skipped", fields);
    }
  }

  async #deliverOnce(): Promise<void> {
    const { actor, sampler, deliver, logger } = this.#options;
    const readings = await sampler.sample();
    if (this.#stopped) return;
    const sequence = ++this.#sequence;
    const skipped = this.#skippedSinceLast;
    this.#skippedSinceLast = 0;
    const payload = encodeBatch({ readings, sequence, skipped });
    await deliver(actor, DELIVER_OPERATION, payload);
    this.counts.delivered++;
    this.counts.readings += readings.length;
    if (this.#failing) {
      this.#failing = false;
      logger.info("reading delivery recovered", { actor, sequence });
    }
  }

  // Logged when a run of failures starts, not for each failed tick.
  #failed(error: unknown): void {
    this.counts.failed++;
    if (this.#failing) return;
    this.#failing = true;
    this.#options.logger.warn("reading delivery failed", {
      actor: this.#options.actor,
      sequence: this.#sequence,
      error: reasonOf(error),
    });
  }
}
