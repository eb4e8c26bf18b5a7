import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DatabaseSync } from "node:sqlite";
import { keyValueProvider } from "../providers/keyvalue.ts";
import { SWEEP_INTERVAL_MS } from "../providers/kv_store.ts";
import {
  ACTOR,
  Harness,
  OTHER_ACTOR,
  quietContext,
  refuses,
} from "./keyvalue_harness.ts";

const lifecycle = suite("KeyValueProvider lifecycle");

lifecycle(
  "keeps strings, lists, sets and expiry across a restart",
  async () => {
    const kv = await Harness.start("sqlite");
    await kv.call("Set", { key: "s", value: "kept" });
    await kv.call("Set", { key: "e", value: "brief", expires: 60 });
    await kv.call("Push", { key: "l", value: "a" });
    await kv.call("SetAdd", { key: "t", value: "m" });
    await kv.provider.stop();

    await kv.restart();
    assert.equal(await kv.call("Get", { key: "s" }), {
      value: "kept",
      exists: true,
    });
    assert.equal(await kv.call("Get", { key: "e" }), {
      value: "brief",
      exists: true,
    });
    assert.equal(await kv.call("Range", { key: "l", start: 0, stop: -1 }), {
      values: ["a"],
    });
    assert.equal(await kv.call("SetQuery", { key: "t" }), { values: ["m"] });
    await kv.provider.stop();

    kv.clockMs += 60_000;
    await kv.restart();
    assert.equal(await kv.call("Get", { key: "e" }), {
      value: "",
      exists: false,
    });
    await kv.stop();
  },
);

lifecycle(
  "keeps a memory binding apart from the file and forgets it on stop",
  async () => {
    const kv = await Harness.start("sqlite");
    await kv.provider.bind({
      actor: OTHER_ACTOR,
      binding: "default",
      values: { STORE: "memory" },
    });
    await kv.call("Set", { key: "k", value: "file" });
    await kv.call("Set", { key: "k", value: "memory" }, OTHER_ACTOR);
    assert.equal(await kv.call("Get", { key: "k" }), {
      value: "file",
      exists: true,
    });
    await kv.provider.stop();

    await kv.restart();
    await kv.provider.bind({
      actor: OTHER_ACTOR,
      binding: "default",
      values: { STORE: "memory" },
    });
    assert.equal(await kv.call("Get", { key: "k" }, OTHER_ACTOR), {
      value: "",
      exists: false,
    });
    await kv.stop();
  },
);

lifecycle("creates no database file for memory bindings only", async () => {
  const kv = await Harness.start("memory");
  await kv.call("Set", { key: "k", value: "v" });
  const names = [];
  for await (const entry of Deno.readDir(kv.dataDir)) names.push(entry.name);
  assert.equal(names, []);
  await kv.stop();
});

lifecycle("creates a missing data directory", async () => {
  const parent = await Deno.makeTempDir();
  const kv = await Harness.start("sqlite", `${parent}/nested/keyvalue`);
  await kv.call("Set", { key: "k", value: "v" });
  assert.ok((await Deno.stat(`${kv.dataDir}/keyvalue.sqlite`)).isFile);
  await kv.stop();
  await Deno.remove(parent, { recursive: true });
});

lifecycle("refuses a binding with an unknown STORE", async () => {
  const dataDir = await Deno.makeTempDir();
  const provider = await keyValueProvider.create(quietContext(dataDir));
  await refuses(
    provider.bind({
      actor: ACTOR,
      binding: "default",
      values: { STORE: "redis" },
    }),
    RangeError,
    /^Cannot bind actor "MACTORONE" to wascc:keyvalue: STORE "redis" is neither/,
  );
  await provider.stop();
  await Deno.remove(dataDir, { recursive: true });
});

lifecycle("sweeps expired keys out of the file on a later write", async () => {
  const kv = await Harness.start("sqlite");
  await kv.call("Set", { key: "gone", value: "v", expires: 1 });
  kv.clockMs += SWEEP_INTERVAL_MS;
  await kv.call("Set", { key: "other", value: "v" });
  const db = new DatabaseSync(`${kv.dataDir}/keyvalue.sqlite`);
  const rows = db.prepare("SELECT key FROM keys ORDER BY key").all();
  db.close();
  assert.equal(rows.map((row) => row.key), ["other"]);
  await kv.stop();
});

lifecycle.run();
