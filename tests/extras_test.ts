import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import { silentLogger } from "../runtime/logger.ts";
import type { CapabilityProvider } from "../runtime/provider.ts";
import { extrasProvider } from "../providers/extras.ts";
import { rejects } from "./rejects.ts";

const test = suite<{ extras: CapabilityProvider }>("ExtrasProvider");

const UUID_V4 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test.before.each(async (context) => {
  context.extras = await extrasProvider.create({
    binding: "default",
    logger: silentLogger,
    dataDir: "/nonexistent",
    deliver: () => Promise.reject(new Error("No actor to deliver to")),
  });
});

function request(fields: Record<string, unknown> = {}) {
  return encode({
    guid: false,
    sequence: false,
    random: false,
    min: 0,
    max: 0,
    ...fields,
  });
}

async function call(
  extras: CapabilityProvider,
  operation: string,
  payload = request(),
  actor = "MACTORONE",
) {
  return decode(await extras.call({ actor, operation, payload })) as {
    guid: string | null;
    sequenceNumber: number;
    randomNumber: number;
  };
}

test("answers RequestGuid with a fresh version 4 UUID", async ({ extras }) => {
  const first = await call(extras, "RequestGuid", request({ guid: true }));
  const second = await call(extras, "RequestGuid", request({ guid: true }));
  assert.match(first.guid!, UUID_V4);
  assert.match(second.guid!, UUID_V4);
  assert.is.not(first.guid, second.guid);
  assert.equal([first.sequenceNumber, first.randomNumber], [0, 0]);
});

test("draws random numbers in [min, max)", async ({ extras }) => {
  const seen = new Set<number>();
  for (let draw = 0; draw < 400; draw++) {
    const reply = await call(
      extras,
      "RequestRandom",
      request({ random: true, min: 10, max: 14 }),
    );
    assert.is(reply.guid, null);
    seen.add(reply.randomNumber);
  }
  assert.equal([...seen].toSorted(), [10, 11, 12, 13]);
  const single = await call(
    extras,
    "RequestRandom",
    request({ min: 7, max: 8 }),
  );
  assert.is(single.randomNumber, 7);
});

test("draws across the whole unsigned 32-bit range", async ({ extras }) => {
  for (let draw = 0; draw < 50; draw++) {
    const { randomNumber } = await call(
      extras,
      "RequestRandom",
      request({ min: 0, max: 2 ** 32 - 1 }),
    );
    assert.ok(Number.isInteger(randomNumber));
    assert.ok(randomNumber >= 0 && randomNumber < 2 ** 32 - 1);
  }
});

test("refuses a random range whose min is not below max", async ({ extras }) => {
  const random = (min: number, max: number) => () =>
    call(extras, "RequestRandom", request({ min, max }));
  const equal = await rejects(
    random(5, 5),
    /^Cannot perform "RequestRandom": field "min" \(5\) must be below "max" \(5\)$/,
  );
  assert.instance(equal, RangeError);
  assert.instance(await rejects(random(9, 2), /must be below/), RangeError);
  await rejects(
    random(-1, 2),
    /field "min" is outside the unsigned 32-bit range: -1$/,
  );
  await rejects(
    random(0, 2 ** 32),
    /field "max" is outside the unsigned 32-bit range/,
  );
});

test("counts a sequence per actor from 0", async ({ extras }) => {
  const next = async (actor: string) =>
    (await call(extras, "RequestSequence", request({ sequence: true }), actor))
      .sequenceNumber;
  assert.equal([await next("MA"), await next("MA"), await next("MA")], [
    0,
    1,
    2,
  ]);
  assert.is(await next("MB"), 0);
  assert.is(await next("MA"), 3);
  await extras.unbind("MA");
  assert.is(await next("MA"), 0);
  assert.is(await next("MB"), 1);
});

test("refuses a malformed payload and an unknown operation", async ({ extras }) => {
  const empty = await rejects(
    () => call(extras, "RequestRandom", new Uint8Array()),
    /^Cannot perform "RequestRandom": cannot decode payload/,
  );
  assert.instance(empty, SyntaxError);
  await rejects(
    () => call(extras, "RequestRandom", encode({ min: 1 })),
    /missing field "max"/,
  );
  const unknown = await rejects(
    () => call(extras, "RequestTime"),
    /not an operation of wascc:extras/,
  );
  assert.instance(unknown, RangeError);
});

test("reads array-form requests with a trailing zero byte", async ({ extras }) => {
  const payload = new Uint8Array([...encode([false, false, true, 3, 4]), 0]);
  assert.is((await call(extras, "RequestRandom", payload)).randomNumber, 3);
});

test.run();
