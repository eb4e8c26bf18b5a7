/**
 * A host in airplane mode, as a separate `trellis up` process: ready at
 * once with no server to reach, joining by itself when one appears, and
 * coming back as it was after a restart with no network and no manifest.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import { testActor } from "./actors.ts";
import { type CliProcess, startCli } from "./cli_harness.ts";
import { freePort } from "./http_server_harness.ts";
import { latticeHost } from "./lattice_harness.ts";
import { startNatsServer } from "./nats_server.ts";
import { signActor } from "./sign.ts";

const READY = /^trellis ready /;
const LINK_UP = /"msg":"link changed".*"state":"up"/;

const offline = suite("trellis up offline");
const dir = await Deno.makeTempDir({ prefix: "trellis-offline-" });
let running: CliProcess[] = [];
let actorKey: string;
let actorFile: string;

function echoManifest(port: number): string {
  return [
    "actors:",
    `  - ${actorFile}`,
    "capabilities:",
    '  - id: "wascc:http_server"',
    "bindings:",
    `  - actor: ${actorKey}`,
    '    capability: "wascc:http_server"',
    `    values: { HOST: 127.0.0.1, PORT: "${port}" }`,
    "",
  ].join("\n");
}

function up(args: string[]): CliProcess {
  const process = startCli(["up", "--log-format", "json", ...args]);
  running.push(process);
  return process;
}

async function stop(process: CliProcess): Promise<void> {
  process.signal("SIGTERM");
  const result = await process.exit(15_000);
  assert.is(result.code, 0, result.stderr);
}

async function post(url: string, body: string): Promise<string> {
  const response = await fetch(url, { method: "POST", body });
  assert.is(response.status, 200);
  return await response.text();
}

offline.before(async () => {
  const actor = await signActor(await testActor("echo"), {
    name: "echo",
    caps: ["wascc:http_server"],
  });
  actorKey = actor.key;
  actorFile = join(dir, "echo.wasm");
  await Deno.writeFile(actorFile, actor.bytes);
});

offline.after.each(() => {
  for (const process of running) process.kill();
  running = [];
});

offline.after(async () => {
  await Deno.remove(dir, { recursive: true });
});

offline(
  "is ready within a second with the server down, then joins it",
  async () => {
    const natsPort = freePort();
    const httpPort = freePort();
    const manifest = join(dir, "airplane.yaml");
    await Deno.writeTextFile(manifest, echoManifest(httpPort));
    const started = performance.now();
    const host = up([
      "--nats",
      `nats://127.0.0.1:${natsPort}`,
      "--manifest",
      manifest,
      "--data-dir",
      join(dir, "airplane"),
    ]);
    const ready = await host.waitForLine(READY, 10_000);
    const readyMs = performance.now() - started;
    assert.match(ready, /link=down/);
    assert.ok(readyMs < 1000, `ready after ${Math.round(readyMs)} ms`);
    const url = `http://127.0.0.1:${httpPort}/`;
    assert.is(await post(url, "offline"), "offline");

    const server = await startNatsServer({ port: natsPort });
    try {
      await host.waitForLog(LINK_UP, 15_000);
      const bus = await connectNatsBus({ servers: [server.url] });
      const caller = await latticeHost(bus, { rpcTimeoutMs: 3000 });
      const reply = await caller.host.invoke(
        actorKey,
        "Echo",
        new TextEncoder().encode("through the lattice"),
      );
      assert.is(new TextDecoder().decode(reply), "through the lattice");
      assert.is(await post(url, "still local"), "still local");
      await caller.stop();
      await bus.close();
    } finally {
      await stop(host);
      await server.stop();
    }
  },
);

offline(
  "comes back with the same actors and bindings, no manifest, no network",
  async () => {
    const httpPort = freePort();
    const dataDir = join(dir, "restart");
    const manifest = join(dir, "restart.yaml");
    const copy = join(dir, "restart-echo.wasm");
    await Deno.copyFile(actorFile, copy);
    await Deno.writeTextFile(
      manifest,
      echoManifest(httpPort).replace(actorFile, copy),
    );
    const first = up(["--standalone", "--manifest", manifest, "--data-dir"]
      .concat(dataDir));
    await first.waitForLine(READY, 10_000);
    const url = `http://127.0.0.1:${httpPort}/`;
    assert.is(await post(url, "first"), "first");
    await stop(first);

    // Neither the manifest nor the module file is needed any more.
    await Deno.remove(manifest);
    await Deno.remove(copy);
    const second = up([
      "--nats",
      `nats://127.0.0.1:${freePort()}`,
      "--data-dir",
      dataDir,
    ]);
    const ready = await second.waitForLine(READY, 10_000);
    assert.match(ready, /actors=1 bindings=1 /);
    assert.is(await post(url, "second"), "second");
    await stop(second);
  },
);

offline("refuses a state file written by a newer schema", async () => {
  const dataDir = join(dir, "newer");
  await Deno.mkdir(dataDir, { recursive: true });
  await Deno.writeTextFile(
    join(dataDir, "state.json"),
    JSON.stringify({
      schema: 99,
      writer: "trellis 9.0.0",
      actors: [],
      providers: [],
      bindings: [],
    }),
  );
  const host = up(["--standalone", "--data-dir", dataDir]);
  const result = await host.exit(15_000);
  assert.is(result.code, 1);
  assert.match(result.stderr, /schema 99 was written by a newer trellis/);
});

offline.run();
