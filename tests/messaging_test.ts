import { suite } from "uvu";
import * as assert from "uvu/assert";
import { messagingDescriptor } from "../providers/messaging.ts";
import { bytes, pause, Recorder, text } from "./bus_recorder.ts";
import { ACTOR, Harness, OTHER_ACTOR } from "./messaging_harness.ts";
import { rejects } from "./rejects.ts";

const messaging = suite("MessagingProvider");

messaging("publishes the body and replyTo to bus subscribers", async () => {
  const harness = await Harness.start();
  const recorder = new Recorder();
  harness.bus.subscribe("orders.new", recorder.handler);

  const reply = await harness.call("Publish", {
    subject: "orders.new",
    replyTo: "orders.answers",
    body: bytes("order 1"),
  });
  const [message] = await recorder.until(1);
  assert.equal(reply, new Uint8Array());
  assert.is(text(message.payload), "order 1");
  assert.is(message.reply, "orders.answers");
  await harness.stop();
});

messaging(
  "publishes without a reply subject when replyTo is empty",
  async () => {
    const harness = await Harness.start();
    const recorder = new Recorder();
    harness.bus.subscribe("plain", recorder.handler);

    await harness.call("Publish", ["plain", "", [104, 105]]);
    const [message] = await recorder.until(1);
    assert.is(message.reply, undefined);
    assert.is(text(message.payload), "hi");
    await harness.stop();
  },
);

messaging("returns the raw bytes of a request's reply", async () => {
  const harness = await Harness.start();
  harness.bus.subscribe("math.double", (message) => {
    message.respond(bytes(text(message.payload).repeat(2)));
  });

  const reply = await harness.call("Request", {
    subject: "math.double",
    body: bytes("ab"),
    timeout: 500,
  });
  assert.is(text(reply), "abab");
  await harness.stop();
});

messaging("waits a default time when a request gives no timeout", async () => {
  const harness = await Harness.start();
  harness.bus.subscribe("slow", async (message) => {
    await pause(40);
    message.respond(bytes("eventually"));
  });

  const reply = await harness.call("Request", { subject: "slow", body: [] });
  assert.is(text(reply), "eventually");
  await harness.stop();
});

messaging("fails a request that gets no reply in time", async () => {
  const harness = await Harness.start();
  harness.bus.subscribe("silent", () => {});

  await rejects(
    () => harness.call("Request", { subject: "silent", body: [], timeout: 30 }),
    /^Cannot perform "Request": cannot request "silent": no reply within 30/,
  );
  await rejects(
    () => harness.call("Request", { subject: "absent", timeout: 30 }),
    /^Cannot perform "Request": cannot request "absent": no responders$/,
  );
  await harness.stop();
});

messaging("delivers each subscribed subject as DeliverMessage", async () => {
  const harness = await Harness.start();
  await harness.bind({
    SUBSCRIPTION: " orders.new ,sensors.temp.*, logs.app.> ",
  });
  harness.bus.publish("orders.new", bytes("1"), { reply: "orders.ack" });
  harness.bus.publish("sensors.temp.barn", bytes("2"));
  harness.bus.publish("sensors.humidity.barn", bytes("no"));
  harness.bus.publish("logs.app.web.error", bytes("3"));
  harness.bus.publish("logs.app", bytes("no"));

  const deliveries = await harness.delivered(3);
  await pause();
  assert.is(harness.deliveries.length, 3);
  const bySubject = (subject: string) =>
    deliveries.find((delivery) => delivery.subject === subject);
  assert.equal(bySubject("orders.new"), {
    actor: ACTOR,
    operation: "DeliverMessage",
    subject: "orders.new",
    replyTo: "orders.ack",
    body: "1",
  });
  assert.is(bySubject("sensors.temp.barn")?.replyTo, "");
  assert.is(bySubject("logs.app.web.error")?.body, "3");
  await harness.stop();
});

messaging("splits a queue group's messages between actors", async () => {
  const harness = await Harness.start();
  const values = { SUBSCRIPTION: "jobs.resize", QUEUEGROUP_NAME: " resizers " };
  await harness.bind(values, ACTOR);
  await harness.bind(values, OTHER_ACTOR);
  for (let index = 0; index < 100; index++) {
    harness.bus.publish("jobs.resize", bytes(String(index)));
  }

  const deliveries = await harness.delivered(100);
  await pause();
  assert.is(harness.deliveries.length, 100);
  const mine = deliveries.filter((delivery) => delivery.actor === ACTOR);
  assert.ok(mine.length > 0 && mine.length < 100, `split ${mine.length}`);
  const bodies = new Set(deliveries.map((delivery) => delivery.body));
  assert.is(bodies.size, 100);
  await harness.stop();
});

messaging("stops delivering once unbound, and rebinding replaces", async () => {
  const harness = await Harness.start();
  await harness.bind({ SUBSCRIPTION: "first" });
  harness.bus.publish("first", bytes("1"));
  await harness.delivered(1);

  await harness.bind({ SUBSCRIPTION: "second" });
  harness.bus.publish("first", bytes("old"));
  harness.bus.publish("second", bytes("2"));
  await harness.delivered(2);
  await harness.provider.unbind(ACTOR);
  harness.bus.publish("second", bytes("gone"));

  await pause();
  assert.equal(harness.deliveries.map((delivery) => delivery.body), [
    "1",
    "2",
  ]);
  await rejects(
    () => harness.bus.request("second", bytes(""), { timeoutMs: 100 }),
    /no responders/,
  );
  await harness.stop();
});

messaging("keeps delivering after an actor fails, and logs it", async () => {
  const harness = await Harness.start();
  await harness.bind({ SUBSCRIPTION: "events" });
  harness.failDelivery = true;
  harness.bus.publish("events", bytes("1"));
  harness.bus.publish("events", bytes("2"));

  await harness.delivered(2);
  await pause(5);
  assert.equal(harness.logLines[0], ["message delivery failed", {
    actor: ACTOR,
    subject: "events",
    error: "actor trapped",
  }]);
  await harness.stop();
});

messaging("describes its operations", () => {
  assert.is(messagingDescriptor.id, "wascc:messaging");
  assert.equal(
    messagingDescriptor.supportedOperations.map((op) => op.direction),
    ["to_provider", "to_provider", "to_actor"],
  );
});

messaging.run();
