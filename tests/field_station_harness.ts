/**
 * A host running the field station's aggregator for tests: HTTP on a free
 * port of 127.0.0.1, the key-value store in SQLite under a data directory
 * that outlives the host, messaging on a loopback bus whose `telemetry.>`
 * messages are recorded, and readings delivered by hand.
 */
import { encode } from "../runtime/codec.ts";
import { generateKeyPair, type KeyPair } from "../runtime/ed25519.ts";
import { Host } from "../runtime/host.ts";
import { LoopbackBus } from "../runtime/loopback_bus.ts";
import { httpServerProvider } from "../providers/http_server.ts";
import { keyValueProvider } from "../providers/keyvalue.ts";
import { createMessagingProvider } from "../providers/messaging.ts";
import { sensorsProvider } from "../providers/sensors.ts";
import { AGGREGATOR_CAPS } from "../scripts/prepare_field_station.ts";
import { aggregatorActor } from "./actors.ts";
import { Recorder } from "./bus_recorder.ts";
import { freePort } from "./http_server_harness.ts";
import { signActor } from "./sign.ts";

/** 2024-05-01 12:00:00 UTC, when crafted readings start. */
export const T0 = Date.UTC(2024, 4, 1, 12);

/** The temperature sensor the tests read from. */
export const TEMPERATURE = "barn-1.temperature";

/** One second, in milliseconds. */
export const SECOND = 1000;

/** A reading as `trellis:sensors` sends it. */
export type WireReading = Record<string, unknown>;

/**
 * A good reading of `sensor`, whose kind is the part after its last dot
 * (`temperature` in °C, `humidity` in %).
 */
export function reading(
  sensor: string,
  value: number,
  timestamp: number,
): WireReading {
  const kind = sensor.slice(sensor.lastIndexOf(".") + 1);
  const unit = kind === "temperature" ? "°C" : kind === "humidity" ? "%" : "";
  return {
    sensor,
    kind,
    value,
    unit,
    timestamp: BigInt(timestamp), // always an integer on the wire
    source: "simulated",
  };
}

/** The window statistics and alarm of one sensor in `/readings.json`. */
export interface SensorJson {
  sensor: string;
  kind: string;
  unit: string;
  value: number | null;
  timestamp: number;
  error: string | null;
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  alarm: null | {
    bound: string;
    limit: number;
    value: number;
    peak: number;
    since: number;
  };
}

/** An alarm raised or cleared, as listed and published. */
export interface AlarmEventJson {
  device?: string;
  sensor: string;
  kind: string;
  unit: string;
  state: "raised" | "cleared";
  bound: string;
  value: number;
  limit: number;
  at: number;
}

/** `GET /readings.json`. */
export interface ReadingsJson {
  device: string;
  updated: number;
  sequence: number;
  deliveries: number;
  skipped: number;
  window: { readings: number; seconds: number };
  sensors: SensorJson[];
  alarms: (Omit<SensorJson, "alarm"> & Record<string, unknown>)[];
  events: AlarmEventJson[];
  thresholds: Record<string, { low: number | null; high: number | null }>;
  telemetry: {
    subject: string;
    alarmSubject: string;
    published: number;
    failed: number;
    lastError: string;
  };
}

let signed: Promise<{ bytes: Uint8Array; subject: KeyPair }> | undefined;

// One signed module for the whole file: a host started again runs the
// same actor.
function signedAggregator() {
  signed ??= aggregatorActor().then((bytes) =>
    signActor(bytes, { name: "aggregator", caps: [...AGGREGATOR_CAPS] })
  );
  return signed;
}

/** What {@linkcode StationHost.start} is given. */
export interface StationOptions {
  /** Reuse the data directory (and so the key-value store) of a run. */
  dataDir?: string;
  /** Bind `trellis:sensors` with these values too. */
  sensors?: Record<string, string>;
}

/** A host running the aggregator. */
export class StationHost {
  readonly telemetry = new Recorder();
  #sequence = 0;

  private constructor(
    readonly host: Host,
    readonly bus: LoopbackBus,
    readonly actor: string,
    readonly base: string,
    readonly dataDir: string,
  ) {}

  /** Starts a host, the aggregator and its bindings. */
  static async start(options: StationOptions = {}): Promise<StationHost> {
    const dataDir = options.dataDir ??
      await Deno.makeTempDir({ prefix: "trellis-field-" });
    const id = (await generateKeyPair("server")).publicKey;
    const host = new Host({ id, dataDir });
    const bus = new LoopbackBus();
    const { bytes, subject } = await signedAggregator();
    const port = freePort();
    const station = new StationHost(
      host,
      bus,
      subject.publicKey,
      `http://127.0.0.1:${port}`,
      dataDir,
    );
    bus.subscribe("telemetry.>", station.telemetry.handler);

    await host.startProvider(httpServerProvider);
    await host.startProvider(keyValueProvider);
    await host.startProvider(createMessagingProvider(bus));
    await host.startActor(bytes, { source: "aggregator.wasm" });
    const actor = subject.publicKey;
    await host.bind(actor, "wascc:http_server", "default", {
      HOST: "127.0.0.1",
      PORT: String(port),
    });
    await host.bind(actor, "wascc:keyvalue");
    await host.bind(actor, "wascc:messaging");
    if (options.sensors) {
      await host.startProvider(sensorsProvider);
      await host.bind(actor, "trellis:sensors", "default", options.sensors);
    }
    return station;
  }

  /** Delivers one batch as `trellis:sensors` would. */
  async deliver(readings: WireReading[], skipped = 0): Promise<void> {
    const batch = { readings, sequence: ++this.#sequence, skipped };
    await this.host.invoke(this.actor, "DeliverReadings", encode(batch));
  }

  /** `GET /readings.json`, decoded. */
  async readings(): Promise<ReadingsJson> {
    const response = await fetch(`${this.base}/readings.json`);
    if (response.status !== 200) {
      throw new Error(`GET /readings.json answered ${response.status}`);
    }
    return await response.json();
  }

  /** One sensor of `/readings.json`. */
  async sensor(name: string): Promise<SensorJson> {
    const found = (await this.readings()).sensors.find((sensor) =>
      sensor.sensor === name
    );
    if (!found) throw new Error(`No sensor "${name}" in /readings.json`);
    return found;
  }

  /** Sends a request; returns the status, content type and body text. */
  async request(
    method: string,
    path: string,
    body?: string,
  ): Promise<{ status: number; type: string; text: string }> {
    const response = await fetch(`${this.base}${path}`, { method, body });
    return {
      status: response.status,
      type: response.headers.get("content-type") ?? "",
      text: await response.text(),
    };
  }

  /** The recorded messages on `subject`, parsed as JSON. */
  published(subject: string): unknown[] {
    return this.telemetry.messages
      .filter((message) => message.subject === subject)
      .map((message) => JSON.parse(new TextDecoder().decode(message.payload)));
  }

  /** Stops the host; the data directory stays until `dispose`. */
  async stop(): Promise<void> {
    await this.host.stop();
    await this.bus.close();
  }

  /** Stops the host and removes its data directory. */
  async dispose(): Promise<void> {
    await this.stop();
    await Deno.remove(this.dataDir, { recursive: true });
  }
}

/** Delivers one temperature reading a second from `from`, one per value. */
export async function temperatures(
  station: StationHost,
  values: number[],
  from = T0,
): Promise<void> {
  for (const [index, value] of values.entries()) {
    await station.deliver([reading(TEMPERATURE, value, from + index * SECOND)]);
  }
}

/** Alarm events as `"sensor bound state"` lines, to compare at a glance. */
export function stateOf(events: unknown[]): string[] {
  return (events as AlarmEventJson[]).map((event) =>
    `${event.sensor} ${event.bound} ${event.state}`
  );
}
