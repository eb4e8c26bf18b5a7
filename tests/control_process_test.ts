/**
 * Steering a lattice of `trellis up` processes on a real nats-server with
 * `trellis ctl`: auctions on labels, scaling, moves and rolling updates
 * under load, a rollback on one host, and refusals of unsigned, forged
 * and actor-sent commands.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { moduleHash } from "../runtime/claims.ts";
import { encode } from "../runtime/codec.ts";
import { generateKeyPair } from "../runtime/ed25519.ts";
import { startCli } from "./cli_harness.ts";
import { ctl } from "./control_harness.ts";
import {
  ControlWorld,
  InvokeLoad,
  orderedSeeds,
  stdoutLines,
} from "./control_world.ts";
import { hostCallPayload } from "./host_helpers.ts";
import { logLines, waitForLogs, withCustomSection } from "./reload_harness.ts";
import { rejects } from "./rejects.ts";
import { signActor, type SignedModule } from "./sign.ts";
import { wat } from "./wat.ts";

const CAPS = ["wascc:messaging"];

interface Modules {
  v1: SignedModule;
  v2: SignedModule;
  /** Grows memory by 2 MiB in `_start`: fails under a 1 MiB ceiling. */
  hungry: SignedModule;
  files: { v1: string; v2: string; hungry: string };
}

let world: ControlWorld;
let modules: Modules;

async function buildModules(dir: string): Promise<Modules> {
  const source = await Deno.readTextFile(
    new URL("./fixtures/guest.wat", import.meta.url),
  );
  const plain = await wat(source);
  const hungrySource = source.replace(
    /\)\s*$/,
    `(func (export "_start")
       (if (i32.eq (memory.grow (i32.const 32)) (i32.const -1))
         (then unreachable))))`,
  );
  const v1 = await signActor(plain, { name: "guest", caps: CAPS, rev: 1 });
  const sign = async (bytes: Uint8Array, rev: number) =>
    await signActor(bytes, {
      subject: v1.subject,
      name: "guest",
      caps: CAPS,
      rev,
    });
  const v2 = await sign(withCustomSection(plain, "v2"), 2);
  const hungry = await sign(await wat(hungrySource), 3);
  const files = {
    v1: join(dir, "v1.wasm"),
    v2: join(dir, "v2.wasm"),
    hungry: join(dir, "hungry.wasm"),
  };
  await Deno.writeFile(files.v1, v1.bytes);
  await Deno.writeFile(files.v2, v2.bytes);
  await Deno.writeFile(files.hungry, hungry.bytes);
  return { v1, v2, hungry, files };
}

/** The module hash each host runs `actor` with, from the inventory. */
async function hashes(actor: string): Promise<Record<string, string>> {
  const inventory = await world.ctlJson(["inventory"]) as unknown as {
    host: string;
    actors?: { actors: { sub: string; wascap: { hash: string } }[] };
  }[];
  const found: Record<string, string> = {};
  for (const entry of inventory) {
    const claims = entry.actors?.actors.find((item) => item.sub === actor);
    if (claims) found[entry.host] = claims.wascap.hash;
  }
  return found;
}

const control = suite("trellis ctl across processes (nats-server)");

control.before(async () => {
  world = await ControlWorld.start(true);
  modules = await buildModules(world.dir);
});

control.after.each(async () => {
  await world.stopHosts();
});

control.after(async () => {
  await world.close();
});

control("starts an actor by auction on labels", async () => {
  await world.up("barn", ["--label", "site=barn"]);
  const field = await world.up("field", ["--label", "site=field"]);
  const started = await world.ctlJson([
    "start",
    modules.files.v1,
    "--constraint",
    "site=field",
  ]);
  assert.is(started.host, field.id);
  assert.is(started.actor, modules.v1.key);
  assert.equal(await world.placements(modules.v1.key), { [field.id]: 1 });

  const again = await world.ctl([
    "start",
    modules.files.v1,
    "--constraint",
    "site=field",
  ]);
  assert.is(again.code, 1);
  assert.match(again.stderr, /Cannot choose a host: none bid for site=field/);
  const reply = await world.host.invoke(
    modules.v1.key,
    "Echo",
    new TextEncoder().encode("hi"),
  );
  assert.is(new TextDecoder().decode(reply), "hi");
});

control("scales an actor up and down on its host", async () => {
  const barn = await world.up("barn");
  await world.ctlJson(["start", modules.files.v1, "--host", barn.id]);
  const events = startCli([
    "ctl",
    "events",
    "--json",
    "--for",
    "20s",
    "--nats",
    world.server.url,
  ]);
  world.processes.push(events);
  await events.waitForLog(/^following wasmbus\.events$/);
  const up = await world.ctl(["scale", modules.v1.key, "4"]);
  assert.equal(stdoutLines(up), [
    `scaled ${modules.v1.key} on ${barn.id} to 4`,
  ]);
  assert.equal(await world.placements(modules.v1.key), { [barn.id]: 4 });
  await world.ctlJson(["scale", modules.v1.key, "1"]);
  assert.equal(await world.placements(modules.v1.key), { [barn.id]: 1 });
  const logged = logLines(barn.process).filter((line) =>
    line.msg === "actor scaled"
  );
  assert.equal(logged.map((line) => line.instances), [4, 1]);

  const scaled = () =>
    events.stdoutLines.map((line) => JSON.parse(line))
      .filter((event) => event.type === "wasmbus.events.actor_scaled")
      .map((event) => JSON.parse(event.data).ActorScaled.instances);
  const deadline = Date.now() + 5000;
  while (scaled().length < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(scaled(), [4, 1], "ctl events followed the stream");
});

control("moves an actor under load with zero failed calls", async () => {
  const barn = await world.up("barn");
  const field = await world.up("field");
  await world.ctlJson(["start", modules.files.v1, "--host", barn.id]);
  await world.ctlJson(["scale", modules.v1.key, "2"]);
  const load = new InvokeLoad(world.host, modules.v1.key);
  try {
    await load.more(100);
    const moved = await world.ctl(["move", modules.v1.key, "--to", field.id]);
    assert.is(moved.code, 0, moved.stderr);
    assert.match(
      moved.stdout,
      new RegExp(`^moved ${modules.v1.key} from ${barn.id} to ${field.id}`),
    );
    assert.match(moved.stderr, /move: started on host/);
    await load.more(100);
  } finally {
    await load.stop();
  }
  assert.equal(load.failures, [], "failed calls");
  assert.equal(await world.placements(modules.v1.key), { [field.id]: 2 });
  const fetched = logLines(field.process).find((line) =>
    line.msg === "module fetched"
  );
  assert.ok(fetched, "the target fetched the module the source shared");
});

control(
  "updates every host one at a time under load with zero failed calls",
  async () => {
    const barn = await world.up("barn");
    const field = await world.up("field");
    for (const host of [barn, field]) {
      await world.ctlJson(["start", modules.files.v1, "--host", host.id]);
    }
    const load = new InvokeLoad(world.host, modules.v1.key);
    let result;
    try {
      await load.more(100);
      result = await world.ctl(["update", modules.files.v2]);
      await load.more(100);
    } finally {
      await load.stop();
    }
    assert.is(result.code, 0, result.stderr);
    assert.equal(load.failures, [], "failed calls");
    const order = [barn.id, field.id].sort();
    assert.equal(
      result.stderr.split("\n").filter((line) => line.includes("done in"))
        .map((line) => line.split(" ")[3]),
      order,
      "progress lines, one host after the other",
    );
    const v2 = await moduleHash(modules.v2.bytes);
    assert.equal(await hashes(modules.v1.key), {
      [barn.id]: v2,
      [field.id]: v2,
    });
  },
);

control(
  "an update that rolls back on one host puts every host back",
  async () => {
    const [low, high] = await orderedSeeds();
    const roomy = await world.up("roomy", [], low);
    const tight = await world.up("tight", ["--max-memory", "1MiB"], high);
    for (const host of [roomy, tight]) {
      await world.ctlJson(["start", modules.files.v1, "--host", host.id]);
    }
    const load = new InvokeLoad(world.host, modules.v1.key);
    let result;
    try {
      await load.more(50);
      result = await world.ctl(["update", modules.files.hungry]);
      await load.more(50);
    } finally {
      await load.stop();
    }
    assert.is(result.code, 1);
    assert.equal(load.failures, [], "failed calls");
    const lines = stdoutLines(result);
    assert.match(lines[0], `reverted ${modules.v1.key} on ${roomy.id}`);
    assert.match(
      lines[1],
      new RegExp(`^failed ${modules.v1.key} on ${tight.id}: .*failed to start`),
    );
    await waitForLogs(
      tight.process,
      (line) => line.msg === "actor update rolled back",
      1,
    );
    const v1 = await moduleHash(modules.v1.bytes);
    assert.equal(await hashes(modules.v1.key), {
      [roomy.id]: v1,
      [tight.id]: v1,
    });
  },
);

control("refuses unsigned and forged commands", async () => {
  const barn = await world.up("barn");
  const unsigned = await ctl(world.server.url, undefined, [
    "start",
    modules.files.v1,
    "--host",
    barn.id,
  ]);
  assert.is(unsigned.code, 1);
  assert.match(
    unsigned.stderr,
    new RegExp(
      '^Cannot send actor\\.launch to host "N[A-Z0-9]+": command ' +
        "refused: command is not signed",
    ),
  );

  const stranger = await generateKeyPair("account");
  const strangerFile = join(world.dir, "stranger.nk");
  await Deno.writeTextFile(strangerFile, stranger.seed);
  const forged = await ctl(world.server.url, strangerFile, [
    "host",
    "stop",
    barn.id,
  ]);
  assert.is(forged.code, 1);
  assert.match(forged.stderr, /is not a trusted control issuer/);

  const refusals = logLines(barn.process).filter((line) =>
    line.msg === "control command refused"
  );
  assert.is(refusals.length, 2);
  assert.ok(refusals.every((line) => line.level === "warn"));
  assert.is(refusals[1].issuer, stranger.publicKey);
  assert.equal(await world.placements(modules.v1.key), {});
  assert.is((await world.ctlJson(["hosts"]) as unknown as unknown[]).length, 2);
});

control("refuses an actor that publishes a control command", async () => {
  const barn = await world.up("barn");
  await world.ctlJson(["start", modules.files.v1, "--host", barn.id]);
  const provider = await world.ctl([
    "provider",
    "start",
    "wascc:messaging",
    "--host",
    barn.id,
  ]);
  assert.equal(stdoutLines(provider), [
    `started wascc:messaging "default" on ${barn.id}`,
  ]);
  await world.ctlJson(["bind", modules.v1.key, "wascc:messaging"]);
  const stop = encode({
    subject: `wasmbus.control.${barn.id}.host.stop`,
    replyTo: "",
    body: new Uint8Array(),
  });
  await rejects(
    () =>
      world.host.invoke(
        modules.v1.key,
        "Host",
        hostCallPayload("default", "wascc:messaging", "Publish", stop),
      ),
    new RegExp(
      'cannot publish to "wasmbus\\.control\\.N[A-Z0-9]+\\.host\\.stop": ' +
        'subjects whose first or second token is "wasmbus" belong to the ' +
        "lattice",
    ),
  );
  const hosts = await world.ctlJson(["hosts"]) as unknown as { id: string }[];
  assert.ok(hosts.some((host) => host.id === barn.id), "still running");
  assert.not.ok(
    barn.process.stderr.includes('"msg":"stopping"'),
    "the host did not stop",
  );
});

control.run();
