import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode } from "../runtime/codec.ts";
import {
  compatModule,
  keyValueHost,
  startFixture,
  startKeyValueFixture,
} from "./compat_fixtures.ts";
import { testHost, text } from "./host_helpers.ts";
import { rejects } from "./rejects.ts";

const none = new Uint8Array();

type GuestCall = (operationLength: number, payloadLength: number) => number;

const calls = suite("Compatibility of guest calls");

calls("reads a keyvalue request followed by a trailing zero byte", async () => {
  const host = await keyValueHost();
  try {
    const actor = await startKeyValueFixture(host, "trailing_zero");
    const reply = decode(await host.invoke(actor.key, "Store", none));
    assert.equal(reply, { value: "zero" });
  } finally {
    await host.stop();
  }
});

calls("routes a host call with an empty binding to default", async () => {
  const host = await keyValueHost();
  try {
    const actor = await startKeyValueFixture(host, "empty_binding");
    const set = decode(await host.invoke(actor.key, "Set", none));
    assert.equal(set, { value: "hello" });
    const got = decode(await host.invoke(actor.key, "Get", none));
    assert.equal(got, { value: "hello", exists: true });
  } finally {
    await host.stop();
  }
});

calls("accepts keyvalue requests sent as arrays in field order", async () => {
  const host = await keyValueHost();
  try {
    const actor = await startKeyValueFixture(host, "struct_arrays");
    const set = decode(await host.invoke(actor.key, "Set", none));
    assert.equal(set, { value: "quick" });
    const got = decode(await host.invoke(actor.key, "Get", none));
    assert.equal(got, { value: "quick", exists: true });
  } finally {
    await host.stop();
  }
});

calls.run();

const start = suite("Compatibility of start functions");

start("the fixture refuses calls when _start has not run", async () => {
  const errors: string[] = [];
  const { instance } = await WebAssembly.instantiate(
    await compatModule("start_order"),
    {
      wapc: {
        __guest_request() {},
        __guest_response() {},
        __guest_error(pointer: number, length: number) {
          const { buffer } = instance.exports.memory as WebAssembly.Memory;
          errors.push(text(new Uint8Array(buffer, pointer, length)));
        },
      },
    },
  );
  const guestCall = instance.exports.__guest_call as GuestCall;

  assert.is(guestCall(0, 0), 0);
  assert.equal(errors, ["no handlers registered: _start has not run"]);
});

start("runs _start, then wapc_init, in every instance", async () => {
  const host = await testHost();
  try {
    const { key } = await startFixture(host, "start_order", {
      instances: 2,
    });
    const replies = await Promise.all(
      [1, 2].map(() => host.invoke(key, "Anything", none)),
    );
    assert.equal(replies.map(text), ["SW", "SW"]);
  } finally {
    await host.stop();
  }
});

start.run();

const ends = suite("Compatibility of call endings");

ends("keeps the last of two guest responses", async () => {
  const host = await testHost();
  try {
    const actor = await startFixture(host, "response_misuse");
    assert.is(text(await host.invoke(actor.key, "Twice", none)), "second");
    assert.is(text(await host.invoke(actor.key, "Ok", none)), "fine");
  } finally {
    await host.stop();
  }
});

ends("fails a call that ends without a response", async () => {
  const host = await testHost();
  try {
    const { key } = await startFixture(host, "response_misuse");
    const ok = async () =>
      assert.is(text(await host.invoke(key, "Ok", none)), "fine");

    await rejects(() => host.invoke(key, "ErrorThenOne", none), /went wrong/);
    await ok();
    await rejects(
      () => host.invoke(key, "Nothing", none),
      /^Guest call "Nothing" failed$/,
    );
    await ok();
    await rejects(
      () => host.invoke(key, "ZeroAfterResponse", none),
      /^Guest call "ZeroAfterResponse" failed$/,
    );
    await ok();
  } finally {
    await host.stop();
  }
});

ends.run();

const pointers = suite("Compatibility with bad guest pointers");

const BAD_POINTERS: [string, RegExp][] = [
  ["Response past the end", /Cannot read guest memory: 16 bytes at 65532/],
  ["High pointer response", /Cannot read guest memory/],
  ["Negative length response", /Cannot read guest memory/],
  ["Log out of bounds", /Cannot read guest memory/],
  ["Call with payload out of bounds", /Cannot read guest memory/],
  ["Query into bad memory", /guest memory/],
  ["Pull host error into bad memory", /guest memory/],
];

for (const [operation, pattern] of BAD_POINTERS) {
  pointers(`fails "${operation}" and serves the next call`, async () => {
    const host = await testHost();
    try {
      const { key } = await startFixture(host, "bad_pointers");
      await rejects(() => host.invoke(key, operation, none), pattern);
      assert.is(text(await host.invoke(key, "Ok", none)), "fine");
    } finally {
      await host.stop();
    }
  });
}

pointers.run();
