/**
 * The lattice with hosts as separate `trellis up --nats` processes on a
 * real nats-server, and the test process as one more host that calls in.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNatsBus, type NatsBus } from "../leaf/nats_bus.ts";
import { encode } from "../runtime/codec.ts";
import { decodeResponse } from "../runtime/invocation.ts";
import { testActor } from "./actors.ts";
import { type CliProcess, startCli } from "./cli_harness.ts";
import { freePort } from "./http_server_harness.ts";
import { type LatticeHost, latticeHost } from "./lattice_harness.ts";
import { Recorder } from "./bus_recorder.ts";
import { type NatsServer, startNatsServer } from "./nats_server.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const READY = /^trellis ready /;
const LINK_UP = /"msg":"link changed".*"state":"up"/;
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
  const manifestFile = join(world.dir, `${name}.yaml`);
  await Deno.writeTextFile(manifestFile, manifest);
  const process = startCli([
    "up",
    "--nats",
    world.server.url,
    "--manifest",
    manifestFile,
    "--data-dir",
    join(world.dir, name),
    "--log-format",
    "json",
    "--heartbeat",
    "300ms",
    ...more,
  ]);
  world.processes.push(process);
  await process.waitForLine(READY, 60_000);
  await process.waitForLog(LINK_UP, 10_000);
  return process;
}

function actorManifest(extra = ""): string {
  return `actors:\n  - ${world.actorFile}\n${extra}`;
}

function logged(process: CliProcess, marker: string): number {
  return process.stderr.split("\n").filter((line) =>
    line.includes(`"text":"${marker}"`)
  ).length;
}

async function eventually(check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("Condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const lattice = suite("Lattice across processes (nats-server)");

lattice.before(async () => {
  const server = await startNatsServer();
  const dir = await Deno.makeTempDir({ prefix: "trellis-lattice-" });
  const actor = await signActor(await testActor("echo"), {
    name: "echo",
    caps: ["wascc:http_server"],
  });
  const actorFile = join(dir, "echo.wasm");
  await Deno.writeFile(actorFile, actor.bytes);
  const bus = await connectNatsBus({ servers: [server.url] });
  const caller = await latticeHost(bus, { rpcTimeoutMs: 3000 });
  world = {
    server,
    dir,
    actorFile,
    actorKey: actor.key,
    bus,
    caller,
    processes: [],
  };
});

lattice.after.each(async () => {
  for (const process of world.processes) {
    process.signal("SIGTERM");
    await process.exit(15_000).catch(() => process.kill());
  }
  world.processes = [];
});

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
  let response: Response | undefined;
  const deadline = Date.now() + 10_000;
  while (!response) {
    try {
      response = await fetch(`http://127.0.0.1:${port}/hello`, {
        method: "POST",
        body: "from B to A",
      });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
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

lattice("refuses forged and garbage invocations over NATS", async () => {
  await up("a", actorManifest());
  const subject = `wasmbus.actor.${world.actorKey}`;
  for (const payload of [Uint8Array.of(0xc1, 0xff), encode({ id: 7 })]) {
    const reply = await world.bus.request(subject, payload, {
      timeoutMs: 3000,
    });
    assert.match(
      decodeResponse(reply.payload).error ?? "",
      /^Invocation rejected/,
    );
  }
  const echoed = await world.caller.host.invoke(
    world.actorKey,
    "Echo",
    bytes("still serving"),
  );
  assert.is(new TextDecoder().decode(echoed), "still serving");
});

lattice("keeps two lattice names on one server apart", async () => {
  await up("north", actorManifest(), ["--lattice", "north"]);
  await rejects(
    () => world.caller.host.invoke(world.actorKey, "Echo", bytes("x")),
    /no host runs it/,
  );
  const north = await latticeHost(world.bus, { namespace: "north" });
  const reply = await north.host.invoke(world.actorKey, "Echo", bytes("n"));
  assert.is(new TextDecoder().decode(reply), "n");
  await north.stop();
});

lattice("answers inventory and sends heartbeats", async () => {
  const events = new Recorder();
  world.bus.subscribe("wasmbus.events", events.handler);
  const a = await up("a", actorManifest(), ["--label", "site=barn"]);
  const inbox = `_INBOX.test.${crypto.randomUUID()}`;
  const answers = new Recorder();
  world.bus.subscribe(inbox, answers.handler);
  world.bus.publish("wasmbus.inventory.hosts", new Uint8Array(), {
    reply: inbox,
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const hosts = answers.messages.map((message) =>
    JSON.parse(new TextDecoder().decode(message.payload)).Host
  );
  const barn = hosts.find((host) => host.labels.site === "barn");
  assert.ok(barn, "host A answered with its label");
  assert.is(barn.labels["hostcore.os"], "linux");
  assert.ok(hosts.some((host) => host.id === world.caller.host.id));
  assert.match(a.stdoutLines[0], barn.id);

  await eventually(() =>
    events.messages.some((message) => {
      const event = JSON.parse(new TextDecoder().decode(message.payload));
      if (event.type !== "wasmbus.events.host_heartbeat") return false;
      const beat = JSON.parse(event.data).HostHeartbeat;
      return beat.host === barn.id && beat.actors.length === 1 &&
        beat.actors[0].actor === world.actorKey &&
        beat.actors[0].instances === 1;
    })
  );
});

lattice.run();
