import { suite } from "uvu";
import * as assert from "uvu/assert";
import { httpServerProvider } from "../providers/http_server.ts";
import { keyValueProvider } from "../providers/keyvalue.ts";
import { decode, encode } from "../runtime/codec.ts";
import {
  decodeResponse,
  encodeInvocation,
  type Invocation,
} from "../runtime/invocation.ts";
import { InvocationSigner } from "../runtime/invocation_token.ts";
import { generateKeyPair } from "../runtime/ed25519.ts";
import { LoopbackBus } from "../runtime/loopback_bus.ts";
import { testActor } from "./actors.ts";
import {
  cyclingActors,
  guestModule,
  hostCallPayload,
  text,
} from "./host_helpers.ts";
import { freePort } from "./http_server_harness.ts";
import { latticeHost, settle } from "./lattice_harness.ts";
import { Recorder } from "./bus_recorder.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const bytes = (value: string) => new TextEncoder().encode(value);
const KV = "wascc:keyvalue";

async function kvActor() {
  return await signActor(await guestModule(), { caps: [KV], name: "kv user" });
}

function addCall(key: string, value: number): Uint8Array {
  return hostCallPayload("", KV, "Add", encode({ key, value }));
}

const lattice = suite("Lattice (loopback bus)");

lattice("serves an actor's calls with a provider on another host", async () => {
  const bus = new LoopbackBus();
  const a = await latticeHost(bus);
  const b = await latticeHost(bus);
  await b.host.startProvider(keyValueProvider);
  const actor = await kvActor();
  await a.host.startActor(actor.bytes);
  await a.host.bind(actor.key, KV, "", { STORE: "memory" });
  await settle();

  const first = decode(await a.host.invoke(actor.key, "H", addCall("n", 2)));
  const second = decode(await a.host.invoke(actor.key, "H", addCall("n", 3)));
  assert.equal([first, second], [{ value: 2 }, { value: 5 }]);
  assert.equal(b.host.bindings().map((info) => info.actor), [actor.key]);
  await a.host.stopActor(actor.key);
  await settle();
  assert.equal(b.host.bindings(), [], "stopping the actor unbound it on B");
  await a.stop();
  await b.stop();
  await bus.close();
});

lattice("serves HTTP on one host for an actor on another", async () => {
  const bus = new LoopbackBus();
  const a = await latticeHost(bus);
  const b = await latticeHost(bus);
  await b.host.startProvider(httpServerProvider);
  const actor = await signActor(await testActor("echo"), {
    caps: ["wascc:http_server"],
  });
  await a.host.startActor(actor.bytes);
  const port = freePort();
  await a.host.bind(actor.key, "wascc:http_server", "", {
    PORT: String(port),
    HOST: "127.0.0.1",
  });
  await settle(100);

  const response = await fetch(`http://127.0.0.1:${port}/x`, {
    method: "POST",
    body: "across hosts",
  });
  assert.is(response.status, 200);
  assert.is(await response.text(), "across hosts");
  await a.host.unbind(actor.key, "wascc:http_server");
  await settle(100);
  assert.equal(b.host.bindings(), [], "the remote unbind reached host B");
  await a.stop();
  await b.stop();
  await bus.close();
});

lattice("binds again when the provider starts after the binding", async () => {
  const bus = new LoopbackBus();
  const a = await latticeHost(bus);
  const b = await latticeHost(bus);
  const actor = await kvActor();
  await a.host.startActor(actor.bytes);
  await a.host.bind(actor.key, KV, "", { STORE: "memory" });
  await rejects(
    () => a.host.invoke(actor.key, "H", addCall("n", 1)),
    /no host runs it/,
  );

  await b.host.startProvider(keyValueProvider);
  await settle();
  const reply = decode(await a.host.invoke(actor.key, "H", addCall("n", 1)));
  assert.equal(reply, { value: 1 });
  await a.stop();
  await b.stop();
  await bus.close();
});

lattice("invokes an actor on another host, local first", async () => {
  const bus = new LoopbackBus();
  const a = await latticeHost(bus);
  const b = await latticeHost(bus);
  const actor = await signActor(await guestModule());
  await a.host.startActor(actor.bytes);

  const recorder = new Recorder();
  bus.subscribe(a.lattice.subjects.actor(actor.key), recorder.handler);
  assert.is(text(await b.host.invoke(actor.key, "Echo", bytes("far"))), "far");
  assert.is(
    text(await a.host.invoke(actor.key, "Echo", bytes("near"))),
    "near",
  );
  await settle();
  assert.is(recorder.messages.length, 1, "only the remote call used the bus");
  await a.stop();
  await b.stop();
  await bus.close();
});

lattice("passes an actor's error back across hosts", async () => {
  const bus = new LoopbackBus();
  const a = await latticeHost(bus);
  const b = await latticeHost(bus);
  const actor = await signActor(await guestModule());
  await a.host.startActor(actor.bytes);
  await rejects(
    () => b.host.invoke(actor.key, "Fail", bytes("")),
    /on purpose/,
  );
  await rejects(
    () => b.host.invoke("M" + "Q".repeat(55), "Echo", bytes("")),
    /no host runs it/,
  );
  await a.stop();
  await b.stop();
  await bus.close();
});

lattice("refuses a call cycle across hosts at once", async () => {
  const bus = new LoopbackBus();
  const a = await latticeHost(bus, { rpcTimeoutMs: 5000 });
  const b = await latticeHost(bus, { rpcTimeoutMs: 5000 });
  const { first, second, cycle } = await cyclingActors();
  await a.host.startActor(first.bytes);
  await b.host.startActor(second.bytes);
  await settle();
  // first runs on a, second on b: the inner call crosses back to a.
  const started = performance.now();
  await rejects(() => a.host.invoke(first.key, "Host", cycle), /call cycle/);
  assert.ok(performance.now() - started < 1000, "answered at once");
  // Without a cycle the same pair still talks across hosts.
  const relay = hostCallPayload("", first.key, "Echo", "back");
  assert.is(text(await b.host.invoke(second.key, "Host", relay)), "back");
  await a.stop();
  await b.stop();
  await bus.close();
});

lattice("keeps lattices with different names apart", async () => {
  const bus = new LoopbackBus();
  const a = await latticeHost(bus, { namespace: "north" });
  const b = await latticeHost(bus, { namespace: "south" });
  const actor = await signActor(await guestModule());
  await a.host.startActor(actor.bytes);
  assert.is(
    a.lattice.subjects.actor(actor.key),
    `north.wasmbus.actor.${actor.key}`,
  );
  await rejects(
    () => b.host.invoke(actor.key, "Echo", bytes("x")),
    /no host runs it/,
  );
  await a.stop();
  await b.stop();
  await bus.close();
});

const forgery = suite("Lattice invocation checks");

async function forged(
  change: (invocation: Invocation) => Invocation | Uint8Array,
  trustedHosts?: string[],
) {
  const bus = new LoopbackBus();
  const a = await latticeHost(bus, { trustedHosts });
  const actor = await signActor(await guestModule());
  await a.host.startActor(actor.bytes);
  const key = await generateKeyPair("server");
  const signer = new InvocationSigner(key.seed);
  const unsigned = {
    origin: { kind: "actor" as const, key: "system" },
    target: { kind: "actor" as const, key: actor.key },
    operation: "Echo",
    msg: bytes("payload"),
    id: crypto.randomUUID(),
  };
  const invocation: Invocation = {
    ...unsigned,
    encodedClaims: signer.token(unsigned),
    hostId: key.publicKey,
  };
  const changed = change(invocation);
  const payload = changed instanceof Uint8Array
    ? changed
    : encodeInvocation(changed);
  const reply = await bus.request(
    a.lattice.subjects.actor(actor.key),
    payload,
    {
      timeoutMs: 1000,
    },
  );
  await a.stop();
  await bus.close();
  return { response: decodeResponse(reply.payload), host: key.publicKey };
}

forgery("answers a well-signed invocation", async () => {
  const { response } = await forged((invocation) => invocation);
  assert.is(response.error, undefined);
  assert.is(text(response.msg), "payload");
});

forgery("rejects an invocation whose bytes were altered", async () => {
  const { response } = await forged((invocation) => ({
    ...invocation,
    msg: bytes("tampered"),
  }));
  assert.match(
    response.error ?? "",
    /rejected: invocation hash does not match/,
  );
});

forgery("rejects a token signed by another key than host_id", async () => {
  const other = await generateKeyPair("server");
  const { response } = await forged((invocation) => ({
    ...invocation,
    hostId: other.publicKey,
  }));
  assert.match(response.error ?? "", /token issuer is not the sending host/);
});

forgery("rejects a forged signature", async () => {
  const { response } = await forged((invocation) => {
    const [head, body] = invocation.encodedClaims.split(".");
    return {
      ...invocation,
      encodedClaims: `${head}.${body}.${"A".repeat(86)}`,
    };
  });
  assert.match(response.error ?? "", /signature does not verify/);
});

forgery("rejects a token made for another invocation", async () => {
  const { response } = await forged((invocation) => ({
    ...invocation,
    id: crypto.randomUUID(),
  }));
  assert.match(response.error ?? "", /subject is not the invocation id/);
});

forgery("rejects a token addressed to another operation", async () => {
  const { response } = await forged((invocation) => ({
    ...invocation,
    operation: "Loop",
  }));
  assert.match(response.error ?? "", /target URL does not match/);
});

forgery("answers garbage with an error naming the problem", async () => {
  const { response } = await forged(() => Uint8Array.of(0xc1, 0x00, 0xff));
  assert.match(response.error ?? "", /Invocation rejected: Cannot decode/);
  const empty = await forged(() => encode({ origin: 1 }));
  assert.match(empty.response.error ?? "", /Invocation rejected/);
});

forgery("refuses hosts outside --trusted-host", async () => {
  const outsider = await forged(
    (invocation) => invocation,
    ["N" + "A".repeat(55)],
  );
  assert.match(outsider.response.error ?? "", /is not trusted/);
});

const knowing = suite("Lattice inventory and events");

lattice.run();
forgery.run();

knowing("answers inventory queries from every host", async () => {
  const bus = new LoopbackBus();
  const a = await latticeHost(bus, {}, { labels: { site: "barn" } });
  const b = await latticeHost(bus);
  const actor = await signActor(await guestModule(), { name: "echo" });
  await a.host.startActor(actor.bytes, { instances: 2 });
  await b.host.startProvider(keyValueProvider);

  const answers = async (kind: "hosts" | "actors" | "capabilities") => {
    const inbox = `inbox.${crypto.randomUUID()}`;
    const recorder = new Recorder();
    bus.subscribe(inbox, recorder.handler);
    bus.publish(a.lattice.subjects.inventory(kind), new Uint8Array(), {
      reply: inbox,
    });
    const messages = await recorder.until(2);
    return messages.map((message) => JSON.parse(text(message.payload)));
  };
  const hosts = await answers("hosts");
  const barn = hosts.find((answer) => answer.Host.id === a.host.id);
  assert.is(barn.Host.labels.site, "barn");
  assert.is(barn.Host.labels["hostcore.os"], Deno.build.os);
  assert.is(barn.Host.labels["hostcore.arch"], Deno.build.arch);
  assert.ok(barn.Host.uptime_ms >= 0);

  const actors = await answers("actors");
  const onA = actors.find((answer) => answer.Actors.host === a.host.id);
  assert.is(onA.Actors.actors[0].sub, actor.key);
  assert.is(onA.Actors.actors[0].wascap.name, "echo");
  assert.is(onA.Actors.instances[actor.key], 2);

  const capabilities = await answers("capabilities");
  const onB = capabilities.find((answer) =>
    answer.Capabilities.host === b.host.id
  );
  assert.is(onB.Capabilities.capabilities[0].descriptor.id, KV);
  await a.stop();
  await b.stop();
  await bus.close();
});

knowing("publishes CloudEvents and heartbeats", async () => {
  const bus = new LoopbackBus();
  const recorder = new Recorder();
  bus.subscribe("wasmbus.events", recorder.handler);
  const a = await latticeHost(bus, { heartbeatMs: 50 });
  const actor = await signActor(await guestModule());
  await a.host.startActor(actor.bytes, { instances: 3 });
  await settle(120);
  await a.stop();

  const events = recorder.messages.map((message) =>
    JSON.parse(text(message.payload))
  );
  const types = events.map((event) => event.type);
  assert.ok(types.includes("wasmbus.events.host_started"));
  const starting = types.indexOf("wasmbus.events.actor_starting");
  assert.ok(starting >= 0, "ActorStarting is published");
  assert.ok(starting < types.indexOf("wasmbus.events.actor_started"));
  assert.equal(JSON.parse(events[starting].data), {
    ActorStarting: { actor: actor.key },
  });
  assert.ok(types.includes("wasmbus.events.actor_stopped"));
  assert.is(types.at(-1), "wasmbus.events.host_stopped");
  for (const event of events) {
    assert.is(event.specversion, "1.0");
    assert.is(event.source, a.host.id);
    assert.is(event.datacontenttype, "application/json");
  }
  const beats = events.filter((event) =>
    event.type === "wasmbus.events.host_heartbeat"
  ).map((event) => JSON.parse(event.data).HostHeartbeat);
  const busy = beats.find((beat) => beat.actors.length === 1);
  assert.ok(busy, "a heartbeat lists the actor");
  assert.equal(busy.actors[0].actor, actor.key);
  assert.is(busy.actors[0].instances, 3);
  await bus.close();
});

knowing.run();
