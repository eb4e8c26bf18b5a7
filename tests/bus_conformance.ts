/**
 * The behaviour every `Bus` must show (docs/bus.md), as a uvu suite any
 * implementation runs: `busConformance("loopback", () => …)`. Each test
 * gets a fresh bus and its own subject prefix, so a shared NATS server
 * keeps the tests apart.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  type Bus,
  BusClosedError,
  type SubscribeOptions,
} from "../runtime/bus.ts";
import { busLimitConformance } from "./bus_limit_conformance.ts";
import { busRequestConformance } from "./bus_request_conformance.ts";
import { busSubscriptionConformance } from "./bus_subscription_conformance.ts";
import { bytes, pause, Recorder, text } from "./bus_recorder.ts";
import { rejects } from "./rejects.ts";

/** What a conformance test gets: a bus and a maker of unique subjects. */
export interface BusTest {
  bus: Bus;
  /** `name` under a prefix unique to this test. */
  subject(name: string): string;
}

/** Registers a test on `suite` that runs `body` with a fresh bus. */
export type BusTestAdder = (
  title: string,
  body: (test: BusTest) => Promise<void>,
) => void;

/**
 * Registers and runs the conformance suites for one bus implementation.
 * `makeBus` gives a fresh bus for each test; the test closes it, then
 * calls `cleanup` with it.
 */
export function busConformance(
  name: string,
  makeBus: () => Promise<Bus>,
  cleanup?: (bus: Bus) => Promise<void>,
): void {
  const parts: [string, (test: BusTestAdder) => void][] = [
    ["delivery", deliveryTests],
    ["subscriptions", busSubscriptionConformance],
    ["requests", busRequestConformance],
    ["limits", busLimitConformance],
  ];
  for (const [part, register] of parts) {
    const tests = suite(`Bus conformance (${name}): ${part}`);
    register(adder(tests, makeBus, cleanup));
    tests.run();
  }
}

function adder(
  target: ReturnType<typeof suite>,
  makeBus: () => Promise<Bus>,
  cleanup?: (bus: Bus) => Promise<void>,
): BusTestAdder {
  return (title, body) =>
    target(title, async () => {
      const bus = await makeBus();
      const prefix = `conformance.${crypto.randomUUID().slice(0, 8)}`;
      try {
        await body({ bus, subject: (name) => `${prefix}.${name}` });
      } finally {
        await bus.close();
        await cleanup?.(bus);
      }
    });
}

function deliveryTests(test: BusTestAdder): void {
  test("delivers a message with its subject and payload", async (t) => {
    const recorder = new Recorder();
    t.bus.subscribe(t.subject("hello"), recorder.handler);
    t.bus.publish(t.subject("hello"), bytes("hi"));

    const [message] = await recorder.until(1);
    assert.is(message.subject, t.subject("hello"));
    assert.is(text(message.payload), "hi");
    assert.is(message.reply, undefined);
    assert.is(message.headers, undefined);
  });

  test("delivers after publish returns, never during it", async (t) => {
    const recorder = new Recorder();
    t.bus.subscribe(t.subject("later"), recorder.handler);
    t.bus.publish(t.subject("later"), bytes("x"));
    assert.is(recorder.messages.length, 0);
    await recorder.until(1);
  });

  test("delivers to every plain subscriber", async (t) => {
    const first = new Recorder();
    const second = new Recorder();
    t.bus.subscribe(t.subject("fan"), first.handler);
    t.bus.subscribe(t.subject("fan"), second.handler);
    t.bus.publish(t.subject("fan"), bytes("x"));

    await first.until(1);
    await second.until(1);
  });

  test("matches * to exactly one token", async (t) => {
    const recorder = new Recorder();
    t.bus.subscribe(t.subject("a.*.c"), recorder.handler);
    for (const name of ["a.b.c", "a.c", "a.b.b.c", "a.b.d", "a.x.c"]) {
      t.bus.publish(t.subject(name), bytes(name));
    }

    const messages = await recorder.until(2);
    await pause();
    assert.equal(recorder.texts(), ["a.b.c", "a.x.c"]);
    assert.is(messages[1].subject, t.subject("a.x.c"));
  });

  test("matches a final > to one or more tokens", async (t) => {
    const recorder = new Recorder();
    t.bus.subscribe(t.subject("a.>"), recorder.handler);
    for (const name of ["a", "a.b", "b.a", "a.b.c.d"]) {
      t.bus.publish(t.subject(name), bytes(name));
    }

    await recorder.until(2);
    await pause();
    assert.equal(recorder.texts(), ["a.b", "a.b.c.d"]);
  });

  test("delivers in publish order per subscription", async (t) => {
    const recorder = new Recorder();
    t.bus.subscribe(t.subject("order"), recorder.handler);
    for (let index = 0; index < 500; index++) {
      t.bus.publish(t.subject("order"), bytes(String(index)));
    }

    await recorder.until(500);
    const expected = Array.from({ length: 500 }, (_, index) => String(index));
    assert.equal(recorder.texts(), expected);
  });

  test("waits for an async handler before the next message", async (t) => {
    const events: string[] = [];
    const recorder = new Recorder();
    t.bus.subscribe(t.subject("slow"), async (message) => {
      events.push(`start ${text(message.payload)}`);
      await pause(5);
      events.push(`end ${text(message.payload)}`);
      recorder.handler(message);
    });
    for (const name of ["1", "2", "3"]) {
      t.bus.publish(t.subject("slow"), bytes(name));
    }

    await recorder.until(3);
    assert.equal(events, [
      "start 1",
      "end 1",
      "start 2",
      "end 2",
      "start 3",
      "end 3",
    ]);
  });

  test("gives each message to one member of each queue group", async (t) => {
    const subject = t.subject("work");
    const members = [new Recorder(), new Recorder(), new Recorder()];
    const other = new Recorder();
    const plain = new Recorder();
    const group = (queue: string): SubscribeOptions => ({ queue });
    t.bus.subscribe(subject, members[0].handler, group("workers"));
    t.bus.subscribe(subject, members[1].handler, group("workers"));
    t.bus.subscribe(subject, other.handler, group("auditors"));
    t.bus.subscribe(t.subject("*"), members[2].handler, group("workers"));
    t.bus.subscribe(subject, plain.handler);
    for (let index = 0; index < 120; index++) {
      t.bus.publish(subject, bytes(String(index)));
    }

    await plain.until(120);
    await other.until(120);
    await pause();
    const counts = members.map((member) => member.messages.length);
    assert.is(counts[0] + counts[1] + counts[2], 120, `split ${counts}`);
    assert.ok(counts.every((count) => count > 0), `split ${counts}`);
    const seen = members.flatMap((member) => member.texts()).map(Number);
    assert.equal(seen.sort((a, b) => a - b), other.texts().map(Number));
  });

  test("carries a reply subject and multi-valued headers", async (t) => {
    const recorder = new Recorder();
    t.bus.subscribe(t.subject("h"), recorder.handler);
    t.bus.publish(t.subject("h"), bytes("x"), {
      reply: t.subject("back"),
      headers: { "Trace-Id": "abc", "X-Tag": ["one", "two"] },
    });

    const [message] = await recorder.until(1);
    assert.is(message.reply, t.subject("back"));
    assert.equal(message.headers?.["Trace-Id"], ["abc"]);
    assert.equal(message.headers?.["X-Tag"], ["one", "two"]);
  });

  test("copies the payload when publishing", async (t) => {
    const recorder = new Recorder();
    t.bus.subscribe(t.subject("copy"), recorder.handler);
    const payload = bytes("before");
    t.bus.publish(t.subject("copy"), payload);
    payload.set(bytes("after!"));

    await recorder.until(1);
    assert.equal(recorder.texts(), ["before"]);
  });

  test("keeps delivering when a handler throws or rejects", async (t) => {
    const recorder = new Recorder();
    let calls = 0;
    t.bus.subscribe(t.subject("boom"), (message) => {
      calls++;
      if (text(message.payload) === "throw") throw new Error("boom");
      recorder.handler(message);
    });
    t.bus.subscribe(t.subject("boom"), async (message) => {
      await pause(1);
      if (text(message.payload) === "throw") throw new Error("async boom");
    });
    for (const name of ["throw", "ok", "throw", "ok"]) {
      t.bus.publish(t.subject("boom"), bytes(name));
    }

    await recorder.until(2);
    assert.is(calls, 4);
    const reply = t.bus.subscribe(t.subject("still"), (message) => {
      message.respond(bytes("alive"));
    });
    const answer = await t.bus.request(t.subject("still"), bytes(""), {
      timeoutMs: 2000,
    });
    assert.is(text(answer.payload), "alive");
    reply.unsubscribe();
  });

  test("refuses everything but close once closed", async (t) => {
    const pending = (() => {
      t.bus.subscribe(t.subject("hang"), () => {});
      return t.bus.request(t.subject("hang"), bytes(""), { timeoutMs: 5000 });
    })();
    await pause();
    await t.bus.close();

    const error = await rejects(() => pending, /the bus is closed$/);
    assert.instance(error, BusClosedError);
    assert.throws(
      () => t.bus.publish(t.subject("x"), bytes("")),
      (error: Error) =>
        error instanceof BusClosedError &&
        error.message === `Cannot publish to "${t.subject("x")}": the bus ` +
            `is closed`,
    );
    assert.throws(
      () => t.bus.subscribe(t.subject("x"), () => {}),
      (error: Error) => error instanceof BusClosedError,
    );
    await rejects(
      () => t.bus.request(t.subject("x"), bytes(""), { timeoutMs: 100 }),
      /^Cannot request "[^"]+": the bus is closed$/,
    );
    await t.bus.close();
  });

  test("drains: handles what arrived, then closes", async (t) => {
    const handled: string[] = [];
    const subscription = t.bus.subscribe(t.subject("d"), async (message) => {
      await pause(2);
      handled.push(text(message.payload));
    });
    for (const name of ["1", "2", "3"]) {
      t.bus.publish(t.subject("d"), bytes(name));
    }
    await pause(1);

    await t.bus.drain();
    assert.equal(handled, ["1", "2", "3"]);
    await subscription.closed;
    assert.throws(
      () => t.bus.subscribe(t.subject("d"), () => {}),
      (error: Error) => error instanceof BusClosedError,
    );
  });
}
