import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Outbox } from "../leaf/outbox.ts";
import { UpstreamSubjects } from "../leaf/outbox_upstream.ts";
import {
  bytes,
  EagerSender,
  enqueueTexts,
  HeldSender,
  nextEvent,
  numbered,
  outboxesFor,
  pause,
  recordEvents,
  text,
} from "./outbox_harness.ts";

const outboxSuite = suite("Outbox");

const outboxes = outboxesFor(outboxSuite);
const open = outboxes.open;

outboxSuite("shares one commit among enqueues made together", async () => {
  const outbox = open();
  const enqueues = numbered(100).map((payload) =>
    outbox.enqueue("telemetry.t", bytes(payload))
  );
  assert.is(outbox.status().pending, 100);
  assert.is(outbox.status().depth, 0);
  await Promise.all(enqueues);
  assert.is(outbox.status().pending, 0);
  assert.is(outbox.status().depth, 100);
});

outboxSuite("keeps messages, ids and headers across a reopen", async () => {
  let outbox = open();
  await outbox.enqueue("telemetry.a", bytes("one"), { Unit: "C" });
  await outbox.enqueue("telemetry.b", bytes("two"), { "Nats-Msg-Id": "mine" });
  const first = new EagerSender();
  outbox.start(first);
  await nextEvent(outbox, "drained");
  outbox.stop();
  await outbox.enqueue("telemetry.c", bytes("three"));
  const held = new HeldSender();
  outbox.start(held);
  await held.untilSent(1);
  const before = held.sent[0];
  await outbox.close();

  outbox = open();
  assert.is(outbox.status().depth, 1);
  const again = new EagerSender();
  outbox.start(again);
  await nextEvent(outbox, "drained");
  assert.equal(first.sent.map((message) => message.headers), [
    { Unit: ["C"] },
    undefined,
  ]);
  assert.is(first.sent[1].id, "mine");
  assert.equal(again.sent.map((message) => text(message.payload)), ["three"]);
  assert.is(again.sent[0].id, before.id);
  assert.ok(first.sent[0].id !== before.id);
});

outboxSuite("sends in order and removes only a confirmed prefix", async () => {
  const outbox = open({ window: 3 });
  await enqueueTexts(outbox, numbered(5));
  const sender = new HeldSender();
  outbox.start(sender);
  await sender.untilSent(3);
  await pause(20);
  assert.equal(sender.sent.map((message) => text(message.payload)), [
    "m0",
    "m1",
    "m2",
  ]);
  assert.ok(sender.sent[0].seq < sender.sent[1].seq);

  sender.find("m2").confirm();
  sender.find("m1").confirm();
  await pause(20);
  assert.is(outbox.status().depth, 5);
  assert.is(sender.sent.length, 3);

  sender.find("m0").confirm();
  await sender.untilSent(5);
  await pause(20);
  assert.is(outbox.status().depth, 2);
  assert.is(outbox.status().sent, 3);
});

outboxSuite("resumes from the first unconfirmed message", async () => {
  const outbox = open({ window: 4, retryDelayMs: 10 });
  await enqueueTexts(outbox, numbered(6));
  const sender = new HeldSender();
  outbox.start(sender);
  await sender.untilSent(4);
  sender.find("m0").confirm();
  await sender.untilSent(5);
  const failed = nextEvent(outbox, "send_failed");
  sender.find("m2").confirm();
  sender.find("m1").fail(new Error("link lost"));
  const event = await failed;
  assert.is(event.error.message, "link lost");
  assert.is(event.resumeAt, sender.sent[1].seq);
  assert.is(outbox.status().state, "retrying");

  await sender.untilSent(9);
  assert.equal(
    sender.sent.slice(5).map((message) => text(message.payload)),
    ["m1", "m2", "m3", "m4"],
  );
  assert.is(sender.sent[5].id, sender.sent[1].id);
  for (const held of [...sender.held]) held.confirm();
  await sender.untilSent(10);
  for (const held of [...sender.held]) held.confirm();
  await nextEvent(outbox, "drained");
  assert.is(outbox.status().depth, 0);
  assert.is(outbox.status().sent, 6);
});

outboxSuite("reports progress while a backlog drains", async () => {
  const outbox = open({ progressIntervalMs: 1 });
  await enqueueTexts(outbox, numbered(2000));
  const events = recordEvents(outbox);
  let confirmations = 0;
  outbox.start({
    async publishConfirmed() {
      if (++confirmations % 100 === 0) await pause(2);
    },
  });
  const drained = await nextEvent(outbox, "drained");
  assert.is(drained.sent, 2000);
  const progress = events.filter((event) => event.type === "progress");
  assert.ok(progress.length >= 2, `${progress.length} progress events`);
  const depths = progress.map((event) => event.depth);
  assert.equal(depths, [...depths].sort((a, b) => b - a));
  assert.ok(depths[0] < 2000 && depths[0] > 0);
});

outboxSuite("is held by one process at a time", () => {
  open();
  assert.throws(
    () => Outbox.open(outboxes.file("outbox.db")),
    /Cannot open outbox ".*outbox\.db": database is locked \(is another/,
  );
});

outboxSuite("checks what it is given", async () => {
  assert.throws(
    () =>
      Outbox.open(outboxes.file("x.db"), {
        whenFull: "drop-newest" as "reject",
      }),
    (error: Error) =>
      error instanceof TypeError &&
      error.message ===
        `Cannot open outbox "${outboxes.file("x.db")}": whenFull ` +
          `"drop-newest" is not one of reject, drop-oldest`,
  );
  const outbox = open({ maxMessageBytes: 16 });
  const wildcard = await outbox.enqueue("telemetry.*", bytes("x")).catch((
    e,
  ) => e);
  assert.instance(wildcard, TypeError);
  const big = await outbox.enqueue("t", new Uint8Array(16)).catch((e) => e);
  assert.instance(big, RangeError);
  assert.is(
    big.message,
    `Cannot queue a message to "t": 17 bytes exceed the limit of 16`,
  );
  await outbox.close();
  const closed = await outbox.enqueue("t", bytes("x")).catch((e) => e);
  assert.is(
    closed.message,
    `Cannot queue a message to "t": the outbox is closed`,
  );
});

outboxSuite("commits waiting enqueues when it closes", async () => {
  let outbox = open({ commitDelayMs: 1000 });
  const enqueued = outbox.enqueue("telemetry.t", bytes("late"));
  await outbox.close();
  await enqueued;
  outbox = open();
  assert.is(outbox.status().depth, 1);
});

outboxSuite.run();

const upstream = suite("UpstreamSubjects");

upstream("matches subjects by the patterns marked upstream", () => {
  const subjects = new UpstreamSubjects(["telemetry.>", "alerts.*.high"]);
  assert.ok(subjects.matches("telemetry.barn.temp"));
  assert.ok(subjects.matches("alerts.barn.high"));
  assert.not.ok(subjects.matches("telemetry"));
  assert.not.ok(subjects.matches("alerts.barn.low"));
  assert.not.ok(new UpstreamSubjects([]).matches("telemetry.x"));
});

upstream("rejects an invalid pattern", () => {
  assert.throws(
    () => new UpstreamSubjects(["telemetry.>.x"]),
    /Cannot mark upstream "telemetry\.>\.x": ">" must be the last token/,
  );
});

upstream.run();
