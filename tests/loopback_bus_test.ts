import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_MAX_PAYLOAD } from "../runtime/bus.ts";
import type { LogFields } from "../runtime/logger.ts";
import { recordingLogger } from "./messaging_harness.ts";
import { LoopbackBus } from "../runtime/loopback_bus.ts";
import { subjectMatches } from "../runtime/subjects.ts";
import { busConformance } from "./bus_conformance.ts";
import { bytes, pause, Recorder } from "./bus_recorder.ts";

busConformance("loopback", () => Promise.resolve(new LoopbackBus()));

const loopback = suite("LoopbackBus");

loopback("allows 1 MiB by default and takes another limit", () => {
  assert.is(new LoopbackBus().maxPayload, DEFAULT_MAX_PAYLOAD);
  assert.is(DEFAULT_MAX_PAYLOAD, 1048576);

  const bus = new LoopbackBus({ maxPayload: 16 });
  bus.publish("small", new Uint8Array(16));
  assert.throws(
    () => bus.publish("small", new Uint8Array(17)),
    /^Cannot publish to "small": payload of 17 bytes exceeds the limit of 16 /,
  );
  assert.throws(() => new LoopbackBus({ maxPayload: 0 }), RangeError);
});

loopback("reports a failing handler to its logger", async () => {
  const lines: [string, LogFields | undefined][] = [];
  const bus = new LoopbackBus({ logger: recordingLogger(lines) });
  const recorder = new Recorder();
  bus.subscribe("jobs.*", () => {
    throw new Error("handler broke");
  }, { queue: "workers" });
  bus.subscribe("jobs.*", recorder.handler);
  bus.publish("jobs.one", bytes("x"));

  await recorder.until(1);
  assert.equal(lines, [["subscriber failed", {
    subject: "jobs.*",
    queue: "workers",
    error: "handler broke",
  }]]);
  await bus.close();
});

loopback("lets timers run while a handler floods itself", async () => {
  const bus = new LoopbackBus();
  let handled = 0;
  bus.subscribe("loop", (message) => {
    handled++;
    bus.publish("loop", message.payload);
  });
  bus.publish("loop", bytes("x"));

  const started = performance.now();
  await pause(5);
  const waited = performance.now() - started;
  await bus.close();
  assert.ok(waited < 500, `a timer waited ${waited.toFixed(0)} ms`);
  assert.ok(handled > 100, `only ${handled} messages handled`);
});

loopback("sends replies through the bus, where > sees them", async () => {
  const bus = new LoopbackBus();
  const everything = new Recorder();
  bus.subscribe(">", everything.handler);
  bus.subscribe("ask", (message) => message.respond(bytes("answer")));

  await bus.request("ask", bytes("q"), { timeoutMs: 1000 });
  await everything.until(2);
  assert.is(everything.messages[0].subject, "ask");
  assert.match(everything.messages[1].subject, /^_INBOX\.\w+\.\w+$/);
  await bus.close();
});

loopback("answers a request still pending while draining", async () => {
  const bus = new LoopbackBus();
  bus.subscribe("slow", async (message) => {
    await pause(10);
    message.respond(bytes("late but there"));
  });
  const reply = bus.request("slow", bytes(""), { timeoutMs: 1000 });
  await pause(1);

  await bus.drain();
  assert.is(new TextDecoder().decode((await reply).payload), "late but there");
});

loopback("keeps subjects apart from patterns in matching", () => {
  assert.ok(subjectMatches("a.*.c", "a.b.c"));
  assert.ok(subjectMatches(">", "a"));
  assert.ok(subjectMatches("a.>", "a.b.c"));
  assert.not.ok(subjectMatches("a.>", "a"));
  assert.not.ok(subjectMatches("a.*", "a.b.c"));
  assert.not.ok(subjectMatches("a.b", "a.b.c"));
  assert.not.ok(subjectMatches("*", "a.b"));
});

loopback.run();
