import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  type Manifest,
  type ManifestEnv,
  parseManifest,
} from "../runtime/manifest.ts";
import { DIR, KEY, parse, refuse, refuses } from "./manifest_harness.ts";

const digest = suite("parseManifest: digest");

digest("changes with the text and with expanded variables only", () => {
  const text = 'labels:\n  port: "${PORT:8081}"\n';
  const of = (source: string, env: ManifestEnv = {}) =>
    parseManifest(source, { path: `${DIR}/a.yaml`, env }).digest;
  assert.match(of(text) ?? "", /^[0-9a-f]{64}$/);
  assert.is(of(text), of(text));
  assert.is.not(of(text), of(text + "# a comment\n"));
  assert.is.not(of(text), of(text, { PORT: "9000" }));
  assert.is(of(text, { PORT: "8081" }), of('labels:\n  port: "8081"\n'));
});

digest.run();

const spec = suite("parseManifest: spec example");

const SPEC_YAML =
  `labels:                       # map of host labels (hostcore.* reserved)
  site: north-barn
actors:                       # a path, or an object (trellis extension)
  - ./echo.wasm
  - { path: ./counter.wasm, instances: 4, force: false }
capabilities:                 # built-in by id, or a provider module by path
  - id: "wascc:http_server"
  - { id: "wascc:keyvalue", binding_name: cache }
  - { path: ./providers/gpio.ts }
  - { path: ./wasi_provider.wasm, binding_name: default }
bindings:
  - actor: ${KEY}
    capability: "wascc:http_server"
    binding: default          # optional, default "default"
    values: { PORT: "8081" }  # optional map of strings
`;

function specManifest(path: string): Manifest {
  return {
    path: `${DIR}/${path}`,
    labels: { site: "north-barn" },
    actors: [
      { path: `${DIR}/echo.wasm`, instances: 1, force: false, line: 4 },
      { path: `${DIR}/counter.wasm`, instances: 4, force: false, line: 5 },
    ],
    capabilities: [
      { kind: "builtin", id: "wascc:http_server", binding: "default", line: 7 },
      { kind: "builtin", id: "wascc:keyvalue", binding: "cache", line: 8 },
      {
        kind: "plugin",
        path: `${DIR}/providers/gpio.ts`,
        binding: "default",
        line: 9,
      },
      {
        kind: "wasm",
        path: `${DIR}/wasi_provider.wasm`,
        binding: "default",
        line: 10,
      },
    ],
    bindings: [{
      actor: KEY,
      capability: "wascc:http_server",
      binding: "default",
      values: { PORT: "8081" },
      line: 12,
    }],
  };
}

spec("parses the example manifest of the spec", () => {
  assert.equal(parse(SPEC_YAML), specManifest("demo.yaml"));
});

spec("parses the same manifest written as JSON", () => {
  const json = `{
  "labels": { "site": "north-barn" },
  "actors": [
    "./echo.wasm",
    { "path": "./counter.wasm", "instances": 4, "force": false }
  ],
  "capabilities": [
    { "id": "wascc:http_server" },
    { "id": "wascc:keyvalue", "binding_name": "cache" },
    { "path": "./providers/gpio.ts" },
    { "path": "./wasi_provider.wasm", "binding_name": "default" }
  ],
  "bindings": [
    {
      "actor": "${KEY}",
      "capability": "wascc:http_server",
      "binding": "default",
      "values": { "PORT": "8081" }
    }
  ]
}`;
  const expected = specManifest("demo.json");
  expected.actors[0].line = 4;
  expected.actors[1].line = 5;
  expected.capabilities.forEach((capability, index) => {
    capability.line = 8 + index;
  });
  expected.bindings[0].line = 14;
  assert.equal(parse(json, "demo.json"), expected);
});

spec("reads an empty file, a comment-only file and empty sections", () => {
  const empty = {
    path: `${DIR}/demo.yaml`,
    labels: {},
    actors: [],
    capabilities: [],
    bindings: [],
  };
  assert.equal(parse(""), empty);
  assert.equal(parse("# nothing yet\n"), empty);
  assert.equal(parse("{}"), empty);
  assert.equal(
    parse("labels:\nactors:\ncapabilities:\nbindings:\n"),
    empty,
  );
});

spec.run();

const env = suite("parseManifest: environment");

env("expands ${VAR} from the given environment", () => {
  const manifest = parse("labels: { site: ${SITE} }", "demo.yaml", {
    SITE: "north-barn",
  });
  assert.equal(manifest.labels, { site: "north-barn" });
});

env("uses the default of ${VAR:default} only when VAR is unset", () => {
  const text = "labels: { port: '${PORT:8081}' }";
  assert.equal(parse(text).labels, { port: "8081" });
  assert.equal(parse(text, "demo.yaml", { PORT: "9000" }).labels, {
    port: "9000",
  });
  assert.equal(parse(text, "demo.yaml", { PORT: "" }).labels, { port: "" });
  assert.equal(parse("labels: { a: '${A:}' }").labels, { a: "" });
  assert.equal(parse("labels: { a: '${A:x:y}' }").labels, { a: "x:y" });
});

env("names an unset variable without default and its line", () => {
  const error = refuse("labels:\n  a: b\n  site: ${SITE}\n", "demo.yaml");
  assert.is(
    error.message,
    'Invalid manifest "demo.yaml" line 3: environment variable "SITE" ' +
      "is not set and has no default",
  );
  assert.is(error.line, 3);
});

env("keeps $${ as a literal ${", () => {
  const manifest = parse("labels: { a: '$${HOME}' }", "demo.yaml", {
    HOME: "/root",
  });
  assert.equal(manifest.labels, { a: "${HOME}" });
});

env("refuses a malformed or unterminated reference", () => {
  refuses(
    "labels: { a: '${1X}' }",
    'Invalid manifest "demo.yaml" line 1: invalid reference "${1X}": a ' +
      "variable name is letters, digits and _ and does not start with a digit",
  );
  refuses(
    "labels:\n  a: ${OPEN\n",
    'Invalid manifest "demo.yaml" line 2: unterminated reference "${OPEN": ' +
      '"}" is missing',
  );
});

env("counts lines of the file even after a multi-line value", () => {
  const error = refuse(
    "labels:\n  a: ${TEXT}\nactors: 3\n",
    "demo.yaml",
    { TEXT: "|\n    one\n    two" },
  );
  assert.is(error.line, 3);
  assert.match(error.message, /line 3: "actors" must be a list, got 3$/);
});

env("reads the process environment when none is given", () => {
  const name = `TRELLIS_MANIFEST_TEST_${crypto.randomUUID().slice(0, 8)}`;
  Deno.env.set(name, "from-process");
  try {
    const manifest = parseManifest(`labels: { a: \${${name}} }`, {
      path: "demo.yaml",
    });
    assert.equal(manifest.labels, { a: "from-process" });
  } finally {
    Deno.env.delete(name);
  }
  assert.throws(
    () => parseManifest(`labels: { a: \${${name}} }`, { path: "demo.yaml" }),
    new RegExp(`"${name}" is not set`),
  );
});

env.run();

const syntax = suite("parseManifest: syntax");

syntax("names the line of a YAML syntax error", () => {
  const error = refuse("labels:\n  a: 1\n\tb: 2\n");
  assert.is(error.line, 3);
  assert.match(error.message, /^Invalid manifest "demo.yaml" line 3: /);
  assert.match(error.message, /cannot parse: Tabs are not allowed/);
});

syntax("reports only the first syntax error", () => {
  const error = refuse("actors: [\n  - a\n  - b\nlabels: x: y\n");
  assert.is(error.issues.length, 1);
  assert.is(error.message.split("\n").length, 1);
});

syntax("names the line of a JSON syntax error", () => {
  const error = refuse('{\n  "labels": {\n    "a": "1",,\n  }\n}', "d.json");
  assert.is(error.line, 3);
  assert.match(error.message, /^Invalid manifest "d.json" line 3: /);
});

syntax("refuses a key given twice in YAML and in JSON", () => {
  refuses(
    "labels:\n  site: a\n  site: b\n",
    'Invalid manifest "demo.yaml" line 3: "labels.site" is given twice',
  );
  refuses(
    '{"actors": [],\n "actors": []}',
    'Invalid manifest "d.json" line 2: "actors" is given twice',
    "d.json",
  );
});

syntax("refuses an unknown top-level key in YAML and in JSON", () => {
  const expected = '"actor" is not a known key; expected one of "labels", ' +
    '"actors", "capabilities", "bindings"';
  refuses(
    "labels: {}\nactor: []\n",
    `Invalid manifest "demo.yaml" line 2: ${expected}`,
  );
  refuses(
    '{\n  "actor": []\n}',
    `Invalid manifest "d.json" line 2: ${expected}`,
    "d.json",
  );
});

syntax("refuses a manifest that is not a mapping", () => {
  refuses(
    "- ./echo.wasm\n",
    'Invalid manifest "demo.yaml" line 1: the manifest must be a mapping, ' +
      "got a list",
  );
});

syntax("refuses sections of the wrong type", () => {
  refuses(
    "actors: ./echo.wasm\n",
    'Invalid manifest "demo.yaml" line 1: "actors" must be a list, ' +
      'got "./echo.wasm"',
  );
  refuses(
    '{"labels": ["a"]}',
    'Invalid manifest "d.json" line 1: "labels" must be a mapping, got a list',
    "d.json",
  );
});

syntax("refuses more than one document", () => {
  assert.match(
    refuse("labels: {}\n---\nactors: []\n").message,
    /line 2: cannot parse: Source contains multiple documents/,
  );
});

syntax("refuses unknown YAML tags", () => {
  assert.match(
    refuse("labels:\n  a: !secret b\n").message,
    /line 2: cannot parse: Unresolved tag: !secret/,
  );
});

syntax("follows aliases but limits how many", () => {
  const manifest = parse(
    `labels: &shared { zone: a }\nbindings:\n` +
      `  - { actor: ${KEY}, capability: c, values: *shared }\n`,
  );
  assert.equal(manifest.bindings[0].values, { zone: "a" });

  const many = Array.from({ length: 101 }, (_, i) => `  k${i}: *v`);
  const error = refuse(`labels:\n  v: &v x\n${many.join("\n")}\n`);
  assert.match(error.message, /more than 100 alias references/);
});

syntax("reports every problem, one line each, ordered by line", () => {
  const error = refuse(
    "actors:\n  - { path: a.wasm, instances: 0 }\n" +
      "labels: { hostcore.os: linux }\n",
  );
  assert.equal(error.issues.map((issue) => issue.line), [2, 3]);
  assert.is(error.message.split("\n").length, 2);
  assert.is(error.path, "demo.yaml");
  assert.is(error.line, 2);
  assert.is(error.key, "actors[0].instances");
  assert.instance(error, Error);
});

syntax.run();
