import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { type Manifest, parseManifest } from "../runtime/manifest.ts";
import { startManifest } from "../runtime/manifest_apply.ts";
import { ManifestReloader } from "../runtime/manifest_reloader.ts";
import { watchManifest } from "../runtime/manifest_watch.ts";
import { guestModule, testHost } from "./host_helpers.ts";
import {
  recordingLogger,
  trappingModule,
  writeFile,
} from "./reload_harness.ts";
import { signActor } from "./sign.ts";

const catalog = { builtin: () => undefined };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const reloader = suite("ManifestReloader");

reloader(
  "a request during a reload queues one more; later ones join it",
  async () => {
    const host = await testHost();
    const path = "/nonexistent/host.yaml";
    const empty = parseManifest("", { path, env: {} });
    const { logger, lines } = recordingLogger();
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => release = resolve);
    const reloads = new ManifestReloader({
      host,
      applied: await startManifest(host, empty, catalog),
      catalog,
      logger,
      load: async (): Promise<Manifest> => {
        loads++;
        if (loads === 1) await gate;
        return empty;
      },
    });

    const first = reloads.request();
    const second = reloads.request();
    const third = reloads.request();
    assert.is(second, third, "the third joins the queued one");
    release();
    await Promise.all([first, second, third]);

    assert.is(loads, 2);
    assert.equal(lines.map((line) => line.msg), [
      "manifest reloaded",
      "manifest reloaded",
    ]);
    await reloads.close();
    await host.stop();
  },
);

reloader(
  "an invalid manifest is one error line and changes nothing",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "trellis-reloader-" });
    const path = join(dir, "host.yaml");
    const host = await testHost();
    const actor = await signActor(await guestModule());
    await writeFile(dir, "guest.wasm", actor.bytes);
    const manifest = parseManifest("actors: [./guest.wasm]", { path, env: {} });
    const applied = await startManifest(host, manifest, catalog);
    const { logger, lines } = recordingLogger();
    const reloads = new ManifestReloader({ host, applied, catalog, logger });

    await Deno.writeTextFile(
      path,
      "actors:\n  - { path: ./guest.wasm, instances: 0 }\n  - {}\n",
    );
    await reloads.request();

    assert.is(lines.length, 1);
    assert.is(lines[0].level, "error");
    assert.is(lines[0].msg, "manifest reload failed");
    assert.is(lines[0].manifest, path);
    assert.is(
      lines[0].error,
      `Invalid manifest "${path}" line 2: "actors[0].instances" must be a ` +
        "whole number of at least 1, got 0; " +
        `Invalid manifest "${path}" line 3: "actors[1].path" is required`,
    );
    assert.is(reloads.applied, applied);
    assert.is(host.actors().length, 1);
    await host.stop();
    await Deno.remove(dir, { recursive: true });
  },
);

reloader("reports a failed change, then the summary", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trellis-reloader-" });
  const path = join(dir, "host.yaml");
  const host = await testHost();
  const actor = await signActor(await guestModule());
  const trapping = await signActor(await trappingModule(), {
    subject: actor.subject,
  });
  await writeFile(dir, "guest.wasm", actor.bytes);
  await writeFile(dir, "trapping.wasm", trapping.bytes);
  const manifest = parseManifest("actors: [./guest.wasm]", { path, env: {} });
  const { logger, lines } = recordingLogger();
  const reloads = new ManifestReloader({
    host,
    applied: await startManifest(host, manifest, catalog),
    catalog,
    logger,
  });

  await Deno.writeTextFile(path, "actors:\n  - ./trapping.wasm\n");
  await reloads.request();

  assert.equal(lines.map((line) => [line.level, line.msg]), [
    ["error", "manifest change failed"],
    ["info", "manifest reloaded"],
  ]);
  assert.is(lines[0].line, 2);
  assert.match(String(lines[0].error), /previous module keeps serving/);
  assert.is(lines[1].failed, 1);
  assert.is(lines[1].actorsUpdated, 0);
  await host.stop();
  await Deno.remove(dir, { recursive: true });
});

reloader.run();

const watch = suite("watchManifest");

watch("calls back once for a burst of writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trellis-watch-" });
  const path = join(dir, "host.yaml");
  await Deno.writeTextFile(path, "labels: {}\n");
  let changes = 0;
  const watching = watchManifest(path, () => changes++, { debounceMs: 100 });
  try {
    for (const text of ["a: 1\n", "a: 2\n", "a: 3\n"]) {
      await Deno.writeTextFile(path, text);
      await pause(10);
    }
    await pause(400);
    assert.is(changes, 1);
  } finally {
    watching.close();
    await Deno.remove(dir, { recursive: true });
  }
});

watch(
  "notices a file renamed over the manifest and ignores its neighbours",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "trellis-watch-" });
    const path = join(dir, "host.yaml");
    await Deno.writeTextFile(path, "labels: {}\n");
    let changes = 0;
    const watching = watchManifest(path, () => changes++, { debounceMs: 50 });
    try {
      await Deno.writeTextFile(join(dir, "other.yaml"), "x\n");
      await pause(300);
      assert.is(changes, 0, "another file");

      await Deno.writeTextFile(join(dir, "new.tmp"), "labels: { a: b }\n");
      await Deno.rename(join(dir, "new.tmp"), path);
      await pause(300);
      assert.is(changes, 1, "renamed over");

      watching.close();
      await Deno.writeTextFile(path, "labels: {}\n");
      await pause(200);
      assert.is(changes, 1, "closed");
    } finally {
      watching.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

watch.run();
