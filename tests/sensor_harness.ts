/**
 * Helpers of the sensor suites: fake sysfs trees in temporary directories,
 * a recording logger, and a sensors provider whose deliveries are
 * recorded.
 */
import { dirname, join } from "node:path";
import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import type { LogFields, Logger, LogLevel } from "../runtime/logger.ts";
import {
  createSensorsProvider,
  type SensorsProvider,
} from "../providers/sensors.ts";

/** The actor key the provider-level suites bind. */
export const ACTOR = "MSENSORACTOR";

/** A log line as recorded. */
export interface Line {
  level: LogLevel;
  message: string;
  fields?: LogFields;
}

/** A logger that keeps every line in `lines`. */
export function recordingLogger(lines: Line[]): Logger {
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, fields });
  };
  const logger: Logger = {
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    trace: at("trace"),
    child: () => logger,
  };
  return logger;
}

/** A temporary directory standing in for `/`, filled file by file. */
export class FakeRoot {
  private constructor(readonly path: string) {}

  static async create(): Promise<FakeRoot> {
    return new FakeRoot(await Deno.makeTempDir({ prefix: "trellis-sensor-" }));
  }

  /** Writes `text` at `relative` (such as `sys/class/thermal/…/temp`). */
  async write(relative: string, text: string): Promise<void> {
    const path = join(this.path, relative);
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, text);
  }

  /** Writes each of `files`, relative path to text. */
  async writeAll(files: Record<string, string>): Promise<void> {
    for (const [relative, text] of Object.entries(files)) {
      await this.write(relative, text);
    }
  }

  async remove(relative: string): Promise<void> {
    await Deno.remove(join(this.path, relative), { recursive: true });
  }

  async dispose(): Promise<void> {
    await Deno.remove(this.path, { recursive: true });
  }
}

/** A reading as decoded from the wire. */
export type WireReading = Record<string, unknown> & {
  sensor: string;
  value: number;
};

/** A decoded ReadingBatch. */
export interface WireBatch {
  readings: WireReading[];
  sequence: number;
  skipped: number;
}

/** Decodes a ReadingBatch. */
export function decodeBatch(bytes: Uint8Array): WireBatch {
  return decode(bytes) as WireBatch;
}

/** The reading of `sensor` in `batch`; fails the test when absent. */
export function readingOf(batch: WireBatch, sensor: string): WireReading {
  const found = batch.readings.find((reading) => reading.sensor === sensor);
  assert.ok(found, `a reading of "${sensor}" in ${sensorsOf(batch)}`);
  return found!;
}

/** The sensor ids of a batch, in order. */
export function sensorsOf(batch: WireBatch): string[] {
  return batch.readings.map((reading) => reading.sensor);
}

/** A delivery the provider made. */
export interface Delivery {
  actor: string;
  operation: string;
  batch: WireBatch;
}

/** Options of {@link ProviderHarness.start}. */
export interface HarnessOptions {
  now?: () => number;
  /** Answers each delivery; default at once with nothing. */
  answer?: (delivery: Delivery) => Promise<Uint8Array>;
}

/** A sensors provider whose deliveries and log lines are recorded. */
export class ProviderHarness {
  readonly deliveries: Delivery[] = [];
  readonly lines: Line[] = [];
  provider!: SensorsProvider;

  static async start(options: HarnessOptions = {}): Promise<ProviderHarness> {
    const harness = new ProviderHarness();
    const answer = options.answer ?? (() => Promise.resolve(new Uint8Array()));
    const factory = createSensorsProvider({ now: options.now });
    harness.provider = await factory.create({
      binding: "default",
      logger: recordingLogger(harness.lines),
      dataDir: "/nonexistent",
      deliver: (actor, operation, payload) => {
        const delivery = { actor, operation, batch: decodeBatch(payload) };
        harness.deliveries.push(delivery);
        return answer(delivery);
      },
    }) as SensorsProvider;
    return harness;
  }

  bind(values: Record<string, string>, actor = ACTOR): Promise<void> {
    return this.provider.bind({ actor, binding: "default", values });
  }

  /** Calls ReadSensors as `actor`; `request` undefined sends no payload. */
  async read(request?: unknown, actor = ACTOR): Promise<WireBatch> {
    const payload = request === undefined ? new Uint8Array() : encode(request);
    const reply = await this.provider.call({
      actor,
      operation: "ReadSensors",
      payload,
    });
    return decodeBatch(reply);
  }

  /** Waits (up to 5 s) until at least `count` deliveries were made. */
  async delivered(count: number): Promise<Delivery[]> {
    await until(() => this.deliveries.length >= count);
    return this.deliveries;
  }

  /** The log lines of one level. */
  linesAt(level: LogLevel): Line[] {
    return this.lines.filter((line) => line.level === level);
  }

  stop(): Promise<void> {
    return this.provider.stop();
  }
}

/** Waits until `condition` holds; fails after `ms`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  ms = 5000,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!await condition()) {
    if (performance.now() > deadline) {
      throw new Error(`Condition not met within ${ms} ms`);
    }
    await pause(5);
  }
}

/** `$<body>*HH`, the checksum computed apart from the provider's code. */
export function nmeaSentence(body: string): string {
  let sum = 0;
  for (const char of body) sum ^= char.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** Resolves after `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
