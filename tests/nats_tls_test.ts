import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import type { NatsBusOptions } from "../leaf/nats_options.ts";
import { bytes, text } from "./bus_recorder.ts";
import { rejects } from "./rejects.ts";
import { startNatsServer } from "./nats_server.ts";

const tls = suite("NatsBus TLS");

let dir: string;
tls.before(async () => {
  dir = await Deno.makeTempDir({ prefix: "trellis-nats-tls-" });
  await createCertificates(dir);
});
tls.after(async () => {
  await Deno.remove(dir, { recursive: true });
});

tls("verifies the server with the CA it is given", async () => {
  const server = await startNatsServer({
    config: `tls { cert_file: "${dir}/server.pem", key_file: ` +
      `"${dir}/server.key" }`,
  });
  try {
    await assertRoundTrip({
      servers: [server.url],
      tls: { caFile: `${dir}/ca.pem` },
    });
    const unverified = /^Cannot connect to NATS at "[^"]+": .*certificate/;
    await assertRefused({ servers: [server.url] }, unverified);
    await assertRefused(
      { servers: [server.url], tls: { caFile: `${dir}/other-ca.pem` } },
      unverified,
    );
  } finally {
    await server.stop();
  }
});

tls("presents a client certificate; is refused without one", async () => {
  const server = await startNatsServer({
    config: `tls { cert_file: "${dir}/server.pem", key_file: ` +
      `"${dir}/server.key", ca_file: "${dir}/ca.pem", verify: true }`,
  });
  try {
    await assertRoundTrip({
      servers: [server.url],
      tls: {
        caFile: `${dir}/ca.pem`,
        certFile: `${dir}/client.pem`,
        keyFile: `${dir}/client.key`,
      },
    });
    // The refusal is a TLS alert after the handshake; it used to arrive
    // when no listener was left on the socket and end the process.
    for (let attempt = 0; attempt < 10; attempt++) {
      await assertRefused(
        { servers: [server.url], tls: { caFile: `${dir}/ca.pem` } },
        /^Cannot connect to NATS at "[^"]+": (received fatal alert|write )/,
      );
    }
  } finally {
    await server.stop();
  }
});

tls("names the TLS file it cannot read", async () => {
  await assertRefused(
    { servers: ["nats://127.0.0.1:1"], tls: { caFile: `${dir}/none.pem` } },
    /^Cannot read TLS CA file "[^"]+none\.pem": /,
  );
  const error = await rejects(
    () =>
      connectNatsBus({
        servers: ["nats://127.0.0.1:1"],
        tls: { certFile: `${dir}/client.pem` },
      }),
    /needs both certFile and keyFile$/,
  );
  assert.instance(error, TypeError);
});

tls.run();

// A CA, a server certificate for 127.0.0.1 and a client certificate, all
// signed by the CA, and a second CA that signed nothing.
async function createCertificates(dir: string): Promise<void> {
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\n" +
      "extendedKeyUsage=serverAuth\n",
  );
  await Deno.writeTextFile(
    `${dir}/client.ext`,
    "extendedKeyUsage=clientAuth\n",
  );
  for (const ca of ["ca", "other-ca"]) {
    await openssl(
      "req",
      "-x509",
      ...newKey(`${ca}.key`),
      "-out",
      `${ca}.pem`,
      "-days",
      "1",
      "-subj",
      `/CN=trellis test ${ca}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
  }
  for (const party of ["server", "client"]) {
    await openssl(
      "req",
      ...newKey(`${party}.key`),
      "-out",
      `${party}.csr`,
      "-subj",
      `/CN=trellis test ${party}`,
    );
    await openssl(
      "x509",
      "-req",
      "-in",
      `${party}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${party}.pem`,
      "-days",
      "1",
      "-extfile",
      `${party}.ext`,
    );
  }

  function newKey(file: string): string[] {
    return [
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      file,
    ];
  }

  async function openssl(...args: string[]): Promise<void> {
    const { success, stderr } = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) {
      throw new Error(
        `Cannot run openssl ${args[0]}: ${new TextDecoder().decode(stderr)}`,
      );
    }
  }
}

async function assertRoundTrip(options: NatsBusOptions): Promise<void> {
  const bus = await connectNatsBus({ ...options, reconnect: false });
  try {
    bus.subscribe("tls.echo", (message) => message.respond(message.payload));
    const reply = await bus.request("tls.echo", bytes("in"), {
      timeoutMs: 2000,
    });
    assert.is(text(reply.payload), "in");
  } finally {
    await bus.close();
  }
}

async function assertRefused(
  options: NatsBusOptions,
  pattern: RegExp,
): Promise<void> {
  await rejects(
    () => connectNatsBus({ ...options, reconnect: false }),
    pattern,
  );
}
