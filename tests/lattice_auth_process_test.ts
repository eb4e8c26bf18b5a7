/**
 * `trellis up --nats` with each way of proving itself to a nats-server
 * that demands it (`--nats-nkey`, `--creds`, `--tls-ca`, mutual TLS), as
 * a separate process serving the echo actor, called by the test process
 * through the lattice; and with a wrong credential, a host whose link
 * stays down while it serves locally.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadNkeys } from "../deps.ts";
import { connectNatsBus, type NatsBus } from "../leaf/nats_bus.ts";
import type { NatsBusOptions } from "../leaf/nats_options.ts";
import { bytes, text } from "./bus_recorder.ts";
import type { CliProcess } from "./cli_harness.ts";
import { freePort } from "./http_server_harness.ts";
import { type LatticeHost, latticeHost } from "./lattice_harness.ts";
import {
  echoActorFile,
  eventually,
  LINK_DOWN,
  LINK_UP,
  localHttpManifest,
  postUntilServed,
  startHostProcess,
  stopHostProcesses,
} from "./lattice_process_harness.ts";
import { type NatsServer, startNatsServer } from "./nats_server.ts";
import { rejects } from "./rejects.ts";
import { createCertificates, operatorMode } from "./nats_credentials.ts";

/** What a server demands, and what host and caller present. */
interface AuthSetup {
  /** The server's configuration. */
  config: string;
  /** `trellis up` flags the server accepts. */
  hostFlags: string[];
  /** How the test process's caller connects. */
  caller: Omit<NatsBusOptions, "servers">;
  /** `trellis up` flags the server refuses. */
  wrongFlags: string[];
  /** The refusal, as the link-down log line gives it. */
  refusal: RegExp;
}

/** Keys, creds and certificates written once for the whole file. */
interface Material {
  dir: string;
  actor: { file: string; key: string };
  /** Public keys of the nkey users the server knows. */
  nkeyUsers: string[];
  /** The configuration of a server in operator mode. */
  operatorConfig: string;
}

const MODES: { title: string; setup(material: Material): AuthSetup }[] = [
  {
    title: "--nats-nkey",
    setup: ({ dir, nkeyUsers }) => ({
      config: `authorization { users: [ ${
        nkeyUsers.map((key) => `{ nkey: ${key} }`).join(", ")
      } ] }`,
      hostFlags: ["--nats-nkey", join(dir, "host.nk")],
      caller: { nkeySeedFile: join(dir, "caller.nk") },
      wrongFlags: ["--nats-nkey", join(dir, "stranger.nk")],
      refusal: /Authorization Violation/i,
    }),
  },
  {
    title: "--creds",
    setup: ({ dir, operatorConfig }) => ({
      config: operatorConfig,
      hostFlags: ["--creds", join(dir, "host.creds")],
      caller: { credsFile: join(dir, "caller.creds") },
      wrongFlags: ["--creds", join(dir, "stranger.creds")],
      refusal: /Authorization Violation/i,
    }),
  },
  {
    title: "--tls-ca",
    setup: ({ dir }) => ({
      config: `tls { ${serverTls(dir)} }`,
      hostFlags: ["--tls-ca", join(dir, "ca.pem")],
      caller: { tls: { caFile: join(dir, "ca.pem") } },
      wrongFlags: ["--tls-ca", join(dir, "other-ca.pem")],
      refusal: /certificate/i,
    }),
  },
  {
    title: "--tls-ca --tls-cert --tls-key (mutual TLS)",
    setup: ({ dir }) => ({
      config: `tls { ${serverTls(dir)}, ca_file: "${join(dir, "ca.pem")}", ` +
        `verify: true }`,
      hostFlags: clientTlsFlags(dir, "client"),
      caller: {
        tls: {
          caFile: join(dir, "ca.pem"),
          certFile: join(dir, "client.pem"),
          keyFile: join(dir, "client.key"),
        },
      },
      wrongFlags: clientTlsFlags(dir, "stranger"),
      refusal: /: (received fatal alert|the server closed the connection)/,
    }),
  },
];

function serverTls(dir: string): string {
  return `cert_file: "${join(dir, "server.pem")}", ` +
    `key_file: "${join(dir, "server.key")}"`;
}

function clientTlsFlags(dir: string, party: string): string[] {
  return [
    "--tls-ca",
    join(dir, "ca.pem"),
    "--tls-cert",
    join(dir, `${party}.pem`),
    "--tls-key",
    join(dir, `${party}.key`),
  ];
}

let material: Promise<Material> | undefined;

async function makeMaterial(): Promise<Material> {
  const dir = await Deno.makeTempDir({ prefix: "trellis-lattice-auth-" });
  const write = (name: string, content: Uint8Array) =>
    Deno.writeFile(join(dir, name), content);
  await createCertificates(dir);
  const nkeys = await loadNkeys();
  const nkeyUsers: string[] = [];
  for (const name of ["host", "caller", "stranger"]) {
    const user = nkeys.createUser();
    await write(`${name}.nk`, user.getSeed());
    if (name !== "stranger") nkeyUsers.push(user.getPublicKey());
  }
  const operator = await operatorMode();
  await write("host.creds", await operator.userCreds("host"));
  await write("caller.creds", await operator.userCreds("caller"));
  await write("stranger.creds", await operator.strangerCreds());
  return {
    dir,
    actor: await echoActorFile(dir),
    nkeyUsers,
    operatorConfig: operator.config,
  };
}

/** A host in the test process, on its own connection with `mode`'s proof. */
async function caller(server: NatsServer, mode: AuthSetup) {
  const bus: NatsBus = await connectNatsBus({
    servers: [server.url],
    ...mode.caller,
  });
  const member: LatticeHost = await latticeHost(bus, { rpcTimeoutMs: 3000 });
  return {
    host: member.host,
    async stop() {
      await member.stop();
      await bus.close();
    },
  };
}

function count(log: string, pattern: RegExp): number {
  return log.split("\n").filter((line) => pattern.test(line)).length;
}

for (const [index, { title, setup }] of MODES.entries()) {
  const auth = suite(`trellis up ${title} (nats-server)`);
  let dir: string;
  let actor: Material["actor"];
  let mode: AuthSetup;
  let server: NatsServer;
  const processes: CliProcess[] = [];

  auth.before(async () => {
    const made = await (material ??= makeMaterial());
    ({ dir, actor } = made);
    mode = setup(made);
    server = await startNatsServer({ config: mode.config });
  });

  auth.after.each(() => stopHostProcesses(processes));

  auth.after(async () => {
    await server.stop();
    if (index === MODES.length - 1) await Deno.remove(dir, { recursive: true });
  });

  auth("joins the lattice and serves a caller on another host", async () => {
    processes.push(
      await startHostProcess({
        nats: server.url,
        dir,
        name: `good-${index}`,
        manifest: `actors:\n  - ${actor.file}\n`,
        flags: mode.hostFlags,
      }),
    );
    const member = await caller(server, mode);
    try {
      const reply = await member.host.invoke(
        actor.key,
        "Echo",
        bytes(`through ${title}`),
      );
      assert.is(text(reply), `through ${title}`);
    } finally {
      await member.stop();
    }
  });

  auth("stays down with a wrong credential and serves locally", async () => {
    const port = freePort();
    const host = await startHostProcess({
      nats: server.url,
      dir,
      name: `wrong-${index}`,
      manifest: localHttpManifest(actor.file, actor.key, port),
      flags: [...mode.wrongFlags, "--log-level", "debug"],
      linkUp: false,
    });
    processes.push(host);
    assert.match(host.stdoutLines[0], / link=down$/);
    const down = JSON.parse(await host.waitForLog(LINK_DOWN, 10_000));
    assert.match(down.reason, /^Cannot connect to NATS at "[^"]+": /);
    assert.match(down.reason, mode.refusal);

    // It keeps dialling, and keeps being refused.
    await eventually(
      () => count(host.stderr, /"link unreachable"/) >= 3,
      10_000,
    );
    assert.is(count(host.stderr, LINK_UP), 0, "the link never came up");

    const response = await postUntilServed(port, "served locally");
    assert.is(response.status, 200);
    assert.is(await response.text(), "served locally");

    const member = await caller(server, mode);
    try {
      await rejects(
        () => member.host.invoke(actor.key, "Echo", bytes("x")),
        /no host runs it/,
      );
    } finally {
      await member.stop();
    }
  });

  auth.run();
}
