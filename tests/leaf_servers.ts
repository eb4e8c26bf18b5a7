/**
 * Real nats-server processes for the leaf bridge tests, started from
 * complete configuration files that set their own ports, plus
 * `nats-server -t` and a hub with a device leaf built from the generated
 * files (tests/nats_credentials.ts makes the certificates and credentials
 * those files name).
 */
import {
  deviceLeafConfig,
  hubLeafConfig,
  type LeafConfigOptions,
} from "../leaf/leaf_config.ts";
import { connectNatsBus, type NatsBus } from "../leaf/nats_bus.ts";
import type { NatsBusOptions } from "../leaf/nats_options.ts";
import type { Bus, BusMessage } from "../runtime/bus.ts";
import { freePort, launchNatsServer } from "./nats_server.ts";

/** A server started by {@link startConfiguredServer}. */
export interface ConfiguredServer {
  /** What the server has written to stderr so far. */
  readonly log: string;
  /** Resolves once the log matches `pattern`; rejects after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Kills the server and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Writes `config` to `file` and starts nats-server with it; resolves once
 * `port` (the client port the file sets) accepts connections.
 */
export async function startConfiguredServer(
  file: string,
  config: string,
  port: number,
  timeoutMs = 5000,
): Promise<ConfiguredServer> {
  await Deno.writeTextFile(file, config);
  const process = await launchNatsServer(["-c", file], port, timeoutMs);
  return {
    get log() {
      return process.log;
    },
    async waitForLog(pattern, waitMs = 5000) {
      await until(
        () => pattern.test(process.log),
        waitMs,
        `log matching ${pattern}`,
      );
    },
    stop: () => process.stop(),
  };
}

/** Runs `nats-server -t` on `config`: `valid` and what it printed. */
export async function checkConfig(
  file: string,
  config: string,
): Promise<{ valid: boolean; output: string }> {
  await Deno.writeTextFile(file, config);
  const { success, stdout, stderr } = await new Deno.Command("nats-server", {
    args: ["-t", "-c", file],
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  const output = decoder.decode(stdout) + decoder.decode(stderr);
  return { valid: success, output };
}

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) {
      throw new Error(`no ${what} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A hub and a device leaf, started from generated files, with clients. */
export interface Bridge {
  /** The test's directory, holding both configuration files. */
  dir: string;
  /** Where trellis would connect on the device. */
  deviceUrl: string;
  /** Where the hub's clients connect. */
  hubUrl: string;
  /** The device leaf's monitoring endpoint, `http://127.0.0.1:PORT`. */
  monitorUrl: string;
  /** A client of the hub. */
  hub: NatsBus;
  /** A client of the device's leaf node. */
  device: NatsBus;
  /** Stops the hub server; the clients stay and try to reconnect. */
  stopHub(): Promise<void>;
  /** Starts the hub again from its file, on the same ports. */
  startHub(): Promise<void>;
  /** Stops the device's leaf server and starts it again. */
  restartLeaf(): Promise<void>;
  /** Closes the clients and stops both servers. */
  stop(): Promise<void>;
}

/** What {@link startBridge} generates the two files from. */
export interface BridgeSetup {
  /** Device options, given the leaf address `127.0.0.1:PORT`. */
  device(leafAddress: string): LeafConfigOptions;
  /** Hub options, given the leaf address `127.0.0.1:PORT`. */
  hub(leafAddress: string): LeafConfigOptions;
  /** Lines the hub needs besides the fragment (operator mode). */
  hubPreamble?: string;
  /** How the hub's client authenticates. */
  hubClient?: Partial<NatsBusOptions>;
}

const LINK_CREATED = /Leafnode connection created for account/;

/**
 * Starts a hub from the hub fragment and a device leaf from the device
 * file (its monitor on a free port too), on free ports of 127.0.0.1, and
 * resolves once the leaf link is up.
 */
export async function startBridge(
  dir: string,
  setup: BridgeSetup,
): Promise<Bridge> {
  const [hubPort, leafPort, devicePort] = [freePort(), freePort(), freePort()];
  const monitorAddress = `127.0.0.1:${freePort()}`;
  const leafAddress = `127.0.0.1:${leafPort}`;
  const hubUrl = `nats://127.0.0.1:${hubPort}`;
  const deviceUrl = `nats://127.0.0.1:${devicePort}`;
  const hubConfig = [
    `listen: "127.0.0.1:${hubPort}"`,
    setup.hubPreamble ?? "",
    hubLeafConfig({ ...setup.hub(leafAddress), listen: leafAddress }),
  ].join("\n");
  const deviceConfig = deviceLeafConfig({
    monitor: monitorAddress,
    ...setup.device(leafAddress),
    listen: `127.0.0.1:${devicePort}`,
  });
  const servers: { hub?: ConfiguredServer; leaf?: ConfiguredServer } = {};
  const startHub = async () => {
    servers.hub = await startConfiguredServer(
      `${dir}/hub.conf`,
      hubConfig,
      hubPort,
    );
  };
  const startLeaf = async () => {
    servers.leaf = await startConfiguredServer(
      `${dir}/leaf.conf`,
      deviceConfig,
      devicePort,
    );
  };
  const buses: NatsBus[] = [];
  const stop = async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await servers.leaf?.stop();
    await servers.hub?.stop();
  };
  try {
    await startHub();
    await startLeaf();
    await servers.leaf!.waitForLog(LINK_CREATED);
    buses.push(
      await connectNatsBus({ servers: [hubUrl], ...setup.hubClient }),
    );
    buses.push(await connectNatsBus({ servers: [deviceUrl] }));
  } catch (error) {
    const logs = [servers.hub?.log, servers.leaf?.log].join("\n");
    await stop();
    throw new Error(`Cannot start the bridge: ${error}\n${logs}`);
  }
  return {
    dir,
    deviceUrl,
    hubUrl,
    monitorUrl: `http://${monitorAddress}`,
    hub: buses[0],
    device: buses[1],
    stopHub: async () => await servers.hub?.stop(),
    startHub,
    async restartLeaf() {
      await servers.leaf?.stop();
      await startLeaf();
    },
    stop,
  };
}

/**
 * Requests until an answer arrives, since interest crosses the link a
 * moment after it is up; rejects with the last failure after `timeoutMs`.
 */
export async function untilAnswered(
  bus: Bus,
  subject: string,
  payload: string,
  timeoutMs = 5000,
): Promise<BusMessage> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const data = new TextEncoder().encode(payload);
      return await bus.request(subject, data, { timeoutMs: 250 });
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Calls `send` every 50 ms until `arrived()`; fails after `timeoutMs`. */
export async function untilArrived(
  send: () => void,
  arrived: () => boolean,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!arrived()) {
    if (performance.now() > deadline) {
      throw new Error(`Nothing arrived within ${timeoutMs} ms`);
    }
    send();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Subscribes to `subject`; the array fills with `"subject payload"`. */
export function collect(bus: Bus, subject: string): string[] {
  const seen: string[] = [];
  bus.subscribe(subject, (message) => {
    seen.push(
      `${message.subject} ${new TextDecoder().decode(message.payload)}`,
    );
  });
  return seen;
}
