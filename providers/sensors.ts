/**
 * The built-in `trellis:sensors` provider: readings of the device's own
 * sensors — thermal zones, hwmon chips, 1-Wire thermometers, IIO devices,
 * serial GPS or microcontroller lines, or a seeded simulation — delivered
 * to each bound actor as `DeliverReadings` every `INTERVAL`, and read on
 * demand with `ReadSensors`. Each binding chooses its sources with its
 * values (providers/sensor_config.ts; docs/sensors.md).
 *
 * @module
 */
import { asStringList } from "../runtime/codec.ts";
import type { Logger } from "../runtime/logger.ts";
import {
  type ActorBinding,
  type CapabilityDescriptor,
  type CapabilityProvider,
  type ProviderCall,
  type ProviderContext,
  type ProviderFactory,
  unknownOperation,
} from "../runtime/provider.ts";
import { decodeRequest, perform } from "./operation.ts";
import { readSensorConfig, type SensorConfig } from "./sensor_config.ts";
import {
  DELIVER_OPERATION,
  type FeedCounts,
  ReadingFeed,
} from "./sensor_feed.ts";
import { iioSource } from "./sensor_iio.ts";
import { encodeBatch, errorReading, type Reading } from "./sensor_reading.ts";
import { SensorSampler } from "./sensor_sampler.ts";
import { SerialPorts } from "./sensor_serial_ports.ts";
import { simulatedSource } from "./sensor_simulated.ts";
import type { SensorSource, SourceContext } from "./sensor_source.ts";
import { hwmonSource, thermalSource } from "./sensor_sysfs.ts";
import { w1Source } from "./sensor_w1.ts";

const CAPABILITY = "trellis:sensors";

/** What the sensors provider says about itself. */
export const sensorsDescriptor: CapabilityDescriptor = {
  id: CAPABILITY,
  name: "Sensors",
  version: "0.1.0",
  revision: 1,
  longDescription: "Readings of thermal zones, hwmon chips, 1-Wire " +
    "thermometers, IIO devices, serial NMEA or CSV lines and a seeded " +
    "simulation, delivered on an interval and read on demand; binding " +
    "values SOURCE, INTERVAL, ROOT, DEVICE, FORMAT, BAUD, SEED, SENSORS, " +
    "SPIKES, DEVICE_NAME",
  supportedOperations: [
    {
      name: "ReadSensors",
      direction: "to_provider",
      doctext: "Reads the binding's sensors now: {sensors?: [id]} → " +
        "ReadingBatch{readings, sequence: 0, skipped: 0}",
    },
    {
      name: DELIVER_OPERATION,
      direction: "to_actor",
      doctext: "A ReadingBatch{readings, sequence, skipped} every INTERVAL",
    },
  ],
};

/** Options of {@link createSensorsProvider}. */
export interface SensorsProviderOptions {
  /** The clock of reading timestamps (default `Date.now`). */
  now?: () => number;
}

/** Makes sensors providers; tests pass a clock. */
export function createSensorsProvider(
  options: SensorsProviderOptions = {},
): ProviderFactory {
  const now = options.now ?? Date.now;
  return {
    capabilityId: CAPABILITY,
    create: (context) => new SensorsProvider(context, now),
  };
}

/** The `trellis:sensors` provider with the wall clock. */
export const sensorsProvider: ProviderFactory = createSensorsProvider();

/** The sources and timer of one bound actor. */
interface Binding {
  sampler: SensorSampler;
  feed?: ReadingFeed;
}

/** A `trellis:sensors` instance; `counts` is there for tests and benches. */
export class SensorsProvider implements CapabilityProvider {
  /** What the instance says about itself. */
  readonly descriptor: CapabilityDescriptor = sensorsDescriptor;
  readonly #context: ProviderContext;
  readonly #now: () => number;
  readonly #ports = new SerialPorts();
  readonly #bindings = new Map<string, Binding>();

  /** An instance with no bindings; `now` stamps its readings. */
  constructor(context: ProviderContext, now: () => number) {
    this.#context = context;
    this.#now = now;
  }

  /** How the actor's feed has fared, if it has one. */
  counts(actor: string): Readonly<FeedCounts> | undefined {
    return this.#bindings.get(actor)?.feed?.counts;
  }

  /**
   * Opens the sources the binding's values name and starts its timer,
   * replacing an earlier binding of the actor. Rejects with a RangeError
   * naming a bad value.
   */
  async bind({ actor, values }: ActorBinding): Promise<void> {
    const config = readSensorConfig(values);
    await this.#release(actor);
    const logger = this.#context.logger.child({ actor });
    const sources = this.#openSources(config, logger);
    const sampler = new SensorSampler(sources, logger, this.#now);
    const binding: Binding = { sampler };
    if (config.intervalMs !== undefined) {
      binding.feed = new ReadingFeed({
        actor,
        intervalMs: config.intervalMs,
        sampler,
        deliver: this.#context.deliver,
        logger,
      });
      binding.feed.start();
    }
    this.#bindings.set(actor, binding);
  }

  /** Stops the actor's timer and closes its sources. */
  async unbind(actor: string): Promise<void> {
    await this.#release(actor);
  }

  /** Performs `ReadSensors`; any other operation is refused. */
  call({ actor, operation, payload }: ProviderCall): Promise<Uint8Array> {
    if (operation !== "ReadSensors") {
      return Promise.reject(unknownOperation(CAPABILITY, operation));
    }
    return perform(operation, () => this.#readNow(actor, payload));
  }

  /** Unbinds every actor and closes every device. */
  async stop(): Promise<void> {
    for (const actor of [...this.#bindings.keys()]) await this.#release(actor);
    await this.#ports.closeAll();
  }

  async #readNow(actor: string, payload: Uint8Array): Promise<Uint8Array> {
    const binding = this.#bindings.get(actor);
    if (!binding) throw new RangeError(`Actor "${actor}" is not bound`);
    const wanted = requestedSensors(payload);
    const readings = await binding.sampler.sample();
    const chosen = wanted ? this.#choose(readings, wanted) : readings;
    return encodeBatch({ readings: chosen, sequence: 0, skipped: 0 });
  }

  // The wanted sensors in the order asked, an error for each one absent.
  #choose(readings: Reading[], wanted: string[]): Reading[] {
    const bySensor = new Map(
      readings.map((reading) => [reading.sensor, reading]),
    );
    return wanted.map((sensor) =>
      bySensor.get(sensor) ??
        errorReading(
          { sensor, kind: "", unit: "", source: "" },
          this.#now(),
          `No sensor "${sensor}" in this binding`,
        )
    );
  }

  #openSources(config: SensorConfig, logger: Logger): SensorSource[] {
    const context: SourceContext = {
      root: config.root,
      now: this.#now,
      logger,
    };
    return config.sources.map((name) => {
      switch (name) {
        case "thermal":
          return thermalSource(context);
        case "hwmon":
          return hwmonSource(context);
        case "w1":
          return w1Source(context);
        case "iio":
          return iioSource(context);
        case "serial":
          return this.#serialSource(config, logger);
        case "simulated":
          return simulatedSource({
            seed: config.seed,
            units: config.units,
            spikeChance: config.spikeChance,
            prefix: config.deviceName ?? "sim",
            now: this.#now,
          });
      }
    });
  }

  #serialSource(config: SensorConfig, logger: Logger): SensorSource {
    const { device, format, baud, deviceName } = config;
    const options = { device: device!, format, baud, now: this.#now, logger };
    return this.#ports.lease(options, deviceName);
  }

  async #release(actor: string): Promise<void> {
    const binding = this.#bindings.get(actor);
    if (!binding) return;
    this.#bindings.delete(actor);
    binding.feed?.stop();
    await binding.sampler.close();
  }
}

// Undefined for every sensor: an empty payload, or no `sensors` given.
function requestedSensors(payload: Uint8Array): string[] | undefined {
  if (payload.length === 0) return undefined;
  const request = decodeRequest(payload, ["sensors"], []);
  const sensors = asStringList(request.sensors, "sensors");
  return sensors.length === 0 ? undefined : sensors;
}
