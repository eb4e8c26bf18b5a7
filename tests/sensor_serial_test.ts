import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  ACTOR,
  nmeaSentence,
  ProviderHarness,
  readingOf,
  sensorsOf,
  until,
  type WireBatch,
} from "./sensor_harness.ts";
import { holdsOpen, PseudoTerminal } from "./sensor_pty.ts";
import { rejects } from "./rejects.ts";

const GGA = nmeaSentence(
  "GPGGA,101500,5130.500,N,00007.500,W,1,07,1.1,35.0,M,47.0,M,,",
);
const RMC = nmeaSentence(
  "GPRMC,101500,A,5130.500,N,00007.500,W,010.0,270.0,010625,,,A",
);

async function readUntil(
  harness: ProviderHarness,
  done: (batch: WireBatch) => boolean,
  actor = ACTOR,
): Promise<WireBatch> {
  let batch: WireBatch = { readings: [], sequence: 0, skipped: 0 };
  await until(async () => done(batch = await harness.read(undefined, actor)));
  return batch;
}

// A read in flight ends at the terminal's 0.1 s timeout, and the
// descriptor with it.
async function closes(path: string): Promise<void> {
  await until(async () => !await holdsOpen(path), 1000);
}

const serial = suite("serial source");

serial("reads NMEA sentences from a pseudo-terminal", async () => {
  const terminal = await PseudoTerminal.open();
  const harness = await ProviderHarness.start({ now: () => 1234 });
  await harness.bind({
    SOURCE: "serial",
    DEVICE: terminal.path,
    DEVICE_NAME: "gps",
    INTERVAL: "off",
    BAUD: "4800",
  });

  const before = await harness.read();
  assert.equal(before.readings, [], "nothing read before the first line");
  await terminal.send("garbage from power-up", GGA, RMC);
  const batch = await readUntil(
    harness,
    (batch) => sensorsOf(batch).includes("gps.speed"),
  );

  assert.equal(sensorsOf(batch).sort(), [
    "gps.altitude",
    "gps.course",
    "gps.fix",
    "gps.latitude",
    "gps.longitude",
    "gps.satellites",
    "gps.speed",
  ]);
  const latitude = readingOf(batch, "gps.latitude");
  assert.is(Math.round(latitude.value * 1e4) / 1e4, 51.5083);
  assert.is(latitude.kind, "position");
  assert.is(latitude.timestamp, 1234n);
  assert.ok(readingOf(batch, "gps.longitude").value < 0);
  assert.is(readingOf(batch, "gps.fix").value, 1);
  const rejected = harness.linesAt("warn");
  assert.is(rejected.length, 1);
  assert.is(rejected[0].message, "serial line rejected");

  await harness.stop();
  await closes(terminal.path);
  await terminal.close();
});

serial("reads CSV lines and closes the device on unbind", async () => {
  const terminal = await PseudoTerminal.open();
  const harness = await ProviderHarness.start();
  await harness.bind({
    SOURCE: "serial",
    DEVICE: terminal.path,
    FORMAT: "csv",
    INTERVAL: "off",
  });
  await harness.read();
  assert.ok(await holdsOpen(terminal.path), "terminal open while bound");

  await terminal.send("barn_temp,17.5,°C", "door,1", "barn_temp,17.75,°C");
  const prefix = terminal.path.split("/").pop();
  const batch = await readUntil(
    harness,
    (batch) => batch.readings.length === 2,
  );
  assert.is(readingOf(batch, `${prefix}.door`).value, 1);
  await until(async () =>
    readingOf(await harness.read(), `${prefix}.barn_temp`).value === 17.75
  );

  await harness.provider.unbind(ACTOR);
  await closes(terminal.path);
  await harness.stop();
  await terminal.close();
});

serial("shares one device between bindings of the same values", async () => {
  const terminal = await PseudoTerminal.open();
  const harness = await ProviderHarness.start();
  const values = { SOURCE: "serial", DEVICE: terminal.path, INTERVAL: "off" };
  await harness.bind({ ...values, DEVICE_NAME: "one" }, "MONE");
  await harness.bind({ ...values, DEVICE_NAME: "two" }, "MTWO");
  await rejects(
    () => harness.bind({ ...values, BAUD: "115200" }, "MTHREE"),
    /^Invalid "DEVICE": ".*" is already read as nmea at 9600 baud/,
  );
  await harness.read(undefined, "MONE");

  await terminal.send(GGA);
  for (const actor of ["MONE", "MTWO"]) {
    const name = actor === "MONE" ? "one" : "two";
    await readUntil(
      harness,
      (batch) => sensorsOf(batch).includes(`${name}.altitude`),
      actor,
    );
  }

  await harness.provider.unbind("MONE");
  assert.ok(await holdsOpen(terminal.path), "still open for the other");
  await harness.stop();
  await closes(terminal.path);
  await terminal.close();
});

serial("reports a missing device and serves the other sources", async () => {
  const harness = await ProviderHarness.start();
  await harness.bind({
    SOURCE: "serial,simulated",
    DEVICE: "/dev/trellis-no-such-tty",
    INTERVAL: "off",
  });

  const batch = await harness.read();
  const missing = readingOf(batch, "trellis-no-such-tty");
  assert.match(
    missing.error as string,
    /^Cannot open "\/dev\/trellis-no-such-tty": No such file/,
  );
  assert.ok(Number.isNaN(missing.value));
  assert.is(readingOf(batch, "sim-1.temperature").error, undefined);
  await harness.read();
  const warnings = harness.linesAt("warn");
  assert.is(warnings.length, 1, "warned once over two reads");
  assert.equal(warnings[0].fields?.sensor, "trellis-no-such-tty");
  await harness.stop();
});

serial("replays recorded sentences from a plain file", async () => {
  const file = await Deno.makeTempFile({ suffix: ".nmea" });
  await Deno.writeTextFile(file, `${GGA}\r\n${RMC}`);
  const harness = await ProviderHarness.start();
  await harness.bind({
    SOURCE: "serial",
    DEVICE: file,
    DEVICE_NAME: "track",
    INTERVAL: "off",
  });

  const batch = await readUntil(
    harness,
    (batch) => sensorsOf(batch).includes("track.course"),
  );
  assert.is(readingOf(batch, "track.course").value, 270);
  assert.is(batch.readings.filter((reading) => reading.error).length, 0);
  await harness.stop();
  await Deno.remove(file);
});

serial.run();
