import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import type { NatsStatusEvent } from "../leaf/nats_status.ts";
import { BusClosedError } from "../runtime/bus.ts";
import type { LogFields } from "../runtime/logger.ts";
import { busConformance } from "./bus_conformance.ts";
import { bytes, pause, Recorder, text } from "./bus_recorder.ts";
import { recordingLogger } from "./messaging_harness.ts";
import { type NatsServer, startNatsServer } from "./nats_server.ts";

// One server for the conformance suites (each test has its own subjects),
// started by the first test that needs it and stopped by the last suite.
let shared: Promise<NatsServer> | undefined;
const sharedServer = () => shared ??= startNatsServer();

busConformance("nats", async () => {
  const server = await sharedServer();
  return await connectNatsBus({ servers: [server.url] });
});

const natsBus = suite("NatsBus");

natsBus.after(async () => {
  if (shared) await (await shared).stop();
});

natsBus("takes the server's max_payload as its maximum", async () => {
  const server = await startNatsServer({ config: "max_payload: 4096\n" });
  const bus = await connectNatsBus({ servers: [server.url] });
  try {
    assert.is(bus.maxPayload, 4096);
    assert.throws(
      () => bus.publish("big", new Uint8Array(4097)),
      (error: Error) =>
        error instanceof RangeError &&
        error.message === `Cannot publish to "big": payload of 4097 bytes ` +
            `exceeds the limit of 4096 bytes`,
    );
    const recorder = new Recorder();
    bus.subscribe("big", recorder.handler);
    bus.publish("big", new Uint8Array(4096));
    const [message] = await recorder.until(1);
    assert.is(message.payload.length, 4096);
  } finally {
    await bus.close();
    await server.stop();
  }
});

natsBus("carries messages between two connections", async () => {
  const server = await sharedServer();
  const first = await connectNatsBus({ servers: [server.url], name: "one" });
  const second = await connectNatsBus({ servers: [server.url], name: "two" });
  try {
    second.subscribe("across.>", (message) => {
      message.respond(bytes(`${message.subject}: ${text(message.payload)}`), {
        headers: { Seen: message.headers?.Tag ?? [] },
      });
    }, { queue: "answerers" });
    await second.flush();

    const reply = await first.request("across.one", bytes("hi"), {
      timeoutMs: 2000,
      headers: { Tag: ["a", "b"] },
    });
    assert.is(text(reply.payload), "across.one: hi");
    assert.equal(reply.headers, { Seen: ["a", "b"] });
  } finally {
    await first.close();
    await second.close();
  }
});

natsBus("reports a failing handler to its logger", async () => {
  const server = await sharedServer();
  const lines: [string, LogFields | undefined][] = [];
  const bus = await connectNatsBus({
    servers: [server.url],
    logger: recordingLogger(lines),
  });
  try {
    const recorder = new Recorder();
    bus.subscribe("jobs.*", () => {
      throw new Error("handler broke");
    }, { queue: "workers" });
    bus.subscribe("jobs.*", recorder.handler);
    bus.publish("jobs.one", bytes("x"));

    await recorder.until(1);
    await pause(5);
    assert.equal(lines, [["subscriber failed", {
      subject: "jobs.*",
      queue: "workers",
      error: "handler broke",
    }]]);
  } finally {
    await bus.close();
  }
});

natsBus("drains what the server sent before it saw the drain", async () => {
  const server = await sharedServer();
  const bus = await connectNatsBus({ servers: [server.url] });
  try {
    const handled: string[] = [];
    const subscription = bus.subscribe("inflight", async (message) => {
      await pause(1);
      handled.push(text(message.payload));
    });
    for (const name of ["1", "2", "3"]) bus.publish("inflight", bytes(name));

    await subscription.drain();
    assert.equal(handled, ["1", "2", "3"]);
    assert.is(subscription.received, 3);
  } finally {
    await bus.close();
  }
});

natsBus("answers a request still pending while draining", async () => {
  const server = await sharedServer();
  const bus = await connectNatsBus({ servers: [server.url] });
  bus.subscribe("slow", async (message) => {
    await pause(10);
    message.respond(bytes("late but there"));
  });
  const reply = bus.request("slow", bytes(""), { timeoutMs: 2000 });
  await pause(5);

  await bus.drain();
  assert.is(text((await reply).payload), "late but there");
  assert.is(bus.status, "closed");
});

natsBus("reports the link going down and coming back", async () => {
  const server = await startNatsServer();
  const events: NatsStatusEvent[] = [];
  const bus = await connectNatsBus({
    servers: [server.url],
    reconnect: { delayMs: 50, jitterMs: 0 },
  });
  try {
    bus.onStatus((event) => events.push(event));
    assert.is(bus.status, "connected");
    const recorder = new Recorder();
    bus.subscribe("survives", recorder.handler);

    await server.restart();
    await until(() => bus.status === "connected" && events.length > 1);
    assert.is(events[0].status, "disconnected");
    assert.is(events.at(-1)?.status, "connected");
    bus.publish("survives", bytes("after"));
    await recorder.until(1);
  } finally {
    await bus.close();
    await server.stop();
  }
  assert.is(events.at(-1)?.status, "closed");
});

natsBus("closes the bus when the client gives up reconnecting", async () => {
  const server = await startNatsServer();
  const events: NatsStatusEvent[] = [];
  const bus = await connectNatsBus({
    servers: [server.url],
    reconnect: { maxAttempts: 1, delayMs: 20, jitterMs: 0 },
  });
  bus.onStatus((event) => events.push(event));
  const subscription = bus.subscribe("gone", () => {});

  await server.stop();
  await subscription.closed;
  await until(() => bus.status === "closed");
  assert.throws(
    () => bus.publish("x", bytes("")),
    (error: Error) => error instanceof BusClosedError,
  );
  assert.equal(events.map((event) => event.status).at(-1), "closed");
  await bus.close();
});

natsBus("fails clearly when no server listens", async () => {
  const server = await startNatsServer();
  await server.stop();
  try {
    await connectNatsBus({ servers: [server.url], reconnect: false });
    assert.unreachable("connected to a stopped server");
  } catch (error) {
    assert.match(
      (error as Error).message,
      new RegExp(`^Cannot connect to NATS at "${server.url}": `),
    );
  }
});

natsBus.run();

async function until(condition: () => boolean, timeoutMs = 5000) {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) {
      throw new Error(`Condition not met within ${timeoutMs} ms`);
    }
    await pause(10);
  }
}
