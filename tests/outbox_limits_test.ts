/** The outbox's bounds: size, file size, age, and what it does past them. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { OutboxFullError } from "../leaf/outbox_full_error.ts";
import type { OutboxDropEvent } from "../leaf/outbox_events.ts";
import {
  bytes,
  EagerSender,
  enqueueTexts,
  HeldSender,
  ManualClock,
  nextEvent,
  numbered,
  outboxesFor,
  recordEvents,
  text,
} from "./outbox_harness.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

const limits = suite("Outbox limits");
const outboxes = outboxesFor(limits);
const open = outboxes.open;

limits("refuses a message when full under reject", async () => {
  const outbox = open({ maxBytes: 110 });
  const events = recordEvents(outbox);
  const payload = new Uint8Array(40);
  await outbox.enqueue("telemetry.t", payload);
  await outbox.enqueue("telemetry.t", payload);
  const error = await outbox.enqueue("telemetry.t", payload).catch((e) => e);
  assert.instance(error, OutboxFullError);
  assert.is(
    error.message,
    `Cannot queue a message to "telemetry.t": the outbox is full`,
  );
  assert.is(error.bound, "bytes");
  assert.is(outbox.status().depth, 2);
  assert.equal(outbox.status().drops, { rejected: 1, oldest: 0, expired: 0 });
  const drop = events.find((event) => event.type === "drop");
  assert.equal(drop, {
    type: "drop",
    reason: "rejected",
    bound: "bytes",
    count: 1,
    bytes: 51,
    dropped: 1,
  });
});

limits(
  "drops the oldest messages when full under drop-oldest",
  async () => {
    const outbox = open({ maxBytes: 100, whenFull: "drop-oldest" });
    const events = recordEvents(outbox);
    for (const payload of ["aaaaaaaaa0", "aaaaaaaaa1", "aaaaaaaaa2"]) {
      await outbox.enqueue("telemetry.t", bytes(payload));
    }
    for (const payload of ["aaaaaaaaa3", "aaaaaaaaa4", "aaaaaaaaa5"]) {
      await outbox.enqueue("telemetry.t", bytes(payload));
    }
    assert.is(outbox.status().depth, 4);
    assert.is(outbox.status().bytes, 84);
    assert.equal(outbox.status().drops, { rejected: 0, oldest: 2, expired: 0 });
    const drops = events.filter((event) => event.type === "drop");
    assert.equal(drops.map((event) => (event as OutboxDropEvent).reason), [
      "oldest",
      "oldest",
    ]);
    const sender = new EagerSender();
    outbox.start(sender);
    await nextEvent(outbox, "drained");
    assert.equal(
      sender.sent.map((message) => text(message.payload)),
      ["aaaaaaaaa2", "aaaaaaaaa3", "aaaaaaaaa4", "aaaaaaaaa5"],
    );
  },
);

limits("never drops messages the link holds", async () => {
  const outbox = open({ maxBytes: 100, whenFull: "drop-oldest", window: 2 });
  await enqueueTexts(outbox, ["aaaaaaaaa0", "aaaaaaaaa1", "aaaaaaaaa2"]);
  const sender = new HeldSender();
  outbox.start(sender);
  await sender.untilSent(2);
  await outbox.enqueue("telemetry.t", bytes("aaaaaaaaa3"));
  await outbox.enqueue("telemetry.t", bytes("aaaaaaaaa4"));
  for (const held of [...sender.held]) held.confirm();
  await sender.untilSent(4);
  for (const held of [...sender.held]) held.confirm();
  await nextEvent(outbox, "drained");
  assert.equal(
    sender.sent.map((message) => text(message.payload)),
    ["aaaaaaaaa0", "aaaaaaaaa1", "aaaaaaaaa3", "aaaaaaaaa4"],
  );
  assert.is(outbox.status().drops.oldest, 1);
});

limits("drops messages older than maxAgeMs", async () => {
  const clock = new ManualClock(Date.parse("2025-06-01T00:00:00Z"));
  let outbox = open({ maxAgeMs: DAY_MS, clock });
  await enqueueTexts(outbox, ["old0", "old1"]);
  clock.advance(DAY_MS / 2);
  await enqueueTexts(outbox, ["new0"]);
  assert.is(outbox.status().oldestAgeMs, DAY_MS / 2);
  await outbox.close();

  clock.advance(DAY_MS / 2 + 1);
  outbox = open({ maxAgeMs: DAY_MS, clock });
  assert.is(outbox.status().depth, 1);
  assert.equal(outbox.status().drops, { rejected: 0, oldest: 0, expired: 2 });
  const expired = nextEvent(outbox, "drop");
  clock.advance(DAY_MS);
  outbox.start(new HeldSender());
  assert.equal(await expired, {
    type: "drop",
    reason: "expired",
    bound: "age",
    count: 1,
    bytes: 15,
    dropped: 3,
  });
});

limits(
  "keeps the age of messages stamped before a clock jump",
  async () => {
    // A device without a real-time clock boots with a stale time, then NTP
    // moves it forward by a month.
    const clock = new ManualClock(Date.parse("2025-05-01T00:00:00Z"));
    const outbox = open({ maxAgeMs: 7 * DAY_MS, clock });
    const events = recordEvents(outbox);
    await enqueueTexts(outbox, ["before"]);
    clock.advance(60_000);
    clock.step(30 * DAY_MS);
    outbox.start(new HeldSender());
    assert.is(outbox.status().depth, 1);
    assert.is(outbox.status().oldestAgeMs, 60_000);
    assert.ok(
      events.some((event) =>
        event.type === "clock_step" && event.stepMs === 30 * DAY_MS
      ),
    );
  },
);

limits(
  "expires nothing while the clock reads before a stamp",
  async () => {
    const clock = new ManualClock(Date.parse("2025-06-01T00:00:00Z"));
    let outbox = open({ maxAgeMs: DAY_MS, clock });
    await enqueueTexts(outbox, ["kept"]);
    await outbox.close();

    clock.wallMs = 0;
    outbox = open({ maxAgeMs: DAY_MS, clock });
    await enqueueTexts(outbox, ["stamped at the floor"]);
    assert.is(outbox.status().depth, 2);
    assert.is(outbox.status().drops.expired, 0);
  },
);

limits("refuses messages when the file is full under reject", async () => {
  const outbox = open({ maxFileBytes: 256 * 1024 });
  const payload = new Uint8Array(1000);
  let stored = 0;
  let error: unknown;
  while (stored < 1000 && error === undefined) {
    await outbox.enqueue("telemetry.t", payload).then(
      () => stored++,
      (failure) => error = failure,
    );
  }
  assert.instance(error, OutboxFullError);
  assert.is((error as OutboxFullError).bound, "disk");
  assert.match(
    (error as Error).message,
    `Cannot queue a message to "telemetry.t": the disk holding the outbox`,
  );
  assert.ok(stored > 50 && stored < 256, `stored ${stored}`);
  assert.is(outbox.status().depth, stored);
  assert.is(outbox.status().drops.rejected, 1);
});

limits("makes room when the file is full under drop-oldest", async () => {
  const outbox = open({ maxFileBytes: 256 * 1024, whenFull: "drop-oldest" });
  const events = recordEvents(outbox);
  const payloads = numbered(600).map((name) => name.padEnd(1000, "."));
  for (let index = 0; index < payloads.length; index += 50) {
    await enqueueTexts(outbox, payloads.slice(index, index + 50));
  }
  const { depth, drops } = outbox.status();
  assert.ok(depth > 50 && depth < 600, `depth ${depth}`);
  assert.is(drops.oldest, 600 - depth);
  const drop = events.find((event) => event.type === "drop");
  assert.equal(
    drop && { reason: drop.reason, bound: drop.bound },
    { reason: "oldest", bound: "disk" },
  );
  const sender = new EagerSender();
  outbox.start(sender);
  await nextEvent(outbox, "drained");
  assert.equal(
    sender.sent.map((message) => text(message.payload)),
    payloads.slice(600 - depth),
  );
});

limits("keeps its counters across a reopen", async () => {
  let outbox = open({ maxBytes: 60 });
  await outbox.enqueue("telemetry.t", new Uint8Array(40));
  await outbox.enqueue("telemetry.t", new Uint8Array(40)).catch(() => {});
  outbox.start(new EagerSender());
  await nextEvent(outbox, "drained");
  await outbox.close();
  outbox = open();
  const { sent, dropped, drops } = outbox.status();
  assert.equal({ sent, dropped, drops }, {
    sent: 1,
    dropped: 1,
    drops: { rejected: 1, oldest: 0, expired: 0 },
  });
});

limits.run();
