/** A messaging provider on a loopback bus, recording its deliveries. */
import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import type { LogFields, Logger } from "../runtime/logger.ts";
import { LoopbackBus } from "../runtime/loopback_bus.ts";
import type { CapabilityProvider } from "../runtime/provider.ts";
import { createMessagingProvider } from "../providers/messaging.ts";
import { pause, text } from "./bus_recorder.ts";

export const ACTOR = "MACTORONE";
export const OTHER_ACTOR = "MACTORTWO";

export interface Delivery {
  actor: string;
  operation: string;
  subject: string;
  replyTo: string;
  body: string;
}

/** A provider on a fresh loopback bus that records what it delivers. */
export class Harness {
  readonly bus = new LoopbackBus({ maxPayload: 4096 });
  readonly deliveries: Delivery[] = [];
  readonly logLines: [string, LogFields | undefined][] = [];
  provider!: CapabilityProvider;
  failDelivery = false;

  static async start(): Promise<Harness> {
    const harness = new Harness();
    harness.provider = await createMessagingProvider(harness.bus).create({
      binding: "default",
      logger: recordingLogger(harness.logLines),
      dataDir: "/nonexistent",
      deliver: (actor, operation, payload) => {
        harness.record(actor, operation, payload);
        return harness.failDelivery
          ? Promise.reject(new Error("actor trapped"))
          : Promise.resolve(new Uint8Array());
      },
    });
    return harness;
  }

  record(actor: string, operation: string, payload: Uint8Array): void {
    const message = decode(payload) as Record<string, unknown>;
    this.deliveries.push({
      actor,
      operation,
      subject: message.subject as string,
      replyTo: message.replyTo as string,
      body: text(message.body as Uint8Array),
    });
  }

  bind(values: Record<string, string>, actor = ACTOR): Promise<void> {
    return this.provider.bind({ actor, binding: "default", values });
  }

  call(operation: string, request: unknown): Promise<Uint8Array> {
    return this.provider.call({
      actor: ACTOR,
      operation,
      payload: encode(request),
    });
  }

  async delivered(count: number): Promise<Delivery[]> {
    const until = performance.now() + 3000;
    while (this.deliveries.length < count && performance.now() < until) {
      await pause(2);
    }
    assert.is(this.deliveries.length, count, "deliveries");
    return this.deliveries;
  }

  async stop(): Promise<void> {
    await this.provider.stop();
    await this.bus.close();
  }
}

/** A logger that keeps `error` and `warn` lines in `lines`. */
export function recordingLogger(
  lines: [string, LogFields | undefined][],
): Logger {
  const logger: Logger = {
    error: (message, fields) => lines.push([message, fields]),
    warn: (message, fields) => lines.push([message, fields]),
    info: () => {},
    debug: () => {},
    trace: () => {},
    child: () => logger,
  };
  return logger;
}
