import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import { assertRefused, assertRoundTrip } from "./nats_connect_assertions.ts";
import { createCertificates } from "./nats_credentials.ts";
import { rejects } from "./rejects.ts";
import { startNatsServer } from "./nats_server.ts";

const tls = suite("NatsBus TLS");

// A refused client certificate shows as the server's TLS alert, or as the
// write that found the connection closed: whichever the socket saw first.
const CLIENT_REFUSED = new RegExp(
  '^Cannot connect to NATS at "[^"]+": (received fatal alert|' +
    "the server closed the connection \\(write )",
);

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
        CLIENT_REFUSED,
      );
    }
  } finally {
    await server.stop();
  }
});

tls(
  "refuses a foreign client certificate at once, reconnecting or not",
  async () => {
    const server = await startNatsServer({
      config: `tls { cert_file: "${dir}/server.pem", key_file: ` +
        `"${dir}/server.key", ca_file: "${dir}/ca.pem", verify: true }`,
    });
    try {
      const stranger = {
        caFile: `${dir}/ca.pem`,
        certFile: `${dir}/stranger.pem`,
        keyFile: `${dir}/stranger.key`,
      };
      await assertRefused(
        { servers: [server.url], tls: stranger },
        CLIENT_REFUSED,
      );
      // With reconnection on, the client used to wait out its 20 s connect
      // timeout and then say only "timeout".
      const started = performance.now();
      await rejects(
        () => connectNatsBus({ servers: [server.url], tls: stranger }),
        CLIENT_REFUSED,
      );
      assert.ok(performance.now() - started < 5000, "refused at once");
    } finally {
      await server.stop();
    }
  },
);

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
