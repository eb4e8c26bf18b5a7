/**
 * What a `trellis up --nats` host process refuses over a real nats-server:
 * invocations signed by a key other than their `host_id`'s, altered after
 * signing, or garbage; and with `--trusted-host`, a host it does not
 * trust. It answers each with `Invocation rejected: …`, logs a warning
 * naming the sending host, and goes on serving.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNatsBus, type NatsBus } from "../leaf/nats_bus.ts";
import { encode } from "../runtime/codec.ts";
import { generateKeyPair } from "../runtime/ed25519.ts";
import {
  decodeResponse,
  encodeInvocation,
  type Invocation,
  SYSTEM_ORIGIN,
} from "../runtime/invocation.ts";
import { InvocationSigner } from "../runtime/invocation_token.ts";
import { base64UrlEncode, decodeJwt } from "../runtime/jwt.ts";
import { bytes, text } from "./bus_recorder.ts";
import type { CliProcess } from "./cli_harness.ts";
import { type LatticeHost, latticeHost } from "./lattice_harness.ts";
import {
  echoActorFile,
  eventually,
  startHostProcess,
  stopHostProcesses,
} from "./lattice_process_harness.ts";
import { type NatsServer, startNatsServer } from "./nats_server.ts";
import { rejects } from "./rejects.ts";

interface World {
  server: NatsServer;
  dir: string;
  actor: { file: string; key: string };
  bus: NatsBus;
  /** A host in the test process, with its own server key. */
  caller: LatticeHost;
  /** A key that is no host's, to forge with. */
  forger: InvocationSigner;
  processes: CliProcess[];
}

let world: World;

async function up(name: string, flags: string[] = []): Promise<CliProcess> {
  const process = await startHostProcess({
    nats: world.server.url,
    dir: world.dir,
    name,
    manifest: `actors:\n  - ${world.actor.file}\n`,
    flags,
  });
  world.processes.push(process);
  return process;
}

/** An invocation of the echo actor, before it is signed. */
function unsigned(
  message: string,
): Omit<Invocation, "encodedClaims" | "hostId"> {
  return {
    origin: { kind: "actor", key: SYSTEM_ORIGIN },
    target: { kind: "actor", key: world.actor.key },
    operation: "Echo",
    msg: bytes(message),
    id: crypto.randomUUID(),
  };
}

/** Signed by the caller, as a real invocation from it is. */
function genuine(message: string): Invocation {
  const fields = unsigned(message);
  return {
    ...fields,
    encodedClaims: world.caller.signer.token(fields),
    hostId: world.caller.host.id,
  };
}

/** Sends `invocation` over NATS; resolves with the answer's error. */
async function refusal(invocation: Invocation): Promise<string | undefined> {
  const reply = await world.bus.request(
    `wasmbus.actor.${world.actor.key}`,
    encodeInvocation(invocation),
    { timeoutMs: 3000 },
  );
  return decodeResponse(reply.payload).error;
}

function rejections(process: CliProcess): Record<string, unknown>[] {
  return process.stderr.split("\n")
    .filter((line) => line.includes(`"msg":"invocation rejected"`))
    .map((line) => JSON.parse(line));
}

async function stillServes(): Promise<void> {
  const reply = await world.caller.host.invoke(
    world.actor.key,
    "Echo",
    bytes("still serving"),
  );
  assert.is(text(reply), "still serving");
}

const trust = suite("Lattice trust across processes (nats-server)");

trust.before(async () => {
  const server = await startNatsServer();
  const dir = await Deno.makeTempDir({ prefix: "trellis-lattice-trust-" });
  const bus = await connectNatsBus({ servers: [server.url] });
  world = {
    server,
    dir,
    actor: await echoActorFile(dir),
    bus,
    caller: await latticeHost(bus, { rpcTimeoutMs: 3000 }),
    forger: new InvocationSigner((await generateKeyPair("server")).seed),
    processes: [],
  };
});

trust.after.each(() => stopHostProcesses(world.processes));

trust.after(async () => {
  await world.caller.stop();
  await world.bus.close();
  await world.server.stop();
  await Deno.remove(world.dir, { recursive: true });
});

trust("refuses invocations signed by a key not the host_id's", async () => {
  const host = await up("a");

  // Signed by the forger's key, claiming to come from the caller.
  const fields = unsigned("forged");
  const foreign = world.forger.token(fields);
  assert.is(
    await refusal({
      ...fields,
      encodedClaims: foreign,
      hostId: world.caller.host.id,
    }),
    "Invocation rejected: token issuer is not the sending host",
  );

  // The same, with the token's issuer rewritten to the caller's key.
  const { header, payload, signature } = decodeJwt(foreign);
  const part = (value: unknown) =>
    base64UrlEncode(bytes(JSON.stringify(value)));
  const reissued = [
    part(header),
    part({ ...payload, iss: world.caller.host.id }),
    base64UrlEncode(signature),
  ].join(".");
  assert.is(
    await refusal({
      ...fields,
      encodedClaims: reissued,
      hostId: world.caller.host.id,
    }),
    "Invocation rejected: token signature does not verify",
  );

  await eventually(() => rejections(host).length === 2);
  for (const line of rejections(host)) {
    assert.is(line.level, "warn");
    assert.is(line.host, world.caller.host.id);
  }
  await stillServes();
});

trust("refuses invocations altered after signing", async () => {
  const host = await up("a");
  const alterations: [string, (invocation: Invocation) => Invocation][] = [
    [
      "invocation hash does not match",
      (invocation) => ({ ...invocation, msg: bytes("tampered") }),
    ],
    [
      "token subject is not the invocation id",
      (invocation) => ({ ...invocation, id: crypto.randomUUID() }),
    ],
    [
      "token target URL does not match",
      (invocation) => ({ ...invocation, operation: "Log" }),
    ],
  ];
  for (const [check, alter] of alterations) {
    const error = await refusal(alter(genuine("original")));
    assert.is(error, `Invocation rejected: ${check}`);
  }
  assert.is(await refusal(genuine("untouched")), undefined);

  await eventually(() => rejections(host).length === alterations.length);
  await stillServes();
});

trust("refuses garbage invocations", async () => {
  await up("a");
  for (const payload of [Uint8Array.of(0xc1, 0xff), encode({ id: 7 })]) {
    const reply = await world.bus.request(
      `wasmbus.actor.${world.actor.key}`,
      payload,
      { timeoutMs: 3000 },
    );
    assert.match(
      decodeResponse(reply.payload).error ?? "",
      /^Invocation rejected: /,
    );
  }
  await stillServes();
});

trust("with --trusted-host, serves only the hosts it names", async () => {
  const trusted = await latticeHost(world.bus, { rpcTimeoutMs: 3000 });
  try {
    const host = await up("a", ["--trusted-host", trusted.host.id]);
    const reply = await trusted.host.invoke(
      world.actor.key,
      "Echo",
      bytes("trusted"),
    );
    assert.is(text(reply), "trusted");

    await rejects(
      () => world.caller.host.invoke(world.actor.key, "Echo", bytes("x")),
      new RegExp(
        `^Invocation rejected: host "${world.caller.host.id}" is not trusted$`,
      ),
    );
    await eventually(() => rejections(host).length === 1);
    assert.is(rejections(host)[0].host, world.caller.host.id);

    const again = await trusted.host.invoke(
      world.actor.key,
      "Echo",
      bytes("again"),
    );
    assert.is(text(again), "again");
  } finally {
    await trusted.stop();
  }
});

trust.run();
