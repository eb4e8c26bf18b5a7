import { suite } from "uvu";
import * as assert from "uvu/assert";
import { runLeaf } from "../leaf/cli_leaf.ts";
import {
  bridgedSubjects,
  deviceLeafConfig,
  hubLeafConfig,
  type LeafConfigOptions,
} from "../leaf/leaf_config.ts";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import type { CliIo } from "../runtime/cli_io.ts";
import { UsageError } from "../runtime/flags.ts";
import { bytes, pause, text } from "./bus_recorder.ts";
import {
  type Bridge,
  checkConfig,
  collect,
  createCertificates,
  createOperator,
  startBridge,
  untilAnswered,
  untilArrived,
} from "./leaf_servers.ts";
import { rejects } from "./rejects.ts";

const HUB = "nats-leaf://hub.example.com:7422";

// Which subjects cross, and what is refused.

const subjects = suite("leaf config subjects");

subjects(
  "by default sends telemetry and events up and lets the hub call in",
  () => {
    const crossing = bridgedSubjects({ hub: HUB }).map((entry) =>
      `${entry.flag} ${entry.subject}${entry.everyAnswer ? " all" : ""}`
    );
    assert.equal(crossing, [
      "--export telemetry.>",
      "--export wasmbus.events",
      "--export-service wasmbus.actor.>",
      "--export-service wasmbus.inventory.> all",
    ]);
  },
);

subjects("moves the default lattice subjects under a lattice name", () => {
  const crossing = bridgedSubjects({ hub: HUB, lattice: "plant3" })
    .map((entry) => entry.subject);
  assert.equal(crossing, [
    "telemetry.>",
    "plant3.wasmbus.events",
    "plant3.wasmbus.actor.>",
    "plant3.wasmbus.inventory.>",
  ]);
});

subjects(
  "a flag replaces only its own defaults; an empty list bridges none",
  () => {
    const crossing = bridgedSubjects({
      hub: HUB,
      exports: ["sensors.>", "sensors.>"],
      exportServices: [],
      imports: ["command.truck7.*"],
    }).map((entry) => `${entry.flag} ${entry.subject} ${entry.byDefault}`);
    assert.equal(crossing, [
      "--export sensors.> false",
      "--import command.truck7.* false",
    ]);
  },
);

subjects("with noDefaults bridges only the subjects given", () => {
  const only = bridgedSubjects({
    hub: HUB,
    imports: ["command.>"],
    noDefaults: true,
  });
  assert.equal(only.map((entry) => entry.subject), ["command.>"]);
  assert.equal(bridgedSubjects({ hub: HUB, noDefaults: true }), []);
});

subjects("refuses malformed subjects, naming the flag", () => {
  const cases: [LeafConfigOptions, RegExp][] = [
    [{ hub: HUB, exports: ["a..b"] }, /^Invalid --export "a\.\.b": .*empty/],
    [{ hub: HUB, imports: ["a.>.b"] }, /^Invalid --import "a\.>\.b": ">"/],
    [{ hub: HUB, exports: [">"] }, /^Invalid --export ">": .*every subject/],
    [
      { hub: HUB, importServices: ["_INBOX.>"] },
      /^Invalid --import-service "_INBOX\.>": "_INBOX" subjects belong/,
    ],
    [{ hub: HUB, exportServices: ["_R_.x"] }, /^Invalid --export-service/],
  ];
  for (const [options, pattern] of cases) {
    assert.throws(() => bridgedSubjects(options), pattern);
    assert.throws(() => deviceLeafConfig(options), pattern);
  }
});

subjects("refuses overlapping subjects, naming both, defaults included", () => {
  assert.is(
    thrown(() => bridgedSubjects({ hub: HUB, imports: ["wasmbus.*"] })),
    'Invalid --import "wasmbus.*": it overlaps --export "wasmbus.events" ' +
      "(a default); a subject may cross one way only, as a stream or as a " +
      "service",
  );
  assert.throws(
    () =>
      bridgedSubjects({
        hub: HUB,
        exports: ["cmd.>"],
        exportServices: ["cmd.ask"],
      }),
    /^Invalid --export-service "cmd\.ask": it overlaps --export "cmd\.>";/,
  );
  assert.throws(
    () => bridgedSubjects({ hub: HUB, exports: ["a.*.c", "a.b.>"] }),
    /^Invalid --export "a\.b\.>": it overlaps --export "a\.\*\.c"/,
  );
  assert.not.throws(() =>
    bridgedSubjects({ hub: HUB, exports: ["a.b", "a.b.>", "a.c.>"] })
  );
});

subjects("bridges the JetStream API only when JetStream has a domain", () => {
  const options = { hub: HUB, exportServices: ["$JS.API.>"] };
  assert.is(
    thrown(() => deviceLeafConfig(options)),
    'Invalid --export-service "$JS.API.>": the JetStream API crosses only ' +
      "in a domain",
  );
  const config = deviceLeafConfig({ ...options, jetstreamDomain: "truck7" });
  assert.match(config, 'domain: "truck7"');
  assert.match(config, "jetstream: enabled");
});

subjects("refuses bad options, naming them", () => {
  const cases: [LeafConfigOptions, RegExp][] = [
    [{ hub: "http://hub:7422" }, /^Invalid --hub "http:\/\/hub:7422": /],
    [{ hub: "hub.example.com" }, /^Invalid --hub "hub\.example\.com": /],
    [{ hub: "nats-leaf://hub/x" }, /^Invalid --hub "nats-leaf:\/\/hub\/x": /],
    [
      { hub: "nats-leaf://u:p@hub", creds: "d.creds" },
      /^Invalid --hub "nats-leaf:\/\/u:p@hub": give a user in the URL or/,
    ],
    [{ hub: HUB, lattice: "Plant 3" }, /^Invalid --lattice "Plant 3": /],
    [
      { hub: HUB, listen: "4222" },
      /^Invalid --listen "4222": expected HOST:PORT/,
    ],
    [{ hub: HUB, listen: "h:70000" }, /^Invalid --listen "h:70000"/],
    [
      { hub: HUB, jetstreamDomain: "a.b" },
      /^Invalid --jetstream-domain "a\.b"/,
    ],
    [{ hub: HUB, account: "A B" }, /^Invalid --account "A B"/],
    [
      { hub: HUB, jetstreamStore: "/x" },
      /^Invalid --jetstream-store: it goes with --jetstream-domain/,
    ],
    [
      { hub: HUB, tlsCert: "c.pem" },
      /^Invalid --tls-cert: it goes with --tls-key/,
    ],
    [
      { hub: HUB, creds: "a\nb" },
      /^Invalid --creds "a\nb": expected a file path/,
    ],
  ];
  for (const [options, pattern] of cases) {
    assert.throws(() => deviceLeafConfig(options), pattern);
  }
  assert.is(
    thrown(() => hubLeafConfig({ hub: "tls://hub.example.com" })),
    'Invalid --hub "tls://hub.example.com": TLS on the hub side needs ' +
      "--tls-cert and --tls-key, the hub's certificate",
  );
});

subjects("keeps the hub password out of the comments", () => {
  const config = deviceLeafConfig({ hub: "nats-leaf://truck7:s3cret@hub" });
  const comments = config.split("\n").filter((line) => line.startsWith("#"));
  assert.ok(comments.some((line) => line.includes("nats-leaf://truck7@hub")));
  assert.not.ok(comments.some((line) => line.includes("s3cret")));
  assert.match(config, 'url: "nats-leaf://truck7:s3cret@hub"');
  const hub = hubLeafConfig({ hub: "nats-leaf://truck7:s3cret@hub:7000" });
  assert.match(hub, 'listen: "0.0.0.0:7000"');
  assert.match(hub, 'users: [ { user: "truck7", password: "s3cret" } ]');
});

subjects.run();

// Every kind of generated file passes `nats-server -t`.

const valid = suite("leaf config files pass nats-server -t");
let checkDir = "";

valid.before(async () => {
  checkDir = await Deno.makeTempDir({ prefix: "trellis-leaf-check-" });
  await createCertificates(checkDir);
  const operator = await createOperator();
  await operator.userCreds(`${checkDir}/device.creds`);
});

valid.after(async () => {
  await Deno.remove(checkDir, { recursive: true });
});

valid("device files, with and without creds, TLS and JetStream", async () => {
  const d = checkDir;
  const variants: LeafConfigOptions[] = [
    { hub: HUB },
    { hub: "tls://hub.example.com", creds: `${d}/device.creds` },
    { hub: "tls://hub.example.com:7422", tlsCa: `${d}/ca.pem` },
    {
      hub: "nats-leaf://truck7:s3cret@hub.example.com",
      tlsCa: `${d}/ca.pem`,
      tlsCert: `${d}/device.pem`,
      tlsKey: `${d}/device.key`,
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
      tlsCert: `${d}/hub.pem`,
      tlsKey: `${d}/hub.key`,
    },
    {
      hub: "nats-leaf://truck7:s3cret@hub.example.com",
      tlsCa: `${d}/ca.pem`,
      tlsCert: `${d}/hub.pem`,
      tlsKey: `${d}/hub.key`,
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

// Real hubs and leaves from the generated files.

const plain = suite("leaf bridge with a user and password");
let plainBridge: Bridge | undefined;
const crossing = {
  exports: ["telemetry.>"],
  exportServices: ["device.ask.>"],
  imports: ["command.>"],
  importServices: ["cloud.ask.>"],
};

plain.before(async () => {
  plainBridge = await withDir("trellis-leaf-plain-", (dir) =>
    startBridge(dir, {
      device: (leaf) => ({ hub: `nats-leaf://truck7:pw@${leaf}`, ...crossing }),
      hub: (leaf) => ({ hub: `nats-leaf://truck7:pw@${leaf}`, ...crossing }),
    }));
});

plain.after(async () => await stopBridge(plainBridge));

plain(
  "a hub request on an exported service is answered on the device",
  async () => {
    const { hub, device } = plainBridge!;
    device.subscribe("device.ask.status", (message) => {
      message.respond(bytes(`device got ${text(message.payload)}`));
    });
    await device.flush();
    const answer = await untilAnswered(hub, "device.ask.status", "ping");
    assert.is(text(answer.payload), "device got ping");
  },
);

plain(
  "a hub request on a subject not exported finds no responders",
  async () => {
    const { hub, device } = plainBridge!;
    device.subscribe("secret.ask", (message) => message.respond(bytes("leak")));
    await device.flush();
    await untilAnswered(hub, "device.ask.status", "the link is up");
    await rejects(
      () => hub.request("secret.ask", bytes("?"), { timeoutMs: 1000 }),
      /^Cannot request "secret\.ask": no responders/,
    );
  },
);

plain("the device's stream goes up and the hub's comes down", async () => {
  const { hub, device } = plainBridge!;
  const atHub = collect(hub, "telemetry.>");
  const atDevice = collect(device, "command.>");
  await untilArrived(
    () => device.publish("telemetry.temp", bytes("21.5")),
    () => atHub.length > 0,
  );
  await untilArrived(
    () => hub.publish("command.reboot", bytes("now")),
    () => atDevice.length > 0,
  );
  assert.is(atHub[0], "telemetry.temp 21.5");
  assert.is(atDevice[0], "command.reboot now");
});

plain(
  "a device request on an imported service is answered at the hub",
  async () => {
    const { hub, device } = plainBridge!;
    hub.subscribe("cloud.ask.time", (message) => {
      message.respond(bytes(`hub got ${text(message.payload)}`));
    });
    await hub.flush();
    const answer = await untilAnswered(device, "cloud.ask.time", "when");
    assert.is(text(answer.payload), "hub got when");
  },
);

plain("subjects that are not bridged cross neither way", async () => {
  const { hub, device } = plainBridge!;
  const atHub = collect(hub, ">");
  const atDevice = collect(device, ">");
  await hub.flush();
  await device.flush();
  // Each side sends what must not cross, then a bridged marker. Once a
  // first marker has crossed, interest is in place: what goes before the
  // second marker had every chance to cross as well.
  const fromDevice = (marker: string) => () => {
    device.publish("secret.up", bytes("from device"));
    device.publish("command.sideways", bytes("from device"));
    device.publish("telemetry.marker", bytes(marker));
  };
  const fromHub = (marker: string) => () => {
    hub.publish("secret.down", bytes("from hub"));
    hub.publish("telemetry.sideways", bytes("from hub"));
    hub.publish("command.marker", bytes(marker));
  };
  for (const marker of ["first", "second"]) {
    await untilArrived(
      fromDevice(marker),
      () => atHub.includes(`telemetry.marker ${marker}`),
    );
    await untilArrived(
      fromHub(marker),
      () => atDevice.includes(`command.marker ${marker}`),
    );
  }
  await pause(100);
  assert.equal(atHub.filter((line) => line.endsWith("from device")), []);
  assert.equal(atDevice.filter((line) => line.endsWith("from hub")), []);
});

plain.run();

const lattice = suite("leaf bridge over mutual TLS with the lattice defaults");
let latticeBridge: Bridge | undefined;

lattice.before(async () => {
  latticeBridge = await withDir("trellis-leaf-tls-", async (dir) => {
    await createCertificates(dir);
    const tls = (party: string) => ({
      lattice: "plant3",
      tlsCa: `${dir}/ca.pem`,
      tlsCert: `${dir}/${party}.pem`,
      tlsKey: `${dir}/${party}.key`,
    });
    return await startBridge(dir, {
      device: (leaf) => ({ hub: `tls://${leaf}`, ...tls("device") }),
      hub: (leaf) => ({ hub: `tls://${leaf}`, ...tls("hub") }),
    });
  });
});

lattice.after(async () => await stopBridge(latticeBridge));

lattice("the hub calls an actor on the device", async () => {
  const { hub, device } = latticeBridge!;
  const subject = "plant3.wasmbus.actor.MECHO";
  device.subscribe(subject, (message) => message.respond(message.payload), {
    queue: subject,
  });
  await device.flush();
  const answer = await untilAnswered(hub, subject, "invocation");
  assert.is(text(answer.payload), "invocation");
});

lattice("every device host answers the hub's inventory query", async () => {
  const { hub, device, deviceUrl } = latticeBridge!;
  const subject = "plant3.wasmbus.inventory.hosts";
  const second = await connectNatsBus({ servers: [deviceUrl] });
  try {
    for (const [index, bus] of [device, second].entries()) {
      bus.subscribe(subject, (message) => message.respond(bytes(`h${index}`)));
      await bus.flush();
    }
    const answers = collect(hub, "_INBOX.inventory.*");
    await hub.flush();
    // A query per attempt, each with its own reply subject, until one
    // gathers both answers: interest takes a moment to cross.
    let attempt = 0;
    const gathered = () =>
      answers.filter((line) => line.startsWith(`_INBOX.inventory.${attempt} `));
    await untilArrived(() => {
      attempt++;
      hub.publish(subject, bytes("?"), {
        reply: `_INBOX.inventory.${attempt}`,
      });
    }, () => gathered().length >= 2);
    await pause(100);
    const hosts = gathered().map((line) => line.split(" ")[1]).sort();
    assert.equal(hosts, ["h0", "h1"]);
  } finally {
    await second.close();
  }
});

lattice("device events reach the hub; another lattice's do not", async () => {
  const { hub, device } = latticeBridge!;
  const events = collect(hub, "plant3.wasmbus.events");
  const unnamed = collect(hub, "wasmbus.events");
  await hub.flush();
  await untilArrived(() => {
    device.publish("wasmbus.events", bytes("other lattice"));
    device.publish("plant3.wasmbus.events", bytes("started"));
  }, () => events.length > 1);
  await pause(100);
  assert.equal([...new Set(events)], ["plant3.wasmbus.events started"]);
  assert.equal(unnamed, []);
});

lattice.run();

const operator = suite("leaf bridge with creds in operator mode and JetStream");
let operatorBridge: Bridge | undefined;

operator.before(async () => {
  operatorBridge = await withDir("trellis-leaf-jwt-", async (dir) => {
    const nats = await createOperator();
    const deviceCreds = await nats.userCreds(`${dir}/device.creds`);
    const cloudCreds = await nats.userCreds(`${dir}/cloud.creds`);
    return await startBridge(dir, {
      device: (leaf) => ({
        hub: `nats-leaf://${leaf}`,
        creds: deviceCreds,
        jetstreamDomain: "truck7",
        jetstreamStore: `${dir}/jetstream`,
        exportServices: ["device.ask.>", "$JS.API.>"],
      }),
      hub: (leaf) => ({ hub: `nats-leaf://${leaf}`, creds: deviceCreds }),
      hubPreamble: nats.hubConfig,
      hubClient: { credsFile: cloudCreds },
    });
  });
});

operator.after(async () => await stopBridge(operatorBridge));

operator(
  "a hub request reaches the device that logged in with creds",
  async () => {
    const { hub, device } = operatorBridge!;
    device.subscribe(
      "device.ask.>",
      (message) => message.respond(bytes("yes")),
    );
    await device.flush();
    const answer = await untilAnswered(hub, "device.ask.ready", "?");
    assert.is(text(answer.payload), "yes");
  },
);

operator(
  "the hub reaches the device's JetStream in its domain only",
  async () => {
    const { hub } = operatorBridge!;
    const answer = await untilAnswered(hub, "$JS.truck7.API.INFO", "");
    const info = JSON.parse(text(answer.payload));
    assert.is(info.type, "io.nats.jetstream.api.v1.account_info_response");
    assert.is(info.domain, "truck7");
    await rejects(
      () => hub.request("$JS.API.INFO", bytes(""), { timeoutMs: 1000 }),
      /^Cannot request "\$JS\.API\.INFO": no responders/,
    );
  },
);

operator.run();

async function withDir(
  prefix: string,
  start: (dir: string) => Promise<Bridge>,
): Promise<Bridge> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await start(dir);
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
}

async function stopBridge(bridge: Bridge | undefined): Promise<void> {
  if (bridge === undefined) return;
  await bridge.stop();
  await Deno.remove(bridge.dir, { recursive: true });
}

function thrown(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("Expected an exception, got none");
}
