import { suite } from "uvu";
import * as assert from "uvu/assert";
import { generateKeyPair } from "../runtime/ed25519.ts";
import { ActorBusyError } from "../runtime/errors.ts";
import type { HostOptions, StartActorOptions } from "../runtime/host.ts";
import type { ProviderFactory } from "../runtime/provider.ts";
import { testHost, text } from "./host_helpers.ts";
import { signActor } from "./sign.ts";
import { HELD_CAPABILITY, versionedGuest } from "./versioned_guest.ts";

/** A provider of HELD_CAPABILITY whose calls answer once released. */
function heldProvider() {
  const held: (() => void)[] = [];
  const factory: ProviderFactory = {
    capabilityId: HELD_CAPABILITY,
    create: () => ({
      descriptor: {
        id: HELD_CAPABILITY,
        name: "held",
        version: "0.1.0",
        revision: 1,
        longDescription: "Answers each call once the test releases it",
        supportedOperations: [],
      },
      bind: () => Promise.resolve(),
      unbind: () => Promise.resolve(),
      call: () =>
        new Promise((resolve) => held.push(() => resolve(new Uint8Array()))),
      stop: () => Promise.resolve(),
    }),
  };
  return {
    factory,
    /** Calls waiting for release. */
    get waiting(): number {
      return held.length;
    },
    /** Answers the oldest waiting call. */
    releaseOne(): void {
      held.shift()?.();
    },
    releaseAll(): void {
      for (const release of held.splice(0)) release();
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Condition never held");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A host running the `old` build with `instances`, bound to the provider. */
async function pooled(
  instances: number,
  options: Partial<HostOptions>,
  start: StartActorOptions = {},
) {
  const host = await testHost(options);
  const provider = heldProvider();
  await host.startProvider(provider.factory);
  const subject = await generateKeyPair("module");
  const sign = async (reply: string) =>
    (await signActor(await versionedGuest({ reply }), {
      subject,
      name: "pooled",
      caps: [HELD_CAPABILITY],
    })).bytes;
  await host.startActor(await sign("old"), { instances, ...start });
  await host.bind(subject.publicKey, HELD_CAPABILITY);
  const invoke = (operation: string) =>
    host.invoke(subject.publicKey, operation, new Uint8Array()).then(text);
  return {
    host,
    provider,
    sign,
    invoke,
    actor: () => host.actor(subject.publicKey)!,
  };
}

const pool = suite("Actor pool");

pool(
  "runs one invocation per instance at once, queues the next, refuses " +
    "past the queue",
  async () => {
    const { host, provider, invoke, actor } = await pooled(3, {
      queueLimit: 1,
    });

    const running = [invoke("Wait"), invoke("Wait"), invoke("Wait")];
    await until(() => provider.waiting === 3);
    const queued = invoke("Wait");
    assert.is(actor().queued, 1);
    const refused = await invoke("Get").catch((error) => error);
    assert.instance(refused, ActorBusyError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.is(provider.waiting, 3, "the fourth waits for a free instance");

    provider.releaseOne();
    await until(() => provider.waiting === 3 && actor().queued === 0);
    provider.releaseAll();
    assert.equal(await Promise.all([...running, queued]), [
      "old",
      "old",
      "old",
      "old",
    ]);
    await host.stop();
  },
);

pool("an actor's own queue limit overrides the host's, also live", async () => {
  const { host, provider, invoke, actor } = await pooled(1, {
    queueLimit: 5,
  }, { queueLimit: 1 });
  const key = actor().key;
  assert.is(host.queueLimitOf(key), 1);

  const calls = [invoke("Wait")];
  await until(() => provider.waiting === 1);
  calls.push(invoke("Wait"));
  const refused = await invoke("Get").catch((error) => error);
  assert.instance(refused, ActorBusyError, "its own limit of 1");

  host.setQueueLimit(key, 2);
  calls.push(invoke("Wait"));
  assert.is(actor().queued, 2);
  assert.instance(await invoke("Get").catch((error) => error), ActorBusyError);

  host.setQueueLimit(key, undefined);
  assert.is(host.queueLimitOf(key), undefined);
  calls.push(invoke("Wait"), invoke("Wait"), invoke("Wait"));
  assert.is(actor().queued, 5, "the host's limit of 5 again");

  while (provider.waiting > 0 || actor().queued > 0) {
    provider.releaseAll();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(await Promise.all(calls), Array(6).fill("old"));
  await host.stop();
});

pool(
  "finishes running invocations on the old module and queued ones on the " +
    "new",
  async () => {
    const { host, provider, sign, invoke, actor } = await pooled(2, {});

    const running = [invoke("Wait"), invoke("Wait")];
    await until(() => provider.waiting === 2);
    const queued = [invoke("Get"), invoke("Get"), invoke("Get")];
    assert.is(actor().queued, 3);

    await host.updateActor(await sign("new"));
    assert.equal(await Promise.all(queued), ["new", "new", "new"]);
    assert.is(await invoke("Get"), "new");
    assert.is(provider.waiting, 2, "the old invocations still wait");

    provider.releaseAll();
    assert.equal(await Promise.all(running), ["old", "old"]);
    const after = await Promise.all([invoke("Get"), invoke("Get")]);
    assert.equal(after, ["new", "new"]);
    assert.is(actor().instances, 2);
    await host.stop();
  },
);

pool.run();
