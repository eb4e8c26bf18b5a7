import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import type { LogFields, Logger } from "../runtime/logger.ts";
import { buildActor } from "../scripts/build_actor.ts";
import { exampleActor, testActor } from "./actors.ts";
import { startGuest } from "./tiny_wapc_host.ts";

/** An actor with one operation, `Hello`, answering `reply`. */
function helloActor(reply: string): string {
  return `import {
  handleAbort,
  handleCall,
  register,
  Result,
} from "@wapc/as-guest";

register("Hello", (payload: ArrayBuffer): Result<ArrayBuffer> =>
  Result.ok<ArrayBuffer>(String.UTF8.encode("${reply}")));

export function __guest_call(operationSize: usize, payloadSize: usize): bool {
  return handleCall(operationSize, payloadSize);
}

function abort(m: string | null, f: string | null, l: u32, c: u32): void {
  handleAbort(m, f, l, c);
}
`;
}

async function writeActor(dir: string, source: string): Promise<void> {
  await Deno.mkdir(join(dir, "assembly"), { recursive: true });
  await Deno.writeTextFile(join(dir, "assembly", "index.ts"), source);
}

function recordingLogger(lines: string[]): Logger {
  const record = (message: string, _fields?: LogFields) => {
    lines.push(message);
  };
  const logger: Logger = {
    error: record,
    warn: record,
    info: record,
    debug: record,
    trace: record,
    child: () => logger,
  };
  return logger;
}

const build = suite("buildActor");
let scratch = "";

build.before(async () => {
  scratch = await Deno.makeTempDir({ prefix: "build-actor-" });
});

build.after(async () => {
  await Deno.remove(scratch, { recursive: true });
});

build("compiles each actor into a guest that imports only wapc", async () => {
  const modules = {
    "tests/actors/echo": await testActor("echo"),
    "tests/actors/caller": await testActor("caller"),
    "examples/counter": await exampleActor("counter"),
    "examples/echo": await exampleActor("echo"),
  };
  for (const [name, bytes] of Object.entries(modules)) {
    assert.ok(WebAssembly.validate(bytes), `${name} validates`);
    const module = new WebAssembly.Module(bytes);
    const exported = WebAssembly.Module.exports(module).map((e) => e.name);
    for (const expected of ["memory", "__guest_call", "_start"]) {
      assert.ok(exported.includes(expected), `${name} exports ${expected}`);
    }
    const importModules = WebAssembly.Module.imports(module).map((i) =>
      i.module
    );
    assert.equal([...new Set(importModules)], ["wapc"], name);
  }
});

build("reuses the cached build while the sources stay the same", async () => {
  const dir = join(scratch, "hello");
  const cacheDir = join(scratch, "cache");
  const lines: string[] = [];
  const logger = recordingLogger(lines);
  await writeActor(dir, helloActor("one"));

  let started = performance.now();
  const cold = await buildActor(dir, { cacheDir, logger });
  const coldMs = performance.now() - started;
  started = performance.now();
  const cached = await buildActor(dir, { cacheDir, logger });
  const cachedMs = performance.now() - started;

  assert.equal(lines, ["actor built", "actor build cached"]);
  assert.equal(cached, cold);
  assert.ok(cachedMs * 10 < coldMs, `cached ${cachedMs} ms, cold ${coldMs} ms`);
});

build("rebuilds when a source file changes", async () => {
  const dir = join(scratch, "hello");
  const cacheDir = join(scratch, "cache");
  const lines: string[] = [];
  const logger = recordingLogger(lines);
  await writeActor(dir, helloActor("one"));
  const before = await buildActor(dir, { cacheDir, logger });

  await writeActor(dir, helloActor("two"));
  const after = await buildActor(dir, { cacheDir, logger });

  assert.equal(lines, ["actor build cached", "actor built"]);
  assert.not.equal(after, before);
  const guest = await startGuest(after);
  const reply = guest.call("Hello", new Uint8Array());
  assert.equal(new TextDecoder().decode(reply.response), "two");
});

build(
  "names the dir and quotes the diagnostic on a compile error",
  async () => {
    const dir = join(scratch, "broken");
    await writeActor(dir, helloActor("x") + "\nconst n: i32 = notDeclared;\n");

    const error = await buildActor(dir, { cacheDir: join(scratch, "cache") })
      .then(() => undefined, (error: Error) => error);

    assert.instance(error, SyntaxError);
    assert.match(error!.message, `Cannot build actor "${dir}"`);
    assert.match(error!.message, "Cannot find name 'notDeclared'");
  },
);

build("refuses a module that imports from outside wapc", async () => {
  const dir = join(scratch, "outside");
  const source = helloActor("x") +
    `\n@external("env", "now") declare function now(): f64;\n` +
    `export function later(): f64 { return now() + 1; }\n`;
  await writeActor(dir, source);

  const options = { cacheDir: join(scratch, "cache"), optimize: false };
  const error = await buildActor(dir, options)
    .then(() => undefined, (error: Error) => error);

  assert.instance(error, TypeError);
  assert.match(error!.message, `"env.now"`);
});

build("refuses a dir without an entry file", async () => {
  const error = await buildActor(scratch).then(
    () => undefined,
    (error: Error) => error,
  );
  assert.instance(error, TypeError);
  assert.match(error!.message, "no assembly/index.ts or index.ts");
});

build.run();
