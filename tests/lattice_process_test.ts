/**
 * The lattice with hosts as separate `trellis up --nats` processes on a
 * real nats-server, and the test process as one more host that calls in.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNatsBus, type NatsBus } from "../leaf/nats_bus.ts";
import type { CliProcess } from "./cli_harness.ts";
import { freePort } from "./http_server_harness.ts";
import { type LatticeHost, latticeHost } from "./lattice_harness.ts";
import {
  echoActorFile,
  eventually,
  localHttpManifest,
  postUntilServed,
  startHostProcess,
  stopHostProcesses,
} from "./lattice_process_harness.ts";
import { Recorder, text } from "./bus_recorder.ts";
import { type NatsServer, startNatsServer } from "./nats_server.ts";
import { rejects } from "./rejects.ts";

const bytes = (value: string) => new TextEncoder().encode(value);

interface World {
  server: NatsServer;
  dir: string;
  actorFile: string;
  actorKey: string;
  bus: NatsBus;
  caller: LatticeHost;
  processes: CliProcess[];
}

let world: World;

async function up(name: string, manifest: string, more: string[] = []) {
  const process = await startHostProcess({
    nats: world.server.url,
    dir: world.dir,
    name,
    manifest,
    flags: more,
  });
  world.processes.push(process);
  return process;
}

function actorManifest(extra = ""): string {
  return `actors:\n  - ${world.actorFile}\n${extra}`;
}

/** The host id a process printed in its ready line. */
function hostIdOf(process: CliProcess): string {
  const match = /host=(N[A-Z2-7]{55})/.exec(process.stdoutLines[0]);
  if (!match) throw new Error(`No host id in ${process.stdoutLines[0]}`);
  return match[1];
}

// deno-lint-ignore no-explicit-any
type Answer = Record<string, any>;

/** Asks every host for its inventory of `kind`, collecting for 500 ms. */
async function inventory(kind: string): Promise<Answer[]> {
  const inbox = `_INBOX.test.${crypto.randomUUID()}`;
  const answers = new Recorder();
  const subscription = world.bus.subscribe(inbox, answers.handler);
  world.bus.publish(`wasmbus.inventory.${kind}`, new Uint8Array(), {
    reply: inbox,
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  subscription.unsubscribe();
  return answers.messages.map((message) => JSON.parse(text(message.payload)));
}

/** The one answer `pick` takes; fails if there are none or several. */
function only(answers: Answer[], pick: (answer: Answer) => boolean): Answer {
  const picked = answers.filter(pick);
  assert.is(picked.length, 1, `answers ${JSON.stringify(answers)}`);
  return picked[0];
}

function logged(process: CliProcess, marker: string): number {
  return process.stderr.split("\n").filter((line) =>
    line.includes(`"text":"${marker}"`)
  ).length;
}

const lattice = suite("Lattice across processes (nats-server)");

lattice.before(async () => {
  const server = await startNatsServer();
  const dir = await Deno.makeTempDir({ prefix: "trellis-lattice-" });
  const actor = await echoActorFile(dir);
  const bus = await connectNatsBus({ servers: [server.url] });
  const caller = await latticeHost(bus, { rpcTimeoutMs: 3000 });
  world = {
    server,
    dir,
    actorFile: actor.file,
    actorKey: actor.key,
    bus,
    caller,
    processes: [],
  };
});

lattice.after.each(() => stopHostProcesses(world.processes));

lattice.after(async () => {
  await world.caller.stop();
  await world.bus.close();
  await world.server.stop();
  await Deno.remove(world.dir, { recursive: true });
});

lattice("an HTTP provider on host B serves an actor on host A", async () => {
  const port = freePort();
  await up(
    "a",
    actorManifest(
      `bindings:\n  - actor: ${world.actorKey}\n` +
        `    capability: "wascc:http_server"\n` +
        `    values: { PORT: "${port}", HOST: "127.0.0.1" }\n`,
    ),
  );
  await up("b", `capabilities:\n  - id: "wascc:http_server"\n`);
  const response = await postUntilServed(port, "from B to A");
  assert.is(response.status, 200);
  assert.is(await response.text(), "from B to A");
});

lattice(
  "hosts running one actor share its load and survive kill -9",
  async () => {
    const a = await up("a", actorManifest());
    const c = await up("c", actorManifest());
    await new Promise((resolve) => setTimeout(resolve, 300));
    const invoke = (text: string) =>
      world.caller.host.invoke(world.actorKey, "Log", bytes(text));

    for (let call = 0; call < 40; call++) await invoke("shared");
    await eventually(() => logged(a, "shared") + logged(c, "shared") === 40);
    assert.ok(logged(a, "shared") > 0, "host A served some calls");
    assert.ok(logged(c, "shared") > 0, "host C served some calls");

    a.kill();
    await a.exit();
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let call = 0; call < 20; call++) await invoke("after");
    await eventually(() => logged(c, "after") === 20);
  },
);

lattice("keeps two lattice names on one server apart", async () => {
  await up("north", actorManifest(), ["--lattice", "north"]);
  await rejects(
    () => world.caller.host.invoke(world.actorKey, "Echo", bytes("x")),
    /no host runs it/,
  );
  const north = await latticeHost(world.bus, { namespace: "north" });
  const reply = await north.host.invoke(world.actorKey, "Echo", bytes("n"));
  assert.is(text(reply), "n");
  await north.stop();
});

lattice("answers inventory of all four kinds correctly", async () => {
  const port = freePort();
  const a = await up(
    "a",
    localHttpManifest(world.actorFile, world.actorKey, port),
    ["--label", "site=barn"],
  );
  const id = hostIdOf(a);
  const [hosts, actors, bindings, capabilities] = await Promise.all(
    (["hosts", "actors", "bindings", "capabilities"] as const).map(inventory),
  );

  const host = only(hosts, (answer) => answer.Host?.id === id).Host;
  assert.equal(host.labels, {
    site: "barn",
    "hostcore.os": Deno.build.os,
    "hostcore.osfamily": "unix",
    "hostcore.arch": Deno.build.arch,
  });
  assert.ok(host.uptime_ms > 0, `uptime ${host.uptime_ms}`);
  assert.is(host.link, "up");
  assert.ok(hosts.some((answer) => answer.Host?.id === world.caller.host.id));

  const running = only(actors, (answer) => answer.Actors?.host === id).Actors;
  assert.is(running.actors.length, 1);
  const [claims] = running.actors;
  assert.is(claims.sub, world.actorKey);
  assert.is(claims.wascap.name, "echo");
  assert.equal(claims.wascap.caps, ["wascc:http_server"]);
  assert.match(claims.wascap.hash, /^[0-9A-F]{64}$/);
  assert.equal(running.instances, { [world.actorKey]: 1 });

  const bound = only(bindings, (answer) => answer.Bindings?.host === id);
  assert.is(bound.Bindings.bindings.length, 1);
  const [{ configuration, ...binding }] = bound.Bindings.bindings;
  assert.equal(binding, {
    actor: world.actorKey,
    capability_id: "wascc:http_server",
    binding_name: "default",
  });
  // The values given, and those the host adds from the actor's claims.
  assert.is(configuration.PORT, String(port));
  assert.is(configuration.HOST, "127.0.0.1");
  assert.is(configuration.__wascc_name, "echo");
  assert.is(configuration.__wascc_capabilities, "wascc:http_server");

  const provided = only(
    capabilities,
    (answer) => answer.Capabilities?.host === id,
  ).Capabilities.capabilities;
  assert.is(provided.length, 1);
  assert.is(provided[0].binding_name, "default");
  assert.is(provided[0].descriptor.id, "wascc:http_server");
  assert.ok(provided[0].descriptor.supported_operations.length > 0);
});

lattice("sends heartbeats with actors, providers and uptime", async () => {
  const events = new Recorder();
  const subscription = world.bus.subscribe("wasmbus.events", events.handler);
  const port = freePort();
  const a = await up(
    "a",
    localHttpManifest(world.actorFile, world.actorKey, port),
    ["--label", "site=barn"],
  );
  const id = hostIdOf(a);
  const beats = () =>
    events.messages.map((message) => JSON.parse(text(message.payload)))
      .filter((event) => event.type === "wasmbus.events.host_heartbeat")
      .map((event) => JSON.parse(event.data).HostHeartbeat)
      .filter((beat) => beat.host === id);
  await eventually(() => beats().length >= 2);
  subscription.unsubscribe();

  const [first, second] = beats();
  assert.equal(second.actors, [{
    actor: world.actorKey,
    name: "echo",
    revision: null,
    instances: 1,
  }]);
  assert.equal(second.providers, [{
    capability_id: "wascc:http_server",
    binding_name: "default",
  }]);
  assert.is(second.labels.site, "barn");
  assert.is(second.link, "up");
  assert.type(first.uptime_ms, "number");
  assert.ok(
    second.uptime_ms >= first.uptime_ms + 200,
    `uptime ${first.uptime_ms} then ${second.uptime_ms}`,
  );
});

lattice.run();
