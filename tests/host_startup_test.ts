import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { builtinProviders } from "../providers/builtin.ts";
import type { Host } from "../runtime/host.ts";
import { HostRecorder } from "../runtime/host_record.ts";
import { migrate, readHostState } from "../runtime/host_state.ts";
import { bringUp } from "../runtime/host_startup.ts";
import { parseManifest } from "../runtime/manifest.ts";
import { ModuleCache } from "../runtime/module_cache.ts";
import { testActor } from "./actors.ts";
import { testHost } from "./host_helpers.ts";
import { signActor } from "./sign.ts";

const catalog = { builtin: (id: string) => builtinProviders.get(id) };
const dir = await Deno.makeTempDir({ prefix: "trellis-startup-" });
const manifestPath = join(dir, "host.yaml");
let actor: { key: string; file: string };

function manifest(instances: number, file = actor.file) {
  const text = `actors:\n  - { path: ${file}, instances: ${instances} }\n`;
  return parseManifest(text, { path: manifestPath, env: {} });
}

/** One start of a host on `dataDir`, as `trellis up` does it. */
async function start(dataDir: string, instances?: number, file?: string) {
  const cache = new ModuleCache(dataDir);
  const host = await testHost({ dataDir, moduleCache: cache });
  const state = await readHostState(dataDir);
  const recorder = new HostRecorder({
    host,
    dataDir,
    writer: "trellis test",
    manifest: state?.manifest,
  });
  await bringUp(host, {
    state,
    manifest: instances === undefined ? undefined : manifest(instances, file),
    catalog,
    cache,
    recorder,
  });
  await recorder.start();
  return { host, recorder };
}

async function restart(
  running: { host: Host; recorder: HostRecorder },
  dataDir: string,
  instances?: number,
  file?: string,
) {
  await running.recorder.close();
  await running.host.stop();
  return await start(dataDir, instances, file);
}

const startup = suite("bringUp");

startup.before(async () => {
  const signed = await signActor(await testActor("echo"), { name: "echo" });
  const file = join(dir, "echo.wasm");
  await Deno.writeFile(file, signed.bytes);
  actor = { key: signed.key, file };
});

startup.after(async () => {
  await Deno.remove(dir, { recursive: true });
});

startup("applies the manifest on first start and records it", async () => {
  const dataDir = join(dir, "first");
  const running = await start(dataDir, 2);
  assert.is(running.host.actor(actor.key)?.instances, 2);
  const state = await readHostState(dataDir);
  assert.equal(state?.actors.map((entry) => entry.instances), [2]);
  assert.is(state?.manifest?.digest, manifest(2).digest);
  await running.recorder.close();
  await running.host.stop();
});

startup("keeps the recorded state over an unchanged manifest", async () => {
  const dataDir = join(dir, "unchanged");
  let running = await start(dataDir, 1);
  await running.host.scaleActor(actor.key, 3);
  running = await restart(running, dataDir, 1);
  assert.is(running.host.actor(actor.key)?.instances, 3);
  await running.recorder.close();
  await running.host.stop();
});

startup("applies the difference when the manifest changed", async () => {
  const dataDir = join(dir, "changed");
  let running = await start(dataDir, 1);
  running = await restart(running, dataDir, 2);
  assert.is(running.host.actor(actor.key)?.instances, 2);
  const state = await readHostState(dataDir);
  assert.is(state?.manifest?.digest, manifest(2).digest);
  await running.recorder.close();
  await running.host.stop();
});

startup("runs a recorded actor again with no manifest", async () => {
  const dataDir = join(dir, "bare");
  let running = await start(dataDir, 2);
  running = await restart(running, dataDir);
  assert.equal(running.host.actors().map((claims) => claims.subject), [
    actor.key,
  ]);
  assert.is(running.host.actor(actor.key)?.instances, 2);
  await running.recorder.close();
  await running.host.stop();
});

startup("keeps an actor's own queue limit over a restart", async () => {
  const dataDir = join(dir, "queue");
  let running = await start(dataDir, 1);
  running.host.setQueueLimit(actor.key, 7);
  await running.recorder.record();
  running = await restart(running, dataDir);
  assert.is(running.host.queueLimitOf(actor.key), 7);
  assert.is(running.host.actor(actor.key)?.queueLimit, 7);
  await running.recorder.close();
  await running.host.stop();
});

startup("never runs an identity twice", async () => {
  const dataDir = join(dir, "twice");
  const moved = join(dir, "moved.wasm");
  await Deno.copyFile(actor.file, moved);
  let running = await start(dataDir, 1);
  running = await restart(running, dataDir, 1, moved);
  assert.is(running.host.actors().length, 1);
  assert.is(running.host.actor(actor.key)?.instances, 1);
  await running.recorder.close();
  await running.host.stop();
});

startup(
  "takes a first manifest over a recorded state without starting twice",
  async () => {
    const dataDir = join(dir, "first-manifest");
    let running = await start(dataDir);
    await running.host.startActor(await Deno.readFile(actor.file));
    await running.recorder.record();
    running = await restart(running, dataDir, 2);
    assert.is(running.host.actors().length, 1);
    assert.is(running.host.actor(actor.key)?.instances, 2);
    const state = await readHostState(dataDir);
    assert.is(state?.manifest?.actors[0]?.key, actor.key);
    await running.recorder.close();
    await running.host.stop();
  },
);

const schema = suite("host state schema");

schema("reads the current schema", () => {
  const state = migrate({
    schema: 1,
    writer: "trellis",
    actors: [],
    providers: [],
    bindings: [],
  });
  assert.is(state.schema, 1);
});

schema("refuses a newer schema, naming both versions", () => {
  assert.throws(
    () => migrate({ schema: 2, writer: "trellis 0.2.0", actors: [] }),
    /schema 2 was written by a newer trellis \(trellis 0\.2\.0\); this one reads up to 1/,
  );
});

schema("refuses a file without a schema or with broken lists", () => {
  assert.throws(() => migrate([]), /not an object/);
  assert.throws(() => migrate({ actors: [] }), /no schema version/);
  assert.throws(
    () => migrate({ schema: 1, actors: {}, providers: [], bindings: [] }),
    /"actors" is not a list/,
  );
});

schema("refuses a damaged file with a way out", async () => {
  const dataDir = join(dir, "damaged");
  await Deno.mkdir(dataDir, { recursive: true });
  await Deno.writeTextFile(join(dataDir, "state.json"), '{"schema": 1,');
  let error: Error | undefined;
  await readHostState(dataDir).catch((caught) => error = caught);
  assert.match(error?.message ?? "", /not JSON .*move it away/);
});

startup.run();
schema.run();
