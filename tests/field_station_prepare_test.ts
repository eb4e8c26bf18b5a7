import { Buffer } from "node:buffer";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readClaims } from "../runtime/claims.ts";
import { registerExample, writeExample } from "../runtime/examples.ts";
import { loadManifest, parseManifest } from "../runtime/manifest.ts";
import {
  AGGREGATOR_CAPS,
  embeddedFieldStation,
  prepareFieldStation,
} from "../scripts/prepare_field_station.ts";

async function withStateDir(run: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "trellis-field-prepare-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Binding values by capability id. */
function valuesOf(manifest: ReturnType<typeof parseManifest>) {
  return Object.fromEntries(
    manifest.bindings.map((binding) => [binding.capability, binding.values]),
  );
}

const prepare = suite("field station preparation");

prepare(
  "embeds the signed aggregator and a template with variables left in",
  () =>
    withStateDir(async (stateDir) => {
      const { modules, manifestTemplate } = await embeddedFieldStation({
        stateDir,
      });

      assert.equal(Object.keys(modules), ["aggregator.wasm"]);
      const claims = readClaims(modules["aggregator.wasm"]);
      assert.equal(claims.caps, [...AGGREGATOR_CAPS]);
      for (const reference of ["FIELD_HOST:", "FIELD_PORT:", "DEVICE:"]) {
        assert.match(manifestTemplate, "${" + reference);
      }
      assert.not.match(manifestTemplate, "AGGREGATOR_ACTOR");

      const path = join(stateDir, "manifest.yaml");
      const defaults = parseManifest(manifestTemplate, { path, env: {} });
      assert.equal(
        defaults.bindings.map((binding) => binding.actor),
        Array(4).fill(claims.subject),
      );
      const values = valuesOf(defaults);
      assert.equal(values["wascc:http_server"], {
        HOST: "127.0.0.1",
        PORT: "8080",
      });
      assert.is(values["trellis:sensors"].DEVICE_NAME, "field-1");
      const env = { FIELD_PORT: "9001", DEVICE: "shed-2" };
      const set = valuesOf(parseManifest(manifestTemplate, { path, env }));
      assert.is(set["wascc:http_server"].PORT, "9001");
      assert.is(set["trellis:sensors"].DEVICE_NAME, "shed-2");
    }),
);

prepare(
  "keeps the aggregator's identity in the state directory",
  () =>
    withStateDir(async (stateDir) => {
      const first = await embeddedFieldStation({ stateDir });
      const second = await embeddedFieldStation({ stateDir });
      const subject = (embedded: typeof first) =>
        readClaims(embedded.modules["aggregator.wasm"]).subject;
      assert.is(subject(second), subject(first));
    }),
);

prepare(
  "writes the module and a manifest for the address given",
  () =>
    withStateDir(async (stateDir) => {
      const prepared = await prepareFieldStation({
        stateDir,
        host: "0.0.0.0",
        port: 9123,
      });

      assert.is(prepared.manifestPath, join(stateDir, "manifest.yaml"));
      const text = await Deno.readTextFile(prepared.manifestPath);
      assert.match(text, "${DEVICE:field-1}");
      const manifest = await loadManifest(prepared.manifestPath, {});
      assert.equal(manifest.actors.map((actor) => actor.path), [
        join(stateDir, "aggregator.wasm"),
      ]);
      assert.equal(valuesOf(manifest)["wascc:http_server"], {
        HOST: "0.0.0.0",
        PORT: "9123",
      });
      const module = await Deno.readFile(join(stateDir, "aggregator.wasm"));
      assert.is(readClaims(module).subject, prepared.actor);
    }),
);

prepare(
  "runs as an example a single-file build carries",
  () =>
    withStateDir(async (stateDir) => {
      const { modules, manifestTemplate } = await embeddedFieldStation({
        stateDir,
      });
      registerExample("field_station_test", {
        manifest: manifestTemplate,
        modules: Object.fromEntries(
          Object.entries(modules).map(([file, bytes]) => [
            file,
            Buffer.from(bytes).toString("base64"),
          ]),
        ),
      });

      const dir = join(stateDir, "example");
      const path = await writeExample("field_station_test", dir, {
        FIELD_PORT: "9200",
      });
      const manifest = await loadManifest(path, {});
      assert.is(valuesOf(manifest)["wascc:http_server"].PORT, "9200");
      const written = await Deno.readFile(join(dir, "aggregator.wasm"));
      assert.equal(written, modules["aggregator.wasm"]);
    }),
);

prepare.run();
