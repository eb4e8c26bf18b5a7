/**
 * The contract every source of `trellis:sensors` keeps: read what is there
 * now, report what is not as error readings, and release what it holds.
 *
 * @module
 */
import type { Logger } from "../runtime/logger.ts";
import type { SourceName } from "./sensor_config.ts";
import type { Reading } from "./sensor_reading.ts";

/** A place readings come from, such as the thermal zones of a board. */
export interface SensorSource {
  /** The source's name, as `SOURCE` spells it. */
  readonly name: SourceName;
  /**
   * Reads every sensor the source finds. Never rejects: a sensor that is
   * missing or unreadable is an error reading.
   */
  read(): Promise<Reading[]>;
  /** Releases open devices and readers; reads after it find nothing. */
  close(): Promise<void>;
}

/** What a source is given besides its own binding values. */
export interface SourceContext {
  /** Where sysfs lives: `/` on a device, a fake tree in tests. */
  root: string;
  /** The clock of reading timestamps, in ms since the Unix epoch. */
  now: () => number;
  /** Where the source writes; problems with sensors are the sampler's. */
  logger: Logger;
}
