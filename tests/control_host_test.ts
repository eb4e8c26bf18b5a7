/**
 * The control interface of hosts in one process, over a loopback bus:
 * each command, auctions, signatures, and modules from the store and the
 * cache.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { builtinProviders } from "../providers/builtin.ts";
import { moduleHash } from "../runtime/claims.ts";
import { generateKeyPair, type KeyPair } from "../runtime/ed25519.ts";
import {
  type LatticeControl,
  startLatticeControl,
} from "../runtime/lattice_control.ts";
import { LoopbackBus } from "../runtime/loopback_bus.ts";
import { ControlCaller } from "./control_harness.ts";
import { guestModule, text } from "./host_helpers.ts";
import { type LatticeHost, latticeHost } from "./lattice_harness.ts";
import { type LogLine, recordingLogger } from "./reload_harness.ts";
import { withCustomSection } from "./reload_harness.ts";
import { signActor, type SignedModule } from "./sign.ts";

interface Member {
  member: LatticeHost;
  control: LatticeControl;
  dataDir: string;
  lines: LogLine[];
}

interface World {
  bus: LoopbackBus;
  signer: KeyPair;
  caller: ControlCaller;
  barn: Member;
  field: Member;
  dir: string;
  actor: SignedModule;
  actorFile: string;
  stored: Map<string, Uint8Array>;
  fetches: string[];
}

let world: World;

async function member(
  bus: LoopbackBus,
  signer: KeyPair,
  site: string,
  fetch: (hash: string) => Promise<Uint8Array>,
): Promise<Member> {
  const member = await latticeHost(bus, {}, { labels: { site } });
  const dataDir = await Deno.makeTempDir({ prefix: "trellis-control-" });
  const { logger, lines } = recordingLogger();
  const control = startLatticeControl({
    host: member.host,
    lattice: member.lattice,
    issuers: [signer.publicKey],
    dataDir,
    fetchModule: fetch,
    providers: (id) => builtinProviders.get(id),
    logger,
  });
  return { member, control, dataDir, lines };
}

const control = suite("startLatticeControl");

control.before.each(async () => {
  const bus = new LoopbackBus();
  const signer = await generateKeyPair("account");
  const dir = await Deno.makeTempDir({ prefix: "trellis-control-" });
  const actor = await signActor(await guestModule(), {
    name: "guest",
    caps: ["wascc:keyvalue"],
    rev: 1,
  });
  const actorFile = join(dir, "guest.wasm");
  await Deno.writeFile(actorFile, actor.bytes);
  const stored = new Map<string, Uint8Array>();
  const fetches: string[] = [];
  const fetch = (hash: string) => {
    fetches.push(hash);
    const bytes = stored.get(hash);
    return bytes
      ? Promise.resolve(bytes)
      : Promise.reject(new Error("module store unreachable"));
  };
  world = {
    bus,
    signer,
    caller: new ControlCaller(bus, signer),
    barn: await member(bus, signer, "barn", fetch),
    field: await member(bus, signer, "field", fetch),
    dir,
    actor,
    actorFile,
    stored,
    fetches,
  };
});

control.after.each(async () => {
  for (const { member, control, dataDir } of [world.barn, world.field]) {
    await control.close();
    await member.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
  await world.bus.close();
  await Deno.remove(world.dir, { recursive: true });
});

const idOf = (member: Member) => member.member.host.id;

control("launches an actor from a file with its bindings", async () => {
  const answer = await world.caller.command(idOf(world.barn), "actor.launch", {
    module: world.actorFile,
    instances: 2,
    bindings: [{ capability_id: "wascc:keyvalue", values: { A: "1" } }],
  });
  assert.equal(answer, {
    ok: true,
    actor: world.actor.key,
    name: "guest",
    revision: 1,
    hash: await moduleHash(world.actor.bytes),
    instances: 2,
    from: "file",
  });
  const host = world.barn.member.host;
  assert.is(host.actor(world.actor.key)?.instances, 2);
  assert.is(host.latticeBindings()[0]?.values.A, "1");
  const reply = await world.field.member.host.invoke(
    world.actor.key,
    "Echo",
    new TextEncoder().encode("through the lattice"),
  );
  assert.is(text(reply), "through the lattice");
});

control("hosts bid in auctions only when their labels match", async () => {
  const auction = world.caller.subjects.auction;
  const field = await world.caller.gather(auction, {
    constraints: { site: "field" },
  });
  assert.equal(field.map((bid) => bid.host_id), [idOf(world.field)]);
  assert.is(field[0].instances, 0);
  const everyone = await world.caller.gather(auction, { constraints: {} });
  assert.is(everyone.length, 2);

  await world.caller.command(idOf(world.field), "actor.launch", {
    module: world.actorFile,
  });
  const running = await world.caller.gather(auction, {
    actor_id: world.actor.key,
    constraints: { site: "field" },
  });
  assert.equal(running, [], "a host running the actor does not bid");
  const none = await world.caller.gather(auction, {
    constraints: { site: "moon" },
  });
  assert.equal(none, []);
});

control("scales, updates with the previous hash, and stops", async () => {
  const barn = idOf(world.barn);
  await world.caller.command(barn, "actor.launch", { module: world.actorFile });
  const scaled = await world.caller.command(barn, "actor.scale", {
    actor: world.actor.key,
    instances: 3,
  });
  assert.equal(scaled, { ok: true, actor: world.actor.key, instances: 3 });
  assert.is(world.barn.member.host.actor(world.actor.key)?.instances, 3);

  const next = await signActor(withCustomSection(world.actor.bytes, "v2"), {
    subject: world.actor.subject,
    name: "guest",
    caps: ["wascc:keyvalue"],
    rev: 2,
  });
  const nextFile = join(world.dir, "next.wasm");
  await Deno.writeFile(nextFile, next.bytes);
  const updated = await world.caller.command(barn, "actor.update", {
    actor: world.actor.key,
    module: nextFile,
  });
  assert.is(updated.ok, true);
  assert.is(updated.revision, 2);
  assert.is(updated.previous, `sha256:${await moduleHash(world.actor.bytes)}`);

  const back = await world.caller.command(barn, "actor.update", {
    actor: world.actor.key,
    module: updated.previous,
  });
  assert.match(String(back.error), /revision 1 is lower than the running/);
  const forced = await world.caller.command(barn, "actor.update", {
    actor: world.actor.key,
    module: updated.previous,
    force: true,
  });
  assert.is(forced.revision, 1, "the cache had the previous module");

  const stopped = await world.caller.command(barn, "actor.terminate", {
    actor: world.actor.key,
  });
  assert.is(stopped.ok, true);
  assert.is(world.barn.member.host.actors().length, 0);
});

control("refuses an update to another actor's module", async () => {
  const barn = idOf(world.barn);
  await world.caller.command(barn, "actor.launch", { module: world.actorFile });
  const other = await signActor(await guestModule(), { name: "other" });
  const otherFile = join(world.dir, "other.wasm");
  await Deno.writeFile(otherFile, other.bytes);
  const answer = await world.caller.command(barn, "actor.update", {
    actor: world.actor.key,
    module: otherFile,
  });
  assert.equal(answer, {
    ok: false,
    error: `Cannot update actor "${world.actor.key}": module ` +
      `"${otherFile}" is actor "${other.key}"`,
  });
});

control("refuses unsigned and forged commands and logs them", async () => {
  const barn = idOf(world.barn);
  const unsigned = new ControlCaller(world.bus);
  const stranger = new ControlCaller(
    world.bus,
    await generateKeyPair("account"),
  );
  const launch = { module: world.actorFile };
  assert.equal(await unsigned.command(barn, "actor.launch", launch), {
    ok: false,
    error: "Command refused: command is not signed",
  });
  const forged = await stranger.command(barn, "actor.launch", launch);
  assert.match(String(forged.error), /is not a trusted control issuer$/);

  // A token signed for a harmless body, sent with another.
  const subject = world.caller.subjects.host(barn, "host.stop");
  const token = await world.caller.token(
    subject,
    new TextEncoder().encode("{}"),
  );
  const swapped = await world.caller.request(subject, { x: 1 }, token);
  assert.match(String(swapped.error), /does not match the token's hash$/);

  assert.is(world.barn.member.host.actors().length, 0);
  const refusals = world.barn.lines.filter((line) =>
    line.msg === "control command refused"
  );
  assert.is(refusals.length, 3);
  assert.is(refusals[0].level, "warn");
  assert.is(refusals[0].reason, "command is not signed");
});

control("loads a store module once, then from the cache alone", async () => {
  const hash = await moduleHash(world.actor.bytes);
  world.stored.set(hash, world.actor.bytes);
  const barn = idOf(world.barn);
  const first = await world.caller.command(barn, "actor.launch", {
    module: `sha256:${hash}`,
  });
  assert.is(first.from, "store");
  await world.caller.command(barn, "actor.terminate", {
    actor: world.actor.key,
  });

  world.stored.clear();
  const second = await world.caller.command(barn, "actor.launch", {
    module: `sha256:${hash.toLowerCase()}`,
  });
  assert.is(second.from, "cache");
  assert.equal(world.fetches, [hash]);
  const cached = join(world.barn.dataDir, "modules", `${hash}.wasm`);
  assert.equal(await Deno.readFile(cached), world.actor.bytes);
});

control("refuses a store module whose bytes do not match", async () => {
  const hash = await moduleHash(world.actor.bytes);
  const other = await signActor(await guestModule(), { name: "other" });
  const tampered = withCustomSection(other.bytes, "x");
  world.stored.set(hash, tampered);
  const answer = await world.caller.command(idOf(world.field), "actor.launch", {
    module: `sha256:${hash}`,
  });
  assert.match(
    String(answer.error),
    new RegExp(`^Cannot load module "sha256:${hash}": the store's module`),
  );
  const missing = await world.caller.command(
    idOf(world.field),
    "actor.launch",
    {
      module: `sha256:${"A".repeat(64)}`,
    },
  );
  assert.match(String(missing.error), /module store unreachable$/);
  assert.is(world.field.member.host.actors().length, 0);
});

control("changes labels, but never hostcore ones", async () => {
  const barn = idOf(world.barn);
  await world.caller.command(barn, "label.put", { key: "zone", value: "n" });
  assert.is(world.barn.member.host.labels.zone, "n");
  const bids = await world.caller.gather(world.caller.subjects.auction, {
    constraints: { zone: "n" },
  });
  assert.equal(bids.map((bid) => bid.host_id), [barn]);
  await world.caller.command(barn, "label.delete", { key: "zone" });
  assert.is(world.barn.member.host.labels.zone, undefined);
  const core = await world.caller.command(barn, "label.put", {
    key: "hostcore.os",
    value: "plan9",
  });
  assert.match(String(core.error), /hostcore labels are the host's own/);
});

control("starts and stops built-in providers only", async () => {
  const field = idOf(world.field);
  const started = await world.caller.command(field, "provider.launch", {
    capability_id: "wascc:keyvalue",
  });
  assert.is(started.ok, true);
  assert.ok(world.field.member.host.hasProvider("wascc:keyvalue"));
  const bids = await world.caller.gather(
    world.caller.subjects.providerAuction,
    {
      capability_id: "wascc:keyvalue",
      binding_name: "default",
      constraints: {},
    },
  );
  assert.equal(bids.map((bid) => bid.host_id), [idOf(world.barn)]);
  const unknown = await world.caller.command(field, "provider.launch", {
    capability_id: "acme:teleport",
  });
  assert.match(String(unknown.error), /not a built-in provider$/);
  await world.caller.command(field, "provider.terminate", {
    capability_id: "wascc:keyvalue",
  });
  assert.not.ok(world.field.member.host.hasProvider("wascc:keyvalue"));
});

control("warns once that a host without issuers obeys anyone", async () => {
  const { logger, lines } = recordingLogger();
  const open = startLatticeControl({
    host: world.barn.member.host,
    lattice: world.barn.member.lattice,
    bus: new LoopbackBus(),
    issuers: [],
    dataDir: world.barn.dataDir,
    logger,
  });
  await open.close();
  assert.equal(
    lines.map((line) => [line.level, line.msg]),
    [["warn", "lattice control is open to unsigned commands"]],
  );
  assert.is(
    world.barn.lines.filter((line) => line.msg.includes("open")).length,
    0,
    "a host with an issuer does not warn",
  );
});

control.run();
