/**
 * The generated files as nats-server reads them (`nats-server -t`), and
 * `trellis leaf config` from the command line.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { runLeaf } from "../leaf/cli_leaf.ts";
import {
  deviceLeafConfig,
  hubLeafConfig,
  type LeafConfigOptions,
} from "../leaf/leaf_config.ts";
import type { CliIo } from "../runtime/cli_io.ts";
import { UsageError } from "../runtime/flags.ts";
import { createCertificates, operatorMode } from "./nats_credentials.ts";
import { checkConfig } from "./leaf_servers.ts";
import { rejects } from "./rejects.ts";

const HUB = "nats-leaf://hub.example.com:7422";

// Every kind of generated file passes `nats-server -t`.

const valid = suite("leaf config files pass nats-server -t");
let checkDir = "";

valid.before(async () => {
  checkDir = await Deno.makeTempDir({ prefix: "trellis-leaf-check-" });
  await createCertificates(checkDir);
  const operator = await operatorMode();
  const creds = await operator.userCreds("device");
  await Deno.writeFile(`${checkDir}/device.creds`, creds);
});

valid.after(async () => {
  await Deno.remove(checkDir, { recursive: true });
});

valid("device files, with and without creds, TLS and JetStream", async () => {
  const d = checkDir;
  const variants: LeafConfigOptions[] = [
    { hub: HUB },
    { hub: HUB, monitor: "none" },
    { hub: HUB, monitor: "0.0.0.0:9222" },
    { hub: "tls://hub.example.com", creds: `${d}/device.creds` },
    { hub: "tls://hub.example.com:7422", tlsCa: `${d}/ca.pem` },
    {
      hub: "nats-leaf://truck7:s3cret@hub.example.com",
      tlsCa: `${d}/ca.pem`,
      tlsCert: `${d}/client.pem`,
      tlsKey: `${d}/client.key`,
      listen: "0.0.0.0:4333",
    },
    {
      hub: HUB,
      creds: `${d}/device.creds`,
      jetstreamDomain: "truck7",
      jetstreamStore: `${d}/jetstream`,
      lattice: "plant3",
      exports: ["telemetry.truck7.>", "plant3.wasmbus.events"],
      exportServices: ["plant3.wasmbus.actor.>", "$JS.API.>"],
      imports: ["command.truck7.>"],
      importServices: ["cloud.ask.*"],
    },
  ];
  for (const [index, options] of variants.entries()) {
    const config = deviceLeafConfig(options);
    const result = await checkConfig(`${d}/device${index}.conf`, config);
    assert.ok(result.valid, `${result.output}\n${config}`);
  }
});

valid("hub fragments, with and without accounts, creds and TLS", async () => {
  const d = checkDir;
  const variants: LeafConfigOptions[] = [
    { hub: HUB },
    { hub: "nats-leaf://truck7:s3cret@hub.example.com", account: "FLEET" },
    { hub: "nats-leaf://truck7@hub.example.com:7000", account: "FLEET" },
    { hub: HUB, account: "FLEET", listen: "127.0.0.1:7999" },
    { hub: HUB, creds: `${d}/device.creds`, account: "FLEET" },
    {
      hub: "tls://hub.example.com",
      tlsCert: `${d}/server.pem`,
      tlsKey: `${d}/server.key`,
    },
    {
      hub: "nats-leaf://truck7:s3cret@hub.example.com",
      tlsCa: `${d}/ca.pem`,
      tlsCert: `${d}/server.pem`,
      tlsKey: `${d}/server.key`,
      jetstreamDomain: "truck7",
    },
  ];
  for (const [index, options] of variants.entries()) {
    const config = hubLeafConfig(options);
    const result = await checkConfig(`${d}/hub${index}.conf`, config);
    assert.ok(result.valid, `${result.output}\n${config}`);
  }
});

valid(
  "paths with quotes and backslashes survive; a bad CA does not",
  async () => {
    const dir = `${checkDir}/odd "dir\\x`;
    await Deno.mkdir(dir);
    await Deno.copyFile(`${checkDir}/ca.pem`, `${dir}/ca.pem`);
    const odd = { hub: "tls://hub.example.com", tlsCa: `${dir}/ca.pem` };
    const good = await checkConfig(
      `${checkDir}/odd.conf`,
      deviceLeafConfig(odd),
    );
    assert.ok(good.valid, good.output);

    await Deno.writeTextFile(`${dir}/ca.pem`, "not a certificate");
    const bad = await checkConfig(
      `${checkDir}/odd.conf`,
      deviceLeafConfig(odd),
    );
    assert.not.ok(bad.valid);
    assert.match(bad.output, /certificate/);
  },
);

valid.run();

// The command line.

const cli = suite("runLeaf");

function capture(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: (line) => lines.push(line),
    err: () => {},
    errIsTerminal: false,
  };
}

cli(
  "prints the device configuration, or with --hub-side the hub's",
  async () => {
    const io = capture();
    assert.is(
      await runLeaf(["config", "--hub", HUB, "--import", "cmd.>"], io),
      0,
    );
    assert.is(io.lines.length, 1);
    assert.match(io.lines[0], /^# nats-server configuration of a trellis leaf/);
    assert.match(
      io.lines[0],
      '{ stream: { account: BRIDGE, subject: "cmd.>" } }',
    );

    const hub = capture();
    assert.is(await runLeaf(["config", "--hub", HUB, "--hub-side"], hub), 0);
    assert.match(hub.lines[0], /^# Hub side of a trellis leaf bridge/);
    assert.match(hub.lines[0], 'listen: "0.0.0.0:7422"');
  },
);

cli("passes every flag on to the configuration", async () => {
  const args = [
    ...["--hub", "tls://hub.example.com", "--creds", "d.creds"],
    ...["--account", "FLEET", "--listen", "127.0.0.1:4333"],
    ...["--monitor", "127.0.0.1:8333"],
    ...["--tls-ca", "ca.pem", "--tls-cert", "d.pem", "--tls-key", "d.key"],
    ...["--jetstream-domain", "truck7", "--jetstream-store", "/var/js"],
    ...["--export", "a.>", "--export", "b", "--export-service", "c.>"],
    ...["--import", "d.>", "--import-service", "e.>", "--lattice", "x1"],
  ];
  const options: LeafConfigOptions = {
    hub: "tls://hub.example.com",
    creds: "d.creds",
    account: "FLEET",
    listen: "127.0.0.1:4333",
    monitor: "127.0.0.1:8333",
    tlsCa: "ca.pem",
    tlsCert: "d.pem",
    tlsKey: "d.key",
    jetstreamDomain: "truck7",
    jetstreamStore: "/var/js",
    exports: ["a.>", "b"],
    exportServices: ["c.>"],
    imports: ["d.>"],
    importServices: ["e.>"],
    lattice: "x1",
  };
  const device = capture();
  await runLeaf(["config", ...args], device);
  assert.is(device.lines[0], deviceLeafConfig(options).trimEnd());
  const hub = capture();
  await runLeaf(["config", "--hub-side", ...args], hub);
  assert.is(hub.lines[0], hubLeafConfig(options).trimEnd());
  const bare = capture();
  await runLeaf(["config", "--hub", HUB, "--no-defaults"], bare);
  assert.is(
    bare.lines[0],
    deviceLeafConfig({ hub: HUB, noDefaults: true }).trimEnd(),
  );
});

cli("-o writes the file for its owner only and says so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trellis-leaf-cli-" });
  try {
    const file = `${dir}/leaf.conf`;
    const io = capture();
    const args = ["config", "--hub", "nats-leaf://d:pw@hub", "-o", file];
    assert.is(await runLeaf(args, io), 0);
    assert.equal(io.lines, [`wrote ${file}`]);
    assert.equal(
      await Deno.readTextFile(file),
      deviceLeafConfig({ hub: "nats-leaf://d:pw@hub" }),
    );
    assert.is((await Deno.stat(file)).mode! & 0o777, 0o600);
    await rejects(
      () => runLeaf(["config", "--hub", HUB, "-o", `${dir}/no/such.conf`], io),
      /^Cannot write leaf configuration "[^"]+\/no\/such\.conf": /,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

cli("bad usage is a UsageError naming what is wrong", async () => {
  const cases: [string[], RegExp][] = [
    [["nonsense"], /^Unknown leaf command "nonsense"/],
    [[], /^Unknown leaf command ""/],
    [["config"], /^Usage: trellis leaf config --hub URL/],
    [["config", "--hub", HUB, "extra"], /^Usage: /],
    [["config", "--hub", HUB, "--bogus"], /^Unknown flag "--bogus"/],
    [["config", "--hub", HUB, "--no-defaults=1"], /takes no value/],
    [
      ["config", "--hub", HUB, "--export", "a..b"],
      /^Invalid --export "a\.\.b"/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const error = await rejects(() => runLeaf(args, capture()), pattern);
    assert.instance(error, UsageError);
  }
});

cli.run();
