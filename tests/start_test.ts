import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readClaims } from "../runtime/claims.ts";
import { generateKeyPair } from "../runtime/ed25519.ts";
import { UsageError } from "../runtime/flags.ts";
import { loadOrCreateKey } from "../scripts/demo_keys.ts";
import { parseStartArguments, tryLines } from "../scripts/start.ts";
import { freePort } from "./http_server_harness.ts";
import { rejects } from "./rejects.ts";

const startScript = fileURLToPath(
  new URL("../scripts/start.ts", import.meta.url),
);
const READY_TIMEOUT_MS = 120_000;

/** A running `scripts/start.ts` and what it has written so far. */
interface DemoRun {
  process: Deno.ChildProcess;
  stdout(): string;
  stderr(): string;
}

function launch(args: string[]): DemoRun {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", startScript, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = collect(process.stdout);
  const stderr = collect(process.stderr);
  return { process, stdout: () => stdout.text, stderr: () => stderr.text };
}

function collect(stream: ReadableStream<Uint8Array>): { text: string } {
  const sink = { text: "" };
  stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (sink.text += chunk) }),
  ).catch(() => {});
  return sink;
}

/** Resolves once the host prints its ready line; fails if it exits first. */
async function untilReady(run: DemoRun): Promise<void> {
  let exited: Deno.CommandStatus | undefined;
  run.process.status.then((status) => exited = status);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!/^trellis ready /m.test(run.stdout())) {
    if (exited || Date.now() > deadline) {
      throw new Error(
        `Demo did not get ready (${
          exited ? `exit code ${exited.code}` : "timed out"
        }):\n${run.stderr().slice(-2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(run: DemoRun): Promise<number> {
  try {
    run.process.kill("SIGTERM");
  } catch {
    // Already exited.
  }
  return (await run.process.status).code;
}

/** A port whose successor is free too: echo takes it, counter the next. */
function freePortPair(): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = freePort();
    if (port >= 65535) continue;
    try {
      Deno.listen({ hostname: "127.0.0.1", port: port + 1 }).close();
      return port;
    } catch {
      // Taken: try another.
    }
  }
  throw new Error("Cannot find two free consecutive ports");
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  assert.is(response.status, 200, `status of ${url}`);
  return await response.json();
}

const demo = suite("start script");
const stateDir = await Deno.makeTempDir({ prefix: "trellis-start-" });
const dataDir = join(stateDir, "host-data");
const port = freePortPair();
const args = ["--port", String(port), "--state-dir", stateDir];
let first: DemoRun | undefined;
let second: DemoRun | undefined;
let counterKey = "";

demo.after(async () => {
  for (const run of [first, second]) if (run) await stop(run);
  await Deno.remove(stateDir, { recursive: true });
});

demo("builds, signs and serves the demo until the host is ready", async () => {
  first = launch([...args, "--data-dir", dataDir]);
  await untilReady(first);

  assert.match(first.stdout(), `curl 'http://127.0.0.1:${port}/hello?x=1'`);
  assert.match(first.stdout(), `curl http://127.0.0.1:${port + 1}/visits`);
  const stdoutLines = first.stdout().split("\n");
  const readyAt = stdoutLines.findIndex((line) => line.startsWith("trellis"));
  assert.ok(readyAt >= 3, "what to try comes before the ready line");
});

demo("echo answers with the method, path and query as JSON", async () => {
  const reply = await getJson(`http://127.0.0.1:${port}/hello?x=1`);
  assert.equal(reply, {
    method: "GET",
    path: "/hello",
    query: "x=1",
    body: "",
  });
});

demo("counter counts the visits of a path", async () => {
  const visits = `http://127.0.0.1:${port + 1}/visits`;
  assert.equal(await getJson(visits), { count: 1 });
  assert.equal(await getJson(visits), { count: 2 });
});

demo(
  "signs each actor for its capabilities with the demo account",
  async () => {
    const account = await loadOrCreateKey(
      join(stateDir, "keys", "account.nk"),
      "account",
    );
    const echo = readClaims(await Deno.readFile(join(stateDir, "echo.wasm")));
    const counter = readClaims(
      await Deno.readFile(join(stateDir, "counter.wasm")),
    );

    assert.is(echo.issuer, account.publicKey);
    assert.is(counter.issuer, account.publicKey);
    assert.equal(echo.caps, ["wascc:http_server"]);
    assert.equal(counter.caps, ["wascc:http_server", "wascc:keyvalue"]);
    counterKey = counter.subject;
  },
);

demo("keeps the demo keys readable by the owner only", async () => {
  for (const name of ["account", "echo", "counter"]) {
    const info = await Deno.stat(join(stateDir, "keys", `${name}.nk`));
    assert.is((info.mode ?? 0) & 0o777, 0o600, `mode of ${name}.nk`);
  }
});

demo("exits 0 when sent SIGTERM", async () => {
  assert.ok(first, "the demo is running");
  assert.is(await stop(first), 0);
  first = undefined;
  await rejects(() => fetch(`http://127.0.0.1:${port}/`), /./);
});

demo("keeps the counter's identity and count across a restart", async () => {
  second = launch([...args, "--data-dir", dataDir]);
  await untilReady(second);

  const counter = readClaims(
    await Deno.readFile(join(stateDir, "counter.wasm")),
  );
  assert.is(counter.subject, counterKey);
  const visits = `http://127.0.0.1:${port + 1}/visits`;
  assert.equal(await getJson(visits), { count: 3 });
  assert.is(await stop(second), 0);
  second = undefined;
});

demo.run();

const flags = suite("start arguments");
const noEnv = () => undefined;

flags("listens on 127.0.0.1:8080 and 8081 by default", () => {
  const options = parseStartArguments([], noEnv);
  assert.is(options.host, "127.0.0.1");
  assert.is(options.port, 8080);
  assert.is(options.dataDir, join(options.stateDir, "data"));
  assert.match(tryLines(options).join("\n"), "http://127.0.0.1:8081/visits");
});

flags("takes the port and host from the environment, flags first", () => {
  const env = (name: string) =>
    ({ TRELLIS_DEMO_PORT: "9000", TRELLIS_DEMO_HOST: "0.0.0.0" })[name];
  assert.is(parseStartArguments([], env).port, 9000);
  assert.is(parseStartArguments([], env).host, "0.0.0.0");
  assert.is(parseStartArguments(["--port", "9100"], env).port, 9100);
  assert.is(parseStartArguments(["--host", "::1"], env).host, "::1");
});

flags("shows a reachable address for a listener on every address", () => {
  const options = parseStartArguments(["--host", "0.0.0.0"], noEnv);
  assert.match(tryLines(options).join("\n"), "http://127.0.0.1:8080/hello");
  const v6 = parseStartArguments(["--host", "::"], noEnv);
  assert.match(tryLines(v6).join("\n"), "http://[::1]:8081/visits");
});

flags("refuses a port that leaves no room for the counter", () => {
  for (const bad of ["0", "65535", "80a", ""]) {
    assert.throws(
      () => parseStartArguments(["--port", bad], noEnv),
      (error: Error) =>
        error instanceof UsageError && /Invalid port/.test(error.message),
    );
  }
  assert.throws(
    () => parseStartArguments(["--host", "a b"], noEnv),
    /Invalid host "a b"/,
  );
  assert.throws(() => parseStartArguments(["extra"], noEnv), /Unexpected/);
});

flags.run();

const keys = suite("demo keys");

keys("creates a key once and loads the same one afterwards", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "keys", "actor.nk");
    const created = await loadOrCreateKey(path, "module");
    const loaded = await loadOrCreateKey(path, "module");
    assert.is(loaded.publicKey, created.publicKey);
    assert.is(created.kind, "module");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

keys("refuses a key file holding another kind of seed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "account.nk");
    await Deno.writeTextFile(path, (await generateKeyPair("server")).seed);
    const error = await rejects(
      () => loadOrCreateKey(path, "account"),
      /^Cannot load key ".*account\.nk": expected an account key \(A\)/,
    );
    assert.match(error.message, /got a server key \(N\)$/);
    await Deno.writeTextFile(path, "not a seed\n");
    await rejects(() => loadOrCreateKey(path, "account"), /Cannot load key/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

keys.run();
