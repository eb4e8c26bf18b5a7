import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Outbox } from "../leaf/outbox.ts";
import { OutboxFullError } from "../leaf/outbox_full_error.ts";
import type { OutboxDropEvent } from "../leaf/outbox_events.ts";
import { UpstreamSubjects } from "../leaf/outbox_upstream.ts";
import {
  bytes,
  EagerSender,
  HeldSender,
  ManualClock,
  nextEvent,
  pause,
  recordEvents,
  tempDir,
  text,
} from "./outbox_harness.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

const outboxSuite = suite("Outbox");

let dir: Awaited<ReturnType<typeof tempDir>>;
const opened: Outbox[] = [];

outboxSuite.before.each(async () => {
  dir = await tempDir();
});

outboxSuite.after.each(async () => {
  for (const outbox of opened.splice(0)) await outbox.close();
  await dir.remove();
});

function open(options: Parameters<typeof Outbox.open>[1] = {}): Outbox {
  const outbox = Outbox.open(`${dir.path}/outbox.db`, options);
  opened.push(outbox);
  return outbox;
}

async function enqueueTexts(outbox: Outbox, texts: string[]): Promise<void> {
  await Promise.all(
    texts.map((payload) => outbox.enqueue("telemetry.t", bytes(payload))),
  );
}

function numbered(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, index) => `m${from + index}`);
}

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

outboxSuite("refuses a message when full under reject", async () => {
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

outboxSuite(
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

outboxSuite("never drops messages the link holds", async () => {
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

outboxSuite("drops messages older than maxAgeMs", async () => {
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

outboxSuite(
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

outboxSuite(
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

outboxSuite("refuses messages when the file is full under reject", async () => {
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

outboxSuite("makes room when the file is full under drop-oldest", async () => {
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

outboxSuite("keeps its counters across a reopen", async () => {
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
    () => Outbox.open(`${dir.path}/outbox.db`),
    /Cannot open outbox ".*outbox\.db": database is locked \(is another/,
  );
});

outboxSuite("checks what it is given", async () => {
  assert.throws(
    () =>
      Outbox.open(`${dir.path}/x.db`, { whenFull: "drop-newest" as "reject" }),
    (error: Error) =>
      error instanceof TypeError &&
      error.message === `Cannot open outbox "${dir.path}/x.db": whenFull ` +
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
