import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  loadManifest,
  type Manifest,
  type ManifestEnv,
  ManifestError,
  parseManifest,
} from "../runtime/manifest.ts";

const KEY = "MB4OLDIC3TCZ4Q4TGGOVAZC43VXFE2JQVRAXQMQFXUCREOOFEKOKZTY2";
const DIR = "/srv/host";

// The digest has tests of its own; the rest compare the parsed content.
function parse(text: string, path = "demo.yaml", env: ManifestEnv = {}) {
  const { digest: _, ...manifest } = parseManifest(text, {
    path: `${DIR}/${path}`,
    env,
  });
  return manifest;
}

/** Parses text that must fail and returns the error. */
function refuse(
  text: string,
  path = "demo.yaml",
  env: ManifestEnv = {},
): ManifestError {
  try {
    parseManifest(text, { path, env });
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error(`Manifest was accepted: ${text}`);
}

/** Asserts that the text fails with exactly this one-line message. */
function refuses(
  text: string,
  message: string,
  path = "demo.yaml",
  env: ManifestEnv = {},
) {
  assert.is(refuse(text, path, env).message, message);
}

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
      'key; expected one of "path", "instances", "force"',
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
