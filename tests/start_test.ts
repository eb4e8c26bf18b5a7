import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readClaims } from "../runtime/claims.ts";
import { generateKeyPair } from "../runtime/ed25519.ts";
import { UsageError } from "../runtime/flags.ts";
import { loadOrCreateKey } from "../scripts/demo_keys.ts";
import { AGGREGATOR_CAPS } from "../scripts/prepare_field_station.ts";
import { parseStartArguments, tryLines } from "../scripts/start.ts";
import type { ReadingsJson } from "./field_station_harness.ts";
import { freePort } from "./http_server_harness.ts";
import { rejects } from "./rejects.ts";

const startScript = fileURLToPath(
  new URL("../scripts/start.ts", import.meta.url),
);
const READY_TIMEOUT_MS = 120_000;

/** A running `scripts/start.ts` and what it has written so far. */
interface StartRun {
  process: Deno.ChildProcess;
  stdout(): string;
  stderr(): string;
}

function launch(args: string[], env: Record<string, string> = {}): StartRun {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", startScript, ...args],
    env,
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
async function untilReady(run: StartRun): Promise<void> {
  let exited: Deno.CommandStatus | undefined;
  run.process.status.then((status) => exited = status);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!/^trellis ready /m.test(run.stdout())) {
    if (exited || Date.now() > deadline) {
      throw new Error(
        `Field station did not get ready (${
          exited ? `exit code ${exited.code}` : "timed out"
        }):\n${run.stderr().slice(-2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(run: StartRun): Promise<number> {
  try {
    run.process.kill("SIGTERM");
  } catch {
    // Already exited.
  }
  return (await run.process.status).code;
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  assert.is(response.status, 200, `status of ${url}`);
  return await response.json();
}

/** `/readings.json` once `ready` holds of it; fails after 10 s. */
async function readingsWhen(
  ready: (json: ReadingsJson) => boolean,
): Promise<ReadingsJson> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const json = await getJson(`${base}/readings.json`) as ReadingsJson;
    if (ready(json)) return json;
    if (Date.now() > deadline) {
      throw new Error(`Readings not as expected: ${JSON.stringify(json)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `/readings.json` once every sensor has `count` readings in its window. */
function readingsWith(count: number): Promise<ReadingsJson> {
  return readingsWhen((json) =>
    json.sensors.length > 0 &&
    json.sensors.every((sensor) => sensor.count >= count)
  );
}

const station = suite("start script");
const stateDir = await Deno.makeTempDir({ prefix: "trellis-start-" });
const dataDir = join(stateDir, "host-data");
const port = freePort();
const base = `http://127.0.0.1:${port}`;
const args = ["--port", String(port), "--state-dir", stateDir];
const cold = { high: -40, low: -50 };
let first: StartRun | undefined;
let second: StartRun | undefined;
let aggregatorKey = "";

station.after(async () => {
  for (const run of [first, second]) if (run) await stop(run);
  await Deno.remove(stateDir, { recursive: true });
});

station("builds, signs and serves the field station until ready", async () => {
  first = launch([...args, "--data-dir", dataDir]);
  await untilReady(first);

  assert.match(first.stdout(), `open ${base}/ or try:`);
  assert.match(first.stdout(), `curl ${base}/readings.json`);
  const stdoutLines = first.stdout().split("\n");
  const readyAt = stdoutLines.findIndex((line) => line.startsWith("trellis"));
  assert.ok(readyAt >= 4, "what to try comes before the ready line");
});

station("serves a page of the simulated readings", async () => {
  await readingsWith(1);
  const response = await fetch(`${base}/`);
  assert.is(response.status, 200);
  assert.is(response.headers.get("content-type"), "text/html; charset=utf-8");
  const page = await response.text();
  assert.match(page, '<meta http-equiv="refresh" content="5">');
  assert.match(page, "<h1>Field station <code>field-1</code></h1>");
  assert.match(page, /<td>field-1-3\.humidity<\/td><td>\d+\.\d\d %<\/td>/);
});

station("keeps window statistics for each simulated sensor", async () => {
  const json = await readingsWith(2);

  assert.is(json.device, "field-1");
  assert.equal(json.sensors.map((sensor) => sensor.sensor), [
    "field-1-1.temperature",
    "field-1-1.humidity",
    "field-1-2.temperature",
    "field-1-2.humidity",
    "field-1-3.temperature",
    "field-1-3.humidity",
  ]);
  for (const sensor of json.sensors) {
    const { min, mean, max, value } = sensor;
    assert.ok(min! <= mean! && mean! <= max!, `${sensor.sensor} stats`);
    assert.ok(min! <= value! && value! <= max!, `${sensor.sensor} value`);
  }
  assert.is(json.telemetry.subject, "telemetry.field-1");
  assert.ok(json.telemetry.published >= 1, "a summary was published");
  assert.is(json.telemetry.failed, 0);
});

station("raises alarms when a threshold is put over HTTP", async () => {
  const response = await fetch(`${base}/thresholds/temperature`, {
    method: "PUT",
    body: JSON.stringify(cold),
  });
  assert.equal(await response.json(), { kind: "temperature", ...cold });

  const json = await getJson(`${base}/readings.json`) as ReadingsJson;
  assert.equal(json.alarms.map((alarm) => alarm.sensor), [
    "field-1-1.temperature",
    "field-1-2.temperature",
    "field-1-3.temperature",
  ]);
});

station("signs the aggregator for its capabilities", async () => {
  const account = await loadOrCreateKey(
    join(stateDir, "keys", "account.nk"),
    "account",
  );
  const claims = readClaims(
    await Deno.readFile(join(stateDir, "aggregator.wasm")),
  );

  assert.is(claims.issuer, account.publicKey);
  assert.equal(claims.caps, [...AGGREGATOR_CAPS]);
  aggregatorKey = claims.subject;
});

station("keeps the keys readable by the owner only", async () => {
  for (const name of ["account", "aggregator"]) {
    const info = await Deno.stat(join(stateDir, "keys", `${name}.nk`));
    assert.is((info.mode ?? 0) & 0o777, 0o600, `mode of ${name}.nk`);
  }
});

station("exits 0 when sent SIGTERM", async () => {
  assert.ok(first, "the field station is running");
  assert.is(await stop(first), 0);
  first = undefined;
  await rejects(() => fetch(`${base}/`), /./);
});

station("keeps identity and thresholds across a restart", async () => {
  second = launch([...args, "--data-dir", dataDir], { DEVICE: "shed-2" });
  await untilReady(second);

  const claims = readClaims(
    await Deno.readFile(join(stateDir, "aggregator.wasm")),
  );
  assert.is(claims.subject, aggregatorKey);
  const thresholds = await getJson(`${base}/thresholds`);
  assert.equal(thresholds, {
    humidity: { low: null, high: 85 },
    temperature: cold,
  });
  // Restored from the data directory, the host may deliver readings of
  // the old binding before the manifest renames the sensors.
  const json = await readingsWhen((json) =>
    json.sensors.some((sensor) => sensor.sensor === "shed-2-3.humidity")
  );
  assert.is(json.device, "shed-2", "DEVICE names the device");
  assert.is(await stop(second), 0);
  second = undefined;
});

station.run();

const flags = suite("start arguments");
const noEnv = () => undefined;

flags("listens on 127.0.0.1:8080 by default", () => {
  const options = parseStartArguments([], noEnv);
  assert.is(options.host, "127.0.0.1");
  assert.is(options.port, 8080);
  assert.is(options.dataDir, join(options.stateDir, "data"));
  assert.match(options.stateDir, /[/\\]\.cache[/\\]field_station$/);
  assert.match(
    tryLines(options).join("\n"),
    "curl http://127.0.0.1:8080/readings.json",
  );
});

flags("takes the port and host from the environment, flags first", () => {
  const env = (name: string) =>
    ({ TRELLIS_START_PORT: "9000", TRELLIS_START_HOST: "0.0.0.0" })[name];
  assert.is(parseStartArguments([], env).port, 9000);
  assert.is(parseStartArguments([], env).host, "0.0.0.0");
  assert.is(parseStartArguments(["--port", "9100"], env).port, 9100);
  assert.is(parseStartArguments(["--host", "::1"], env).host, "::1");
});

flags("shows a reachable address for a listener on every address", () => {
  const options = parseStartArguments(["--host", "0.0.0.0"], noEnv);
  assert.match(tryLines(options).join("\n"), "open http://127.0.0.1:8080/");
  const v6 = parseStartArguments(["--host", "::"], noEnv);
  assert.match(tryLines(v6).join("\n"), "http://[::1]:8080/thresholds/");
});

flags("refuses a bad port, host or argument", () => {
  for (const bad of ["0", "65536", "80a", ""]) {
    assert.throws(
      () => parseStartArguments(["--port", bad], noEnv),
      (error: Error) =>
        error instanceof UsageError && /Invalid port/.test(error.message),
    );
  }
  assert.is(parseStartArguments(["--port", "65535"], noEnv).port, 65535);
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
