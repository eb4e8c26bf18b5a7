/**
 * The simulated source of `trellis:sensors`, for demos and load tests:
 * units that each report a temperature and a humidity following a daily
 * curve, with noise and, if asked, rare spikes for alarms to catch. Every
 * value is a function of the seed, the unit and the time (to the second),
 * so the same seed read at the same moments gives the same readings.
 *
 * @module
 */
import type { Reading } from "./sensor_reading.ts";
import type { SensorSource } from "./sensor_source.ts";

/** What the simulated source is set up with. */
export interface SimulatedOptions {
  /** The seed every value derives from. */
  seed: number;
  /** How many units; each reports temperature and humidity. */
  units: number;
  /** The chance, 0 to 1, that a reading is a spike. */
  spikeChance: number;
  /** Sensor ids are `<prefix>-<unit>.temperature`, from unit 1. */
  prefix: string;
  /** The clock the values follow. */
  now: () => number;
}

const DAY_MS = 86_400_000;

/** The simulated units, as a source. */
export function simulatedSource(options: SimulatedOptions): SensorSource {
  const units = Array.from(
    { length: options.units },
    (_, index) => new SimulatedUnit(options, index + 1),
  );
  return {
    name: "simulated",
    read: () => {
      const timestamp = options.now();
      return Promise.resolve(units.flatMap((unit) => unit.read(timestamp)));
    },
    close: () => Promise.resolve(),
  };
}

/** One simulated unit: a thermometer and a hygrometer in one place. */
class SimulatedUnit {
  readonly #options: SimulatedOptions;
  readonly #unit: number;
  readonly #sensor: string;
  /** The unit's own mean temperature (°C) and daily swing. */
  readonly #mean: number;
  readonly #swing: number;

  constructor(options: SimulatedOptions, unit: number) {
    this.#options = options;
    this.#unit = unit;
    this.#sensor = `${options.prefix}-${unit}`;
    this.#mean = 10 + 8 * this.#draw(0, 1);
    this.#swing = 3 + 5 * this.#draw(0, 2);
  }

  read(timestamp: number): Reading[] {
    const second = Math.floor(timestamp / 1000);
    // -1 at 03:00 UTC, +1 at 15:00 UTC.
    const phase = ((timestamp % DAY_MS) / DAY_MS - 0.375) * 2 * Math.PI;
    const daily = Math.sin(phase);
    let temperature = this.#mean + this.#swing * daily +
      this.#noise(second, 3) * 0.4;
    let humidity = 70 - 18 * daily + this.#noise(second, 4) * 2;
    if (this.#draw(second, 5) < this.#options.spikeChance) {
      temperature += 12 + 6 * this.#draw(second, 6);
      humidity -= 25;
    }
    humidity = Math.min(100, Math.max(0, humidity));
    return [
      this.#reading("temperature", "°C", temperature, timestamp),
      this.#reading("humidity", "%", humidity, timestamp),
    ];
  }

  #reading(kind: string, unit: string, value: number, timestamp: number) {
    return {
      sensor: `${this.#sensor}.${kind}`,
      kind,
      value: Math.round(value * 100) / 100,
      unit,
      timestamp,
      source: "simulated",
    };
  }

  // Roughly normal, mean 0: the sum of three uniform draws, centred.
  #noise(second: number, stream: number): number {
    let sum = 0;
    for (let draw = 0; draw < 3; draw++) {
      sum += this.#draw(second, stream * 8 + draw);
    }
    return (sum - 1.5) * 2;
  }

  #draw(second: number, stream: number): number {
    return uniform(this.#options.seed, this.#unit, second, stream);
  }
}

/**
 * A number in [0, 1) that depends only on its arguments: the words are
 * folded into a 32-bit state and mixed (multiply, xor-shift) after each.
 */
export function uniform(...words: number[]): number {
  let state = 0x2545f491;
  for (const word of words) {
    state = Math.imul(state ^ (word >>> 0), 0x9e3779b1);
    state ^= state >>> 15;
    state = Math.imul(state ^ Math.floor(word / 2 ** 32), 0x85ebca77);
    state ^= state >>> 13;
    state = Math.imul(state, 0xc2b2ae3d);
    state ^= state >>> 16;
  }
  return (state >>> 0) / 2 ** 32;
}
