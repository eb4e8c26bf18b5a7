import { suite } from "uvu";
import * as assert from "uvu/assert";
import { generateKeyPair, type KeyPair } from "../runtime/ed25519.ts";
import type { Host } from "../runtime/host.ts";
import type { HostEvent } from "../runtime/host_events.ts";
import type { ProviderFactory } from "../runtime/provider.ts";
import {
  guestModule,
  hostCallPayload,
  testHost,
  text,
} from "./host_helpers.ts";
import { withCustomSection } from "./reload_harness.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";
import {
  HEALTH_FAILS,
  HEALTH_LOOPS,
  HEALTH_TRAPS,
  versionedGuest,
} from "./versioned_guest.ts";

/** A module that is WebAssembly by its header but does not compile. */
const BROKEN_MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // header, version 1
  ...[0x01, 0x04, 0x01, 0x99, 0x00, 0x00], // one type of unknown form 0x99
]);

/** A host running the build `old` of one identity, with its events. */
async function running(options: { deadlineMs?: number } = {}) {
  const host = await testHost(options);
  const subject = await generateKeyPair("module");
  const events: HostEvent[] = [];
  const old = await signActor(await versionedGuest({ reply: "old" }), {
    subject,
    name: "versioned",
  });
  await host.startActor(old.bytes);
  host.events.on((event) => events.push(event));
  return { host, subject, key: subject.publicKey, events };
}

function sign(
  bytes: Uint8Array,
  subject: KeyPair,
  options: { rev?: number; caps?: string[] } = {},
) {
  return signActor(bytes, { subject, name: "versioned", ...options })
    .then((signed) => signed.bytes);
}

async function reply(host: Host, key: string): Promise<string> {
  return text(await host.invoke(key, "Get", new Uint8Array()));
}

type RolledBack = Extract<HostEvent, { type: "actor_update_rolled_back" }>;

const update = suite("Host.updateActor");

const rollbacks: [string, () => Promise<Uint8Array>, RegExp, number?][] = [
  [
    "fails to compile",
    () => Promise.resolve(BROKEN_MODULE),
    /new module failed to compile/,
  ],
  [
    "fails to instantiate",
    () => versionedGuest({ reply: "new", unknownImport: true }),
    /new module failed to start: .*__missing/,
  ],
  [
    "traps in _start",
    () => versionedGuest({ reply: "new", trapInStart: true }),
    /new module failed to start: .*_start.*unreachable/,
  ],
  [
    "traps in HealthRequest",
    () => versionedGuest({ reply: "new", health: HEALTH_TRAPS }),
    /new module failed its health check: .*trapped/,
  ],
  [
    "misses its deadline in HealthRequest",
    () => versionedGuest({ reply: "new", health: HEALTH_LOOPS }),
    /new module failed its health check: .*deadline of 200 ms/,
    200,
  ],
];

for (const [what, module, reason, deadlineMs] of rollbacks) {
  update(`rolls back a module that ${what}`, async () => {
    const { host, subject, key, events } = await running({ deadlineMs });
    const bytes = await sign(await module(), subject);

    const error = await rejects(
      () => host.updateActor(bytes, { source: "new.wasm" }),
      /^Cannot update actor "versioned": /,
    );
    assert.is(error.name, "UpdateRolledBackError");
    assert.match(error.message, reason);
    assert.match(error.message, /the previous module keeps serving$/);
    assert.equal(events.map((event) => event.type), [
      "actor_updating",
      "actor_update_rolled_back",
    ]);
    const rolledBack = events[1] as RolledBack;
    assert.is(rolledBack.actor, key);
    assert.match(rolledBack.reason, reason);
    assert.is(await reply(host, key), "old");
    await host.stop();
  });
}

update("completes when HealthRequest answers with an error", async () => {
  const { host, subject, key, events } = await running();
  const guest = await versionedGuest({ reply: "new", health: HEALTH_FAILS });
  const bytes = await sign(guest, subject, { rev: 3 });

  const claims = await host.updateActor(bytes);
  assert.is(claims.rev, 3);
  assert.equal(events, [
    { type: "actor_updating", actor: key },
    { type: "actor_update_complete", actor: key, revision: 3 },
  ]);
  assert.is(await reply(host, key), "new");
  await host.stop();
});

update("refuses a lower revision unless forced", async () => {
  const { host, subject, key, events } = await running();
  const build = async (rev: number | undefined, reply: string) =>
    await sign(await versionedGuest({ reply }), subject, { rev });
  await host.updateActor(await build(2, "two"));
  events.length = 0;

  await rejects(
    async () => host.updateActor(await build(1, "one")),
    /^Cannot update actor "versioned": revision 1 is lower than .* 2 /,
  );
  assert.equal(events, [], "a refused revision starts no update");
  assert.is(await reply(host, key), "two");

  await host.updateActor(await build(1, "one"), { force: true });
  assert.is(await reply(host, key), "one");
  await host.updateActor(await build(1, "one again"));
  assert.is(await reply(host, key), "one again", "an equal revision");
  await host.updateActor(await build(undefined, "none"));
  assert.is(await reply(host, key), "none", "an absent revision");
  assert.is(host.actor(key)?.claims.rev, undefined);
  await host.updateActor(await build(1, "one more"));
  assert.is(await reply(host, key), "one more", "after an absent revision");
  await host.stop();
});

/** A provider answering every call with its capability id at once. */
function namingProvider(id: string): ProviderFactory {
  return {
    capabilityId: id,
    create: () => ({
      descriptor: {
        id,
        name: id,
        version: "0.1.0",
        revision: 1,
        longDescription: "Answers with its capability id",
        supportedOperations: [],
      },
      bind: () => Promise.resolve(),
      unbind: () => Promise.resolve(),
      call: () => Promise.resolve(new TextEncoder().encode(id)),
      stop: () => Promise.resolve(),
    }),
  };
}

update("gives the new module's capabilities effect", async () => {
  const host = await testHost();
  const subject = await generateKeyPair("module");
  await host.startProvider(namingProvider("test:dropped"));
  await host.startProvider(namingProvider("test:added"));
  const guest = await guestModule();
  const call = (capabilityId: string) =>
    host.invoke(subject.publicKey, "H", hostCallPayload("", capabilityId, "Op"))
      .then(text);
  const old = await sign(guest, subject, { caps: ["test:dropped"] });
  await host.startActor(old);
  await host.bind(subject.publicKey, "test:dropped");
  assert.is(await call("test:dropped"), "test:dropped");
  await rejects(
    () => host.bind(subject.publicKey, "test:added"),
    /capability not in the actor's claims/,
  );

  const next = await sign(withCustomSection(guest, "next"), subject, {
    caps: ["test:added"],
  });
  await host.updateActor(next);
  await host.bind(subject.publicKey, "test:added");
  assert.is(await call("test:added"), "test:added");
  await rejects(
    () => call("test:dropped"),
    new RegExp(
      `Cannot call "test:dropped" from actor "${subject.publicKey}": ` +
        "capability not in its claims",
    ),
  );
  await host.stop();
});

update.run();
