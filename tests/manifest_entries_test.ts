import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DIR, parse, refuse, refuses } from "./manifest_harness.ts";

const labels = suite("parseManifest: labels");

labels("keeps numbers and booleans as written", () => {
  assert.equal(
    parse("labels: { port: 08081, ratio: 1.50, on: true, id: 0x1F }").labels,
    { port: "08081", ratio: "1.50", on: "true", id: "0x1F" },
  );
  assert.equal(
    parse('{"labels": {"n": 1e3, "b": false}}', "d.json").labels,
    { n: "1e3", b: "false" },
  );
});

labels("refuses the reserved hostcore. prefix in any case", () => {
  refuses(
    "labels:\n  hostcore.os: linux\n",
    'Invalid manifest "demo.yaml" line 2: "labels[\'hostcore.os\']" uses ' +
      'the reserved prefix "hostcore."',
  );
  assert.match(
    refuse('{"labels": {"HostCore.arch": "x"}}', "d.json").message,
    /line 1: "labels\['HostCore.arch'\]" uses the reserved prefix/,
  );
});

labels("refuses a value that is a list, a mapping or null", () => {
  refuses(
    "labels:\n  zones: [a, b]\n",
    'Invalid manifest "demo.yaml" line 2: "labels.zones" must be a string, ' +
      "number or boolean, got a list",
  );
  refuses(
    '{"labels": {"a": null}}',
    'Invalid manifest "d.json" line 1: "labels.a" must be a string, number ' +
      "or boolean, got null",
    "d.json",
  );
});

labels("refuses an empty key", () => {
  assert.match(refuse('labels: { "": x }').message, /"labels" has an empty/);
});

labels.run();

const actors = suite("parseManifest: actors");

actors("accepts a path or a mapping and fills in defaults", () => {
  assert.equal(
    parse("actors:\n  - echo.wasm\n  - { path: b.wasm, force: true }\n")
      .actors,
    [
      { path: `${DIR}/echo.wasm`, instances: 1, force: false, line: 2 },
      { path: `${DIR}/b.wasm`, instances: 1, force: true, line: 3 },
    ],
  );
});

actors("refuses instances that are not a whole number of at least 1", () => {
  const message = (line: number, got: string) =>
    `Invalid manifest "demo.yaml" line ${line}: "actors[1].instances" must ` +
    `be a whole number of at least 1, got ${got}`;
  const text = (instances: string) =>
    `actors:\n  - a.wasm\n  - path: b.wasm\n    instances: ${instances}\n`;
  refuses(text("two"), message(4, '"two"'));
  refuses(text("0"), message(4, "0"));
  refuses(text("1.5"), message(4, "1.5"));
  refuses(text('"4"'), message(4, '"4"'));
  refuses(
    '{"actors": ["a.wasm", {"path": "b.wasm", "instances": -1}]}',
    message(1, "-1").replace("demo.yaml", "d.json"),
    "d.json",
  );
});

actors("takes an actor's own queue limit, a whole number of at least 1", () => {
  assert.equal(
    parse("actors:\n  - { path: b.wasm, queue_limit: 5 }\n").actors,
    [{
      path: `${DIR}/b.wasm`,
      instances: 1,
      force: false,
      line: 2,
      queueLimit: 5,
    }],
  );
  refuses(
    "actors:\n  - { path: a.wasm, queue_limit: 0 }\n",
    'Invalid manifest "demo.yaml" line 2: "actors[0].queue_limit" must be ' +
      "a whole number of at least 1, got 0",
  );
});

actors("refuses force that is not a boolean", () => {
  refuses(
    "actors:\n  - { path: a.wasm, force: yes }\n",
    'Invalid manifest "demo.yaml" line 2: "actors[0].force" must be true ' +
      'or false, got "yes"',
  );
});

actors("refuses unknown keys, a missing path and other types", () => {
  refuses(
    "actors:\n  - { path: a.wasm, count: 2 }\n",
    'Invalid manifest "demo.yaml" line 2: "actors[0].count" is not a known ' +
      'key; expected one of "path", "instances", "force", "queue_limit"',
  );
  refuses(
    '{"actors": [{"instances": 2}]}',
    'Invalid manifest "d.json" line 1: "actors[0].path" is required',
    "d.json",
  );
  refuses(
    "actors:\n  - [a.wasm]\n",
    'Invalid manifest "demo.yaml" line 2: "actors[0]" must be a path or a ' +
      'mapping with "path", got a list',
  );
  refuses(
    "actors:\n  - { path: '  ' }\n",
    'Invalid manifest "demo.yaml" line 2: "actors[0].path" must not be empty',
  );
});

actors("refuses the same actor file listed twice", () => {
  refuses(
    "actors:\n  - a.wasm\n  - ./sub/../a.wasm\n",
    `Invalid manifest "demo.yaml" line 3: "actors" lists the actor ` +
      `"${Deno.cwd()}/a.wasm" again (first on line 2); raise "instances" ` +
      "instead",
  );
});

actors.run();

const capabilities = suite("parseManifest: capabilities");

capabilities("tells built-ins, plugins and wasm providers apart", () => {
  const manifest = parse(
    "capabilities:\n  - id: wascc:logging\n  - path: p/a.ts\n" +
      "  - path: p/b.js\n  - path: p/c.mjs\n  - path: p/D.WASM\n",
  );
  assert.equal(
    manifest.capabilities.map((capability) =>
      capability.kind === "builtin"
        ? `builtin ${capability.id}`
        : `${capability.kind} ${capability.path}`
    ),
    [
      "builtin wascc:logging",
      `plugin ${DIR}/p/a.ts`,
      `plugin ${DIR}/p/b.js`,
      `plugin ${DIR}/p/c.mjs`,
      `wasm ${DIR}/p/D.WASM`,
    ],
  );
});

capabilities("refuses native libraries saying they are not supported", () => {
  for (const file of ["libx.so", "libx.so.1", "x.dylib", "X.DLL"]) {
    refuses(
      `capabilities:\n  - path: ./${file}\n`,
      `Invalid manifest "demo.yaml" line 2: "capabilities[0].path" names a ` +
        `native library "./${file}"; native plugins are not supported, use ` +
        "a .ts, .js or .wasm provider",
    );
  }
  assert.match(
    refuse('{"capabilities": [{"path": "libx.so"}]}', "d.json").message,
    /line 1: .*native plugins are not supported/,
  );
});

capabilities("refuses any other extension", () => {
  for (const file of ["x.py", "x", "x.wat"]) {
    refuses(
      `capabilities:\n  - path: ${file}\n`,
      `Invalid manifest "demo.yaml" line 2: "capabilities[0].path" must end ` +
        `in .ts, .js, .mjs or .wasm, got "${file}"`,
    );
  }
});

capabilities("wants exactly one of id and path", () => {
  refuses(
    "capabilities:\n  - { id: a, path: b.ts }\n",
    'Invalid manifest "demo.yaml" line 2: "capabilities[0]" must have "id" ' +
      'or "path", not both',
  );
  refuses(
    '{"capabilities": [{"binding_name": "x"}]}',
    'Invalid manifest "d.json" line 1: "capabilities[0]" must have "id" ' +
      '(a built-in capability) or "path" (a provider module)',
    "d.json",
  );
  refuses(
    "capabilities:\n  - wascc:logging\n",
    'Invalid manifest "demo.yaml" line 2: "capabilities[0]" must be a ' +
      'mapping with "id" or "path", got "wascc:logging"',
  );
});

capabilities("defaults binding_name, also when blank", () => {
  const manifest = parse(
    "capabilities:\n  - { id: a }\n  - { id: b, binding_name: '' }\n" +
      "  - { id: c, binding_name: }\n  - { id: d, binding_name: x }\n",
  );
  assert.equal(
    manifest.capabilities.map((capability) => capability.binding),
    ["default", "default", "default", "x"],
  );
});

capabilities("refuses unknown keys and malformed ids", () => {
  refuses(
    "capabilities:\n  - { id: a, binding: x }\n",
    'Invalid manifest "demo.yaml" line 2: "capabilities[0].binding" is not ' +
      'a known key; expected one of "id", "path", "binding_name"',
  );
  refuses(
    "capabilities:\n  - { id: ' ' }\n",
    'Invalid manifest "demo.yaml" line 2: "capabilities[0].id" must not be ' +
      "empty",
  );
  refuses(
    'capabilities:\n  - { id: "a\\tb" }\n',
    'Invalid manifest "demo.yaml" line 2: "capabilities[0].id" must not ' +
      "contain tabs, line breaks or control characters",
  );
  refuses(
    "capabilities:\n  - { id: 7 }\n",
    'Invalid manifest "demo.yaml" line 2: "capabilities[0].id" must be a ' +
      "string, got 7",
  );
});

capabilities("refuses a provider listed twice under one binding name", () => {
  refuses(
    "capabilities:\n  - id: kv\n  - { id: kv, binding_name: cache }\n" +
      "  - { id: kv, binding_name: default }\n",
    'Invalid manifest "demo.yaml" line 4: "capabilities" lists the ' +
      'capability "kv" with binding name "default" again (first on line 2)',
  );
});

capabilities.run();
