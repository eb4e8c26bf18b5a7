import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bytes, pause, Recorder } from "./bus_recorder.ts";
import { ACTOR, Harness } from "./messaging_harness.ts";
import { rejects } from "./rejects.ts";

const refusals = suite("MessagingProvider subject rules");

const LATTICE_SUBJECTS = [
  "wasmbus",
  "wasmbus.events",
  "wasmbus.actor.MABC",
  "prod.wasmbus.rpc.x",
  "prod.wasmbus",
];

refusals("refuses publishing to lattice subjects, naming them", async () => {
  const harness = await Harness.start();
  for (const subject of LATTICE_SUBJECTS) {
    const error = await rejects(
      () => harness.call("Publish", { subject, body: [] }),
      new RegExp(
        `^Cannot perform "Publish": cannot publish to "${escape(subject)}": ` +
          `subjects whose first or second token is "wasmbus" belong to the ` +
          `lattice$`,
      ),
    );
    assert.instance(error, RangeError);
  }
  await harness.stop();
});

refusals("refuses lattice subjects as replyTo and for requests", async () => {
  const harness = await Harness.start();
  const spy = new Recorder();
  harness.bus.subscribe(">", spy.handler);
  for (const subject of LATTICE_SUBJECTS) {
    await rejects(
      () => harness.call("Publish", { subject: "ok", replyTo: subject }),
      new RegExp(`cannot reply on "${escape(subject)}": subjects whose`),
    );
    await rejects(
      () => harness.call("Request", { subject, timeout: 50 }),
      new RegExp(`cannot request "${escape(subject)}": subjects whose`),
    );
  }
  await pause();
  assert.is(spy.messages.length, 0);
  await harness.stop();
});

refusals("refuses subscriptions that could match the lattice", async () => {
  const harness = await Harness.start();
  const patterns = [
    ">",
    "*",
    "*.events",
    "wasmbus.>",
    "wasmbus.*",
    "wasmbus",
    "prod.wasmbus.>",
    "prod.*",
    "prod.>",
    "prod.*.actor",
    "sensors.*.temp",
  ];
  for (const pattern of patterns) {
    const error = await rejects(
      () => harness.bind({ SUBSCRIPTION: `fine.subject, ${pattern}` }),
      new RegExp(
        `^Cannot bind actor "${ACTOR}" to wascc:messaging: cannot subscribe ` +
          `to "${escape(pattern)}": it could match subjects of the lattice`,
      ),
    );
    assert.instance(error, RangeError);
  }
  for (const pattern of ["_INBOX.abc.>", "_INBOX.abc.*", "_INBOX.abc.1"]) {
    await rejects(
      () => harness.bind({ SUBSCRIPTION: pattern }),
      /reply inboxes \(_INBOX\) are reserved/,
    );
  }
  await rejects(
    () => harness.bus.request("fine.subject", bytes(""), { timeoutMs: 100 }),
    /no responders/,
  );
  await harness.stop();
});

refusals("allows subjects that cannot reach the lattice", async () => {
  const harness = await Harness.start();
  await harness.bind({
    SUBSCRIPTION: "prod.events.>,a.b.*,wasmbusy.x,WasmBus.x,a,x.y.wasmbus",
  });
  for (const subject of ["prod.events.1", "a.b.c", "wasmbusy.x", "a"]) {
    await harness.call("Publish", { subject, body: bytes(subject) });
  }
  await harness.call("Publish", { subject: "x.y.wasmbus", body: [] });

  await harness.delivered(5);
  await harness.stop();
});

refusals("refuses invalid subjects and queue names on bind", async () => {
  const harness = await Harness.start();
  const cases: [Record<string, string>, RegExp][] = [
    [{ SUBSCRIPTION: "a..b" }, /"a\.\.b": subject has an empty token$/],
    [{ SUBSCRIPTION: "a,,b" }, /SUBSCRIPTION "a,,b" has an empty subject$/],
    [{ SUBSCRIPTION: "a b" }, /"a b": subject has whitespace/],
    [{ SUBSCRIPTION: "a.>.b" }, /">" must be the last token$/],
    [{ SUBSCRIPTION: "a", QUEUEGROUP_NAME: "two words" }, /queue group/],
  ];
  for (const [values, pattern] of cases) {
    const error = await rejects(() => harness.bind(values), pattern);
    assert.instance(error, TypeError);
    assert.match(error.message, /^Cannot bind actor "MACTORONE" to wascc:/);
  }
  await harness.bind({});
  await harness.stop();
});

refusals("names the fault in a malformed payload", async () => {
  const harness = await Harness.start();
  const raw = (operation: string, payload: Uint8Array) =>
    harness.provider.call({ actor: ACTOR, operation, payload });

  await rejects(
    () => raw("Publish", new Uint8Array([0xc1])),
    /^Cannot perform "Publish": cannot decode payload/,
  );
  await rejects(
    () => raw("Request", new Uint8Array()),
    /^Cannot perform "Request": cannot decode payload: payload is empty$/,
  );
  await rejects(
    () => harness.call("Publish", { body: [] }),
    /"Publish": cannot decode payload: missing field "subject"$/,
  );
  await rejects(
    () => harness.call("Publish", { subject: "a", body: { no: 1 } }),
    /^Cannot perform "Publish": cannot decode field "body": expected bytes/,
  );
  await rejects(
    () => harness.call("Publish", { subject: 7 }),
    /cannot decode field "subject": expected a string, got a number$/,
  );
  await rejects(
    () => harness.call("Request", { subject: "a", timeout: -5 }),
    /^Cannot perform "Request": field "timeout" must not be negative: -5$/,
  );
  await rejects(
    () => harness.call("Publish", "just a string"),
    /expected a map or an array, got a string$/,
  );
  await rejects(
    () => harness.call("Publish", { subject: "a.*" }),
    /^Cannot perform "Publish": cannot publish to "a\.\*": wildcards are/,
  );
  await rejects(
    () =>
      harness.call("Publish", { subject: "big", body: new Uint8Array(5000) }),
    /cannot publish to "big": payload of 5000 bytes exceeds the limit of 4096/,
  );
  await rejects(
    () => harness.call("DeliverMessage", {}),
    /not an operation of wascc:messaging/,
  );
  await harness.stop();
});

refusals.run();

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\>]/g, "\\$&");
}
