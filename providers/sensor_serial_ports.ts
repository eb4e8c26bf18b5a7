/**
 * The serial devices one provider instance reads. Bindings naming the same
 * device share one reader, so two actors listening to one GPS each see
 * every sentence instead of half of them; the device closes with its last
 * binding.
 *
 * @module
 */
import { basename } from "node:path";
import { errorReading } from "./sensor_reading.ts";
import { type SerialOptions, SerialReader } from "./sensor_serial.ts";
import type { SensorSource } from "./sensor_source.ts";

interface SharedReader {
  reader: SerialReader;
  leases: number;
}

/** Serial readers by device path, shared between bindings. */
export class SerialPorts {
  readonly #shared = new Map<string, SharedReader>();

  /**
   * A source reading `options.device`, its sensor ids prefixed with
   * `prefix` (default the device's file name, such as `ttyUSB0`). Throws a
   * RangeError when the device is already read in another format or at
   * another speed.
   */
  lease(options: SerialOptions, prefix?: string): SensorSource {
    const shared = this.#acquire(options);
    const name = prefix ?? basename(options.device);
    let released = false;
    return {
      name: "serial",
      read: async () => {
        if (released) return [];
        await shared.reader.ensureOpen();
        const readings = shared.reader.readings().map((reading) => ({
          ...reading,
          sensor: `${name}.${reading.sensor}`,
        }));
        const problem = shared.reader.problem;
        if (problem === undefined) return readings;
        const subject = { sensor: name, kind: "", unit: "", source: "serial" };
        return [...readings, errorReading(subject, options.now(), problem)];
      },
      close: async () => {
        if (released) return;
        released = true;
        await this.#release(options.device);
      },
    };
  }

  /** Closes every device. */
  async closeAll(): Promise<void> {
    const readers = [...this.#shared.values()];
    this.#shared.clear();
    await Promise.all(readers.map(({ reader }) => reader.close()));
  }

  #acquire(options: SerialOptions): SharedReader {
    const known = this.#shared.get(options.device);
    if (!known) {
      const shared = { reader: new SerialReader(options), leases: 1 };
      this.#shared.set(options.device, shared);
      return shared;
    }
    const { format, baud } = known.reader.options;
    if (format !== options.format || baud !== options.baud) {
      throw new RangeError(
        `Invalid "DEVICE": "${options.device}" is already read as ` +
          `${format} at ${baud} baud by another binding`,
      );
    }
    known.leases++;
    return known;
  }

  async #release(device: string): Promise<void> {
    const shared = this.#shared.get(device);
    if (!shared || --shared.leases > 0) return;
    this.#shared.delete(device);
    await shared.reader.close();
  }
}
