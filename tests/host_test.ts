import { suite } from "uvu";
import * as assert from "uvu/assert";
import type {
  CapabilityProvider,
  ProviderFactory,
} from "../runtime/provider.ts";
import {
  cyclingActors,
  guestModule,
  hostCallPayload,
  testHost,
  text,
} from "./host_helpers.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const bytes = (value: string) => new TextEncoder().encode(value);

const host = suite("Host");

host("runs a signed actor and echoes a payload", async () => {
  const h = await testHost();
  const actor = await signActor(await guestModule());
  const claims = await h.startActor(actor.bytes);
  assert.is(claims.subject, actor.key);
  assert.is(text(await h.invoke(actor.key, "Echo", bytes("hi"))), "hi");
  await h.stop();
});

host("passes the guest's error text to the caller", async () => {
  const h = await testHost();
  const actor = await signActor(await guestModule());
  await h.startActor(actor.bytes);
  await rejects(
    () => h.invoke(actor.key, "Fail", new Uint8Array()),
    /failed on purpose/,
  );
  await h.stop();
});

host("fails a trapping call and keeps the instance usable", async () => {
  const h = await testHost();
  const actor = await signActor(await guestModule());
  await h.startActor(actor.bytes);
  await rejects(
    () => h.invoke(actor.key, "Trap", new Uint8Array()),
    /trapped/,
  );
  assert.is(text(await h.invoke(actor.key, "Echo", bytes("again"))), "again");
  await h.stop();
});

host("refuses an unsigned module, naming the check", async () => {
  const h = await testHost();
  await rejects(
    () => h.startActor(guestModule() as never),
    /Cannot start actor/,
  );
  await rejects(
    async () => h.startActor(await guestModule(), { source: "plain.wasm" }),
    /Cannot start actor "plain.wasm".*unsigned/,
  );
  await h.stop();
});

host("refuses the same identity twice", async () => {
  const h = await testHost();
  const actor = await signActor(await guestModule());
  await h.startActor(actor.bytes);
  await rejects(() => h.startActor(actor.bytes), /already running/);
  await h.stop();
});

host("refuses an actor from an issuer outside the allowed list", async () => {
  const h = await testHost({
    allowedIssuers: [
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
  });
  const actor = await signActor(await guestModule());
  await rejects(() => h.startActor(actor.bytes), /not allowed/);
  await h.stop();
});

host.run();

const dispatch = suite("Host dispatch");

function recordingProvider(capabilityId: string) {
  const calls: { actor: string; operation: string; payload: string }[] = [];
  const bound: Record<string, string>[] = [];
  const factory: ProviderFactory = {
    capabilityId,
    create: (): CapabilityProvider => ({
      descriptor: {
        id: capabilityId,
        name: "recorder",
        version: "1",
        revision: 1,
        longDescription: "",
        supportedOperations: [],
      },
      bind: (binding) => {
        bound.push(binding.values);
        return Promise.resolve();
      },
      unbind: () => Promise.resolve(),
      call: (call) => {
        calls.push({ ...call, payload: text(call.payload) });
        return Promise.resolve(bytes(`ok:${call.operation}`));
      },
      stop: () => Promise.resolve(),
    }),
  };
  return { factory, calls, bound };
}

dispatch("routes a guest call to a bound provider", async () => {
  const h = await testHost();
  const recorder = recordingProvider("test:recorder");
  await h.startProvider(recorder.factory);
  const actor = await signActor(await guestModule(), {
    caps: ["test:recorder"],
    name: "caller",
    tags: ["a", "b"],
  });
  await h.startActor(actor.bytes);
  await h.bind(actor.key, "test:recorder", "", { PORT: "1" });
  const reply = await h.invoke(
    actor.key,
    "Host",
    hostCallPayload("", "test:recorder", "Write", "data"),
  );
  assert.is(text(reply), "ok:Write");
  assert.equal(recorder.calls, [
    { actor: actor.key, operation: "Write", payload: "data" },
  ]);
  assert.is(recorder.bound[0].PORT, "1");
  assert.is(recorder.bound[0].__wascc_name, "caller");
  assert.is(recorder.bound[0].__wascc_capabilities, "test:recorder");
  assert.is(recorder.bound[0].__wascc_tags, "a,b");
  assert.is(recorder.bound[0].__wascc_expires, "0");
  await h.stop();
});

dispatch("refuses a call to a capability the claims do not list", async () => {
  const h = await testHost();
  const recorder = recordingProvider("test:recorder");
  await h.startProvider(recorder.factory);
  const actor = await signActor(await guestModule(), { caps: [] });
  await h.startActor(actor.bytes);
  await rejects(
    () =>
      h.invoke(
        actor.key,
        "Host",
        hostCallPayload("default", "test:recorder", "Write"),
      ),
    /capability not in its claims/,
  );
  assert.equal(recorder.calls, []);
  await h.stop();
});

dispatch("refuses binding to a capability the claims do not list", async () => {
  const h = await testHost();
  const recorder = recordingProvider("test:recorder");
  await h.startProvider(recorder.factory);
  const actor = await signActor(await guestModule(), { caps: [] });
  await h.startActor(actor.bytes);
  await rejects(
    () => h.bind(actor.key, "test:recorder"),
    /not in the actor's claims/,
  );
  await h.stop();
});

dispatch("refuses a call to a provider the actor is not bound to", async () => {
  const h = await testHost();
  const recorder = recordingProvider("test:recorder");
  await h.startProvider(recorder.factory);
  const actor = await signActor(await guestModule(), {
    caps: ["test:recorder"],
  });
  await h.startActor(actor.bytes);
  await rejects(
    () =>
      h.invoke(
        actor.key,
        "Host",
        hostCallPayload("default", "test:recorder", "Write"),
      ),
    /not bound/,
  );
  await h.stop();
});

dispatch("calls another actor listed in the caller's claims", async () => {
  const h = await testHost();
  const callee = await signActor(await guestModule(), { name: "callee" });
  const caller = await signActor(await guestModule(), { caps: [callee.key] });
  await h.startActor(callee.bytes);
  await h.startActor(caller.bytes);
  const reply = await h.invoke(
    caller.key,
    "Host",
    hostCallPayload("ignored", callee.key, "Echo", "relayed"),
  );
  assert.is(text(reply), "relayed");
  await h.stop();
});

dispatch("refuses a call cycle at once instead of waiting", async () => {
  const h = await testHost({ deadlineMs: 5000 });
  const { first, second, cycle } = await cyclingActors();
  await h.startActor(first.bytes);
  await h.startActor(second.bytes);
  const started = performance.now();
  await rejects(() => h.invoke(first.key, "Host", cycle), /call cycle/);
  assert.ok(performance.now() - started < 1000, "answered at once");
  await h.stop();
});

dispatch.run();
