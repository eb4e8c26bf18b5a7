/**
 * `bus`: the loopback bus with 64-byte payloads: publish→deliver to one
 * subscriber, to a queue group of four, and request/reply round trips,
 * one at a time and 16 in flight.
 */
import { callRate } from "./measure.ts";
import type { Bus } from "../../runtime/bus.ts";
import { LoopbackBus } from "../../runtime/loopback_bus.ts";
import type { BenchRow } from "./table.ts";

const PAYLOAD = new Uint8Array(64).fill(7);
const BATCH = 1024;

/** Messages delivered per second, publishing in batches of 1024. */
async function publishRate(
  bus: Bus,
  seconds: number,
  subject: string,
): Promise<number> {
  let delivered = 0;
  let wake = () => {};
  const consumer = bus.subscribe(subject, () => {
    if (++delivered % BATCH === 0) wake();
  });
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    const batchDone = new Promise<void>((resolve) => wake = resolve);
    for (let index = 0; index < BATCH; index++) bus.publish(subject, PAYLOAD);
    await batchDone;
  }
  const rate = delivered / ((performance.now() - started) / 1000);
  consumer.unsubscribe();
  return rate;
}

/** Messages delivered per second to a queue group of four members. */
async function queueRate(bus: Bus, seconds: number): Promise<number> {
  let delivered = 0;
  let wake = () => {};
  const handler = () => {
    if (++delivered % BATCH === 0) wake();
  };
  const members = Array.from(
    { length: 4 },
    () => bus.subscribe("bench.queue", handler, { queue: "workers" }),
  );
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    const batchDone = new Promise<void>((resolve) => wake = resolve);
    for (let index = 0; index < BATCH; index++) {
      bus.publish("bench.queue", PAYLOAD);
    }
    await batchDone;
  }
  const rate = delivered / ((performance.now() - started) / 1000);
  members.forEach((member) => member.unsubscribe());
  return rate;
}

/** Request/reply round trips per second with `inFlight` requesters. */
async function requestRate(
  bus: Bus,
  seconds: number,
  inFlight: number,
): Promise<number> {
  const responder = bus.subscribe("bench.echo", (message) => {
    message.respond(message.payload);
  });
  const rate = await callRate(
    seconds,
    inFlight,
    () => bus.request("bench.echo", PAYLOAD, { timeoutMs: 5000 }),
  );
  responder.unsubscribe();
  return rate;
}

/** Runs the scenario on a fresh loopback bus. */
export async function busScenario(seconds: number): Promise<BenchRow[]> {
  const bus = new LoopbackBus();
  await publishRate(bus, 0.3, "bench.warm");
  await requestRate(bus, 0.3, 1);

  const row = (measure: string, value: number, unit: string): BenchRow => ({
    scenario: "bus",
    measure,
    value,
    unit,
  });
  const rows = [
    row(
      "publish→deliver, 1 subscriber",
      await publishRate(
        bus,
        seconds,
        "bench.one",
      ),
      "msg/s",
    ),
    row(
      "publish→deliver, queue of 4",
      await queueRate(bus, seconds),
      "msg/s",
    ),
    row("request/reply, 1 in flight", await requestRate(bus, seconds, 1), "/s"),
    row(
      "request/reply, 16 in flight",
      await requestRate(bus, seconds, 16),
      "/s",
    ),
  ];
  await bus.close();
  return rows;
}
