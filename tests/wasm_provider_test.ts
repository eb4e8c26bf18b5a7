import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encode } from "../runtime/codec.ts";
import type { Host } from "../runtime/host.ts";
import { loadWasmProvider } from "../runtime/wasm_provider.ts";
import { decodeDescriptor } from "../runtime/wasm_provider_descriptor.ts";
import {
  guestModule,
  hostCallPayload,
  testHost,
  text,
} from "./host_helpers.ts";
import { shoutProvider } from "./provider_fixtures.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const CAPABILITY = "test:shout";

const shout = (operation: string, body = "") =>
  hostCallPayload("", CAPABILITY, operation, body);

/**
 * A host running the shout provider and `count` guest actors, the first
 * `bound` of them bound to it.
 */
async function shoutHost(count: number, bound = count, deadlineMs?: number) {
  const host = await testHost();
  const provider = await shoutProvider();
  await host.startProvider(
    await loadWasmProvider(provider.bytes, {
      source: "shout.wasm",
      deadlineMs,
    }),
  );
  const actors: string[] = [];
  for (let index = 0; index < count; index++) {
    const actor = await signActor(await guestModule(), { caps: [CAPABILITY] });
    await host.startActor(actor.bytes);
    if (index < bound) await host.bind(actor.key, CAPABILITY);
    actors.push(actor.key);
  }
  return { host, actors };
}

const ask = async (host: Host, actor: string, payload: Uint8Array) =>
  text(await host.invoke(actor, "H", payload));

const wasm = suite("loadWasmProvider");

wasm("reads the descriptor of a portable provider", async () => {
  const provider = await shoutProvider();
  const factory = await loadWasmProvider(provider.bytes);
  assert.is(factory.capabilityId, CAPABILITY);
  assert.is(factory.claims.subject, provider.key);
  assert.ok(factory.claims.provider);
  const { supportedOperations, ...about } = factory.descriptor;
  assert.equal(about, {
    id: CAPABILITY,
    name: "Shout",
    version: "0.1.0",
    revision: 3,
    longDescription: "Upper-cases text and relays calls to bound actors",
  });
  assert.equal(
    supportedOperations.map(({ name, direction }) => [name, direction]),
    [["Shout", "to_provider"], ["Bound", "to_provider"], ["Relay", "both"]],
  );
});

wasm("binds an actor and routes its calls to the provider", async () => {
  const { host, actors: [actor] } = await shoutHost(1);
  assert.is(
    await ask(host, actor, shout("Shout", "hello, wasm")),
    "HELLO, WASM",
  );
  assert.is(await ask(host, actor, shout("Bound")), "1");
  await rejects(
    () => host.invoke(actor, "H", shout("Whisper")),
    /unknown operation/,
  );
  await host.stop();
});

wasm("tells the provider when an actor is unbound", async () => {
  const { host, actors: [first, second] } = await shoutHost(2);
  assert.is(await ask(host, first, shout("Bound")), "2");
  await host.unbind(second, CAPABILITY);
  assert.is(await ask(host, first, shout("Bound")), "1");
  await host.stop();
});

wasm("delivers to a bound actor through a host call", async () => {
  const { host, actors: [caller, target] } = await shoutHost(2);
  const reply = await ask(
    host,
    caller,
    shout("Relay", `${target}\nEcho\nfrom the provider`),
  );
  assert.is(reply, "from the provider");
  await host.stop();
});

wasm("refuses a delivery to an actor that is not bound", async () => {
  const { host, actors: [caller, stranger] } = await shoutHost(2, 1);
  await rejects(
    () => host.invoke(caller, "H", shout("Relay", `${stranger}\nEcho\nx`)),
    new RegExp(`Cannot deliver "Echo" to actor "${stranger}": not bound`),
  );
  await host.stop();
});

wasm("refuses a delivery back to the actor waiting on the call", async () => {
  const { host, actors: [caller] } = await shoutHost(1);
  await rejects(
    () => host.invoke(caller, "H", shout("Relay", `${caller}\nEcho\nx`)),
    /call cycle/,
  );
  assert.is(await ask(host, caller, shout("Shout", "still up")), "STILL UP");
  await host.stop();
});

wasm("keeps binding operations for the host", async () => {
  const { host, actors: [actor] } = await shoutHost(1);
  await rejects(
    () => host.invoke(actor, "H", shout("BindActor", "x")),
    /Cannot perform "BindActor": only the host may send it/,
  );
  assert.is(await ask(host, actor, shout("Bound")), "1");
  await host.stop();
});

wasm("binds actors again after a deadline replaced the instance", async () => {
  const { host, actors: [actor] } = await shoutHost(1, 1, 200);
  const started = performance.now();
  await rejects(
    () => host.invoke(actor, "H", shout("Loop")),
    /deadline of 200 ms exceeded/,
  );
  const ms = performance.now() - started;
  assert.ok(ms >= 190 && ms < 2000, `stopped after ${ms} ms`);
  assert.is(await ask(host, actor, shout("Bound")), "1");
  await host.stop();
});

wasm("refuses an actor module given as a provider", async () => {
  const actor = await signActor(await guestModule());
  await rejects(
    () => loadWasmProvider(actor.bytes, { source: "guest.wasm" }),
    /^Cannot load provider "guest.wasm": it is an actor, not a provider/,
  );
});

wasm("refuses a provider from an issuer outside the allowed list", async () => {
  const provider = await shoutProvider();
  await rejects(
    () =>
      loadWasmProvider(provider.bytes, {
        allowedIssuers: [
          "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ],
      }),
    /^Cannot load provider "module": .*not allowed/,
  );
});

wasm("refuses a provider whose descriptor is not a descriptor", async () => {
  // The test guest answers "G…" by growing its memory and replying with
  // the page count: not a msgpack map.
  const module = await signActor(await guestModule(), { provider: true });
  await rejects(
    () =>
      loadWasmProvider(module.bytes, {
        source: "guest.wasm",
        maxMemoryBytes: 1024 * 1024,
      }),
    /^Cannot load provider "guest.wasm": Cannot decode descriptor/,
  );
});

wasm.run();

const descriptors = suite("decodeDescriptor");

descriptors("reads the array form and every direction", () => {
  const operation = (name: string, index: number) => [
    name,
    new Map([[index, null]]),
    `${name} doc`,
  ];
  const descriptor = decodeDescriptor(encode([
    "acme:thing",
    "Thing",
    "1.2.3",
    7,
    "Does things",
    [operation("In", 0), operation("Out", 1), operation("Both", 2)],
  ]));
  assert.equal(descriptor, {
    id: "acme:thing",
    name: "Thing",
    version: "1.2.3",
    revision: 7,
    longDescription: "Does things",
    supportedOperations: [
      { name: "In", direction: "to_provider", doctext: "In doc" },
      { name: "Out", direction: "to_actor", doctext: "Out doc" },
      { name: "Both", direction: "both", doctext: "Both doc" },
    ],
  });
});

descriptors(
  "refuses a descriptor without an id or with a bad direction",
  () => {
    assert.throws(
      () => decodeDescriptor(encode({ name: "Nameless" })),
      /it has no "id"/,
    );
    assert.throws(
      () =>
        decodeDescriptor(encode({
          id: "acme:thing",
          supported_operations: [{ name: "X", direction: { 5: null } }],
        })),
      /"supported_operations\[0\].direction": expected a variant 0, 1 or 2/,
    );
  },
);

descriptors.run();
