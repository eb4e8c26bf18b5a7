/**
 * Reads one binding's sources together and keeps watch over their
 * sensors: a sensor that turns unreadable is logged once (and again only
 * after it recovered), and a sensor that read well before but is no longer
 * found is reported as an error reading rather than silently dropped.
 *
 * @module
 */
import type { Logger } from "../runtime/logger.ts";
import {
  errorReading,
  type Reading,
  type ReadingSubject,
  reasonOf,
} from "./sensor_reading.ts";
import type { SensorSource } from "./sensor_source.ts";

/** The sources of one binding, read as one. */
export class SensorSampler {
  /** The binding's sources, in `SOURCE` order. */
  readonly sources: readonly SensorSource[];
  readonly #logger: Logger;
  readonly #now: () => number;
  /** Sensors that once gave a value, by id. */
  readonly #known = new Map<string, ReadingSubject>();
  /** Sensors whose last reading was an error, already logged. */
  readonly #failing = new Set<string>();

  /** A sampler logging sensor problems to `logger`. */
  constructor(
    sources: readonly SensorSource[],
    logger: Logger,
    now: () => number,
  ) {
    this.sources = sources;
    this.#logger = logger;
    this.#now = now;
  }

  /** Reads every source; what cannot be read comes back as error readings. */
  async sample(): Promise<Reading[]> {
    const batches = await Promise.all(
      this.sources.map((source) => this.#readSource(source)),
    );
    const readings = batches.flat();
    readings.push(...this.#vanished(readings));
    this.#watch(readings);
    return readings;
  }

  /** Closes every source. */
  async close(): Promise<void> {
    await Promise.all(this.sources.map((source) => source.close()));
  }

  async #readSource(source: SensorSource): Promise<Reading[]> {
    try {
      return await source.read();
    } catch (error) {
      const subject = {
        sensor: source.name,
        kind: "",
        unit: "",
        source: source.name,
      };
      return [errorReading(subject, this.#now(), reasonOf(error))];
    }
  }

  #vanished(readings: Reading[]): Reading[] {
    const present = new Set(readings.map((reading) => reading.sensor));
    const missing: Reading[] = [];
    for (const [sensor, subject] of this.#known) {
      if (present.has(sensor)) continue;
      const reason = `Sensor "${sensor}" is no longer found`;
      missing.push(errorReading(subject, this.#now(), reason));
    }
    return missing;
  }

  #watch(readings: Reading[]): void {
    const seen = new Set<string>();
    for (const reading of readings) {
      const { sensor, source } = reading;
      seen.add(sensor);
      if (reading.error === undefined) {
        this.#remember(reading);
        if (this.#failing.delete(sensor)) {
          this.#logger.info("sensor readable again", { sensor, source });
        }
      } else if (!this.#failing.has(sensor)) {
        this.#failing.add(sensor);
        this.#logger.warn("sensor unreadable", {
          sensor,
          source,
          error: reading.error,
        });
      }
    }
    // A problem whose reading is gone (a device-wide error that cleared)
    // is over, though no good reading said so.
    for (const sensor of this.#failing) {
      if (!seen.has(sensor)) this.#failing.delete(sensor);
    }
  }

  #remember({ sensor, kind, unit, source, label }: Reading): void {
    if (this.#known.has(sensor)) return;
    this.#known.set(sensor, { sensor, kind, unit, source, label });
  }
}
