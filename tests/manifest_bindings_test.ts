import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadManifest, parseManifest } from "../runtime/manifest.ts";
import { KEY, parse, refuses } from "./manifest_harness.ts";

const bindings = suite("parseManifest: bindings");

bindings("fills in the default binding and empty values", () => {
  const manifest = parse(
    `bindings:\n  - { actor: ${KEY}, capability: "wascc:keyvalue" }\n` +
      `  - { actor: ${KEY}, capability: c, binding: "  ", values: {} }\n`,
  );
  assert.equal(manifest.bindings, [
    {
      actor: KEY,
      capability: "wascc:keyvalue",
      binding: "default",
      values: {},
      line: 2,
    },
    { actor: KEY, capability: "c", binding: "default", values: {}, line: 3 },
  ]);
});

bindings("keeps capability ids with inner spaces", () => {
  const manifest = parse(
    `bindings:\n  - { actor: ${KEY}, capability: "acme: two words" }\n`,
  );
  assert.is(manifest.bindings[0].capability, "acme: two words");
});

bindings("refuses an actor that is not a module key", () => {
  const bad = [
    KEY.slice(0, 55),
    `${KEY}A`,
    `N${KEY.slice(1)}`,
    KEY.toLowerCase(),
    `${KEY.slice(0, 55)}1`,
  ];
  for (const actor of bad) {
    refuses(
      `bindings:\n  - actor: ${actor}\n    capability: c\n`,
      'Invalid manifest "demo.yaml" line 2: "bindings[0].actor" must be a ' +
        'module public key (56 characters of A-Z and 2-7 starting with "M"), ' +
        `got "${actor}"`,
    );
  }
});

bindings("requires a non-empty capability", () => {
  refuses(
    `bindings:\n  - actor: ${KEY}\n`,
    'Invalid manifest "demo.yaml" line 2: "bindings[0].capability" is ' +
      "required",
  );
  refuses(
    `{"bindings": [{"actor": "${KEY}", "capability": ""}]}`,
    'Invalid manifest "d.json" line 1: "bindings[0].capability" must not ' +
      "be empty",
    "d.json",
  );
});

bindings("stringifies scalar values and refuses others", () => {
  const manifest = parse(
    `bindings:\n  - actor: ${KEY}\n    capability: c\n` +
      "    values: { PORT: 8081, TLS: false, HOST: 0.0.0.0 }\n",
  );
  assert.equal(manifest.bindings[0].values, {
    PORT: "8081",
    TLS: "false",
    HOST: "0.0.0.0",
  });
  refuses(
    `bindings:\n  - actor: ${KEY}\n    capability: c\n` +
      "    values:\n      ROUTES: { a: b }\n",
    'Invalid manifest "demo.yaml" line 5: "bindings[0].values.ROUTES" must ' +
      "be a string, number or boolean, got a mapping",
  );
  refuses(
    `{"bindings": [{"actor": "${KEY}", "capability": "c", "values": [1]}]}`,
    'Invalid manifest "d.json" line 1: "bindings[0].values" must be a ' +
      "mapping, got a list",
    "d.json",
  );
});

bindings("refuses unknown keys", () => {
  refuses(
    `bindings:\n  - actor: ${KEY}\n    capability: c\n    value: {}\n`,
    'Invalid manifest "demo.yaml" line 4: "bindings[0].value" is not a ' +
      'known key; expected one of "actor", "capability", "binding", "values"',
  );
});

bindings("refuses the same binding given twice", () => {
  refuses(
    `bindings:\n  - { actor: ${KEY}, capability: c }\n` +
      `  - { actor: ${KEY}, capability: c, binding: default }\n`,
    'Invalid manifest "demo.yaml" line 3: "bindings" lists the binding of ' +
      `${KEY} to "c" named "default" again (first on line 2)`,
  );
});

bindings.run();

const paths = suite("parseManifest: paths");

paths("resolves relative paths against the manifest's directory", () => {
  const manifest = parseManifest(
    "actors: [a.wasm, ../b.wasm, /opt/c.wasm]\n" +
      "capabilities: [{ path: ./p/gpio.ts }]\n",
    { path: "/etc/trellis/host.yaml", env: {} },
  );
  assert.is(manifest.path, "/etc/trellis/host.yaml");
  assert.equal(manifest.actors.map((actor) => actor.path), [
    "/etc/trellis/a.wasm",
    "/etc/b.wasm",
    "/opt/c.wasm",
  ]);
  assert.equal(manifest.capabilities[0], {
    kind: "plugin",
    path: "/etc/trellis/p/gpio.ts",
    binding: "default",
    line: 2,
  });
});

paths("resolves a relative manifest path against the working directory", () => {
  const manifest = parseManifest("actors: [x/a.wasm]", {
    path: "conf/host.yaml",
    env: {},
  });
  assert.is(manifest.path, `${Deno.cwd()}/conf/host.yaml`);
  assert.is(manifest.actors[0].path, `${Deno.cwd()}/conf/x/a.wasm`);
});

paths.run();

const load = suite("loadManifest");

load("reads a file and resolves paths next to it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/host.yaml`;
    await Deno.writeTextFile(file, "actors:\n  - ${NAME:echo}.wasm\n");
    const manifest = await loadManifest(file, { NAME: "counter" });
    assert.is(manifest.path, file);
    assert.equal(manifest.actors, [
      { path: `${dir}/counter.wasm`, instances: 1, force: false, line: 2 },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

load("reports a missing file as NotFound", async () => {
  try {
    await loadManifest("/nonexistent/trellis/host.yaml", {});
    assert.unreachable("a missing file was read");
  } catch (error) {
    assert.instance(error, Deno.errors.NotFound);
  }
});

load.run();
