/**
 * Real hubs and device leaves from the generated files: what crosses the
 * bridge, which way, and what does not, with a password, over mutual TLS
 * and with creds in operator mode.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import { bytes, pause, text } from "./bus_recorder.ts";
import { createCertificates, operatorMode } from "./nats_credentials.ts";
import {
  type Bridge,
  collect,
  startBridge,
  untilAnswered,
  untilArrived,
} from "./leaf_servers.ts";
import { rejects } from "./rejects.ts";

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
      device: (leaf) => ({ hub: `tls://${leaf}`, ...tls("client") }),
      hub: (leaf) => ({ hub: `tls://${leaf}`, ...tls("server") }),
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
    const nats = await operatorMode();
    const deviceCreds = `${dir}/device.creds`;
    const cloudCreds = `${dir}/cloud.creds`;
    await Deno.writeFile(deviceCreds, await nats.userCreds("device"));
    await Deno.writeFile(cloudCreds, await nats.userCreds("cloud"));
    return await startBridge(dir, {
      device: (leaf) => ({
        hub: `nats-leaf://${leaf}`,
        creds: deviceCreds,
        jetstreamDomain: "truck7",
        jetstreamStore: `${dir}/jetstream`,
        exportServices: ["device.ask.>", "$JS.API.>"],
      }),
      hub: (leaf) => ({ hub: `nats-leaf://${leaf}`, creds: deviceCreds }),
      hubPreamble: nats.config,
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
