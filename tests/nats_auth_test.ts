import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadNkeys } from "../deps.ts";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import type { LogFields } from "../runtime/logger.ts";
import { bytes, pause, text } from "./bus_recorder.ts";
import { recordingLogger } from "./messaging_harness.ts";
import { assertRefused, assertRoundTrip } from "./nats_connect_assertions.ts";
import { operatorMode } from "./nats_credentials.ts";
import { rejects } from "./rejects.ts";
import { startNatsServer } from "./nats_server.ts";

const auth = suite("NatsBus authentication");

let dir: string;
auth.before(async () => {
  dir = await Deno.makeTempDir({ prefix: "trellis-nats-auth-" });
});
auth.after(async () => {
  await Deno.remove(dir, { recursive: true });
});

auth("connects with an nkey seed file; is refused without", async () => {
  const nkeys = await loadNkeys();
  const user = nkeys.createUser();
  const stranger = nkeys.createUser();
  const seedFile = await write("user.nk", user.getSeed());
  const strangerFile = await write("stranger.nk", stranger.getSeed());
  const server = await startNatsServer({
    config: `authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`,
  });
  try {
    await assertRoundTrip({ servers: [server.url], nkeySeedFile: seedFile });
    await assertRefused({ servers: [server.url] }, /authorization violation/i);
    await assertRefused(
      { servers: [server.url], nkeySeedFile: strangerFile },
      /authorization violation/i,
    );
  } finally {
    await server.stop();
  }
});

auth("refuses a seed file that holds no user seed", async () => {
  const nkeys = await loadNkeys();
  const accountSeed = await write(
    "account.nk",
    nkeys.createAccount().getSeed(),
  );
  await assertRefused(
    { servers: ["nats://127.0.0.1:1"], nkeySeedFile: accountSeed },
    /^Cannot read NATS nkey seed file "[^"]+account\.nk": it does not hold /,
  );
  await assertRefused(
    { servers: ["nats://127.0.0.1:1"], nkeySeedFile: `${dir}/missing.nk` },
    /^Cannot read NATS nkey seed file "[^"]+missing\.nk": /,
  );
});

auth("connects with a .creds file in operator mode", async () => {
  const operator = await operatorMode();
  const credsFile = await write("host.creds", await operator.userCreds("host"));
  const server = await startNatsServer({ config: operator.config });
  try {
    await assertRoundTrip({ servers: [server.url], credsFile });
    await assertRefused({ servers: [server.url] }, /authorization violation/i);
    const strangerFile = await write(
      "stranger.creds",
      await operator.strangerCreds(),
    );
    await assertRefused(
      { servers: [server.url], credsFile: strangerFile },
      /^Cannot connect to NATS at /,
    );
  } finally {
    await server.stop();
  }
});

auth("refuses a .creds file without a seed", async () => {
  const half = await write(
    "half.creds",
    "-----BEGIN NATS USER JWT-----\neyJ0\n------END NATS USER JWT------\n",
  );
  await assertRefused(
    { servers: ["nats://127.0.0.1:1"], credsFile: half },
    /^Cannot read NATS credentials file "[^"]+half\.creds": it lacks a user /,
  );
});

auth("connects with a user and password or a token", async () => {
  const withUser = await startNatsServer({
    config: `authorization { user: host, password: "s3cret" }`,
  });
  const withToken = await startNatsServer({
    config: `authorization { token: "t0ken" }`,
  });
  try {
    await assertRoundTrip({
      servers: [withUser.url],
      user: "host",
      pass: "s3cret",
    });
    await assertRefused(
      { servers: [withUser.url], user: "host", pass: "wrong" },
      /authorization violation/i,
    );
    await assertRoundTrip({ servers: [withToken.url], token: "t0ken" });
    await assertRefused({ servers: [withToken.url] }, /authorization/i);
  } finally {
    await withUser.stop();
    await withToken.stop();
  }
});

auth("ends what the server's permissions refuse, and carries on", async () => {
  const server = await startNatsServer({
    config: `authorization { users: [ { user: host, password: pw, ` +
      `permissions: { subscribe: { deny: ["secret.>"] }, ` +
      `publish: { deny: ["forbidden.>"] } } } ] }`,
  });
  const lines: [string, LogFields | undefined][] = [];
  const bus = await connectNatsBus({
    servers: [server.url],
    user: "host",
    pass: "pw",
    logger: recordingLogger(lines),
  });
  try {
    const refused = bus.subscribe("secret.plans", () => {});
    await refused.closed;
    assert.equal(lines[0]?.[0], "subscription refused");
    assert.match(String(lines[0]?.[1]?.error), /permissions violation/i);
    await rejects(
      () => bus.request("forbidden.x", bytes(""), { timeoutMs: 2000 }),
      /^Cannot request "forbidden\.x": .*permissions violation/i,
    );
    bus.publish("forbidden.y", bytes(""));
    await bus.flush();
    await pause(20);
    const errors = lines.filter(([line]) => line === "nats server error");
    assert.ok(
      errors.some(([, fields]) => /forbidden\.y/.test(String(fields?.error))),
      JSON.stringify(lines),
    );
    bus.subscribe("open.echo", (message) => message.respond(message.payload));
    const reply = await bus.request("open.echo", bytes("still"), {
      timeoutMs: 2000,
    });
    assert.is(text(reply.payload), "still");
    assert.is(bus.status, "connected");
  } finally {
    await bus.close();
    await server.stop();
  }
});

auth("refuses two ways to authenticate at once", async () => {
  const error = await rejects(
    () =>
      connectNatsBus({
        servers: ["nats://127.0.0.1:1"],
        token: "t",
        nkeySeedFile: "seed.nk",
      }),
    /^Cannot connect to NATS: give one way to authenticate, not nkeySeedFile /,
  );
  assert.instance(error, TypeError);
});

auth.run();

async function write(name: string, content: string | Uint8Array) {
  const path = `${dir}/${name}`;
  if (typeof content === "string") await Deno.writeTextFile(path, content);
  else await Deno.writeFile(path, content);
  return path;
}
