import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  CommandChecker,
  commandHash,
  signCommand,
} from "../runtime/control_token.ts";
import { CONTROL_FLAGS, parseControlIssuers } from "../runtime/cli_control.ts";
import { generateKeyPair } from "../runtime/ed25519.ts";
import { parseFlags, UsageError } from "../runtime/flags.ts";
import { base64UrlEncode, decodeJwt, signJwt } from "../runtime/jwt.ts";
import { rejects } from "./rejects.ts";

const SUBJECT = "wasmbus.control.NHOST.actor.launch";
const body = new TextEncoder().encode('{"module":"/tmp/echo.wasm"}');

const tokens = suite("CommandChecker");

tokens("accepts a command signed by a trusted issuer, once", async () => {
  const signer = await generateKeyPair("account");
  const checker = new CommandChecker({ issuers: [signer.publicKey] });
  const token = await signCommand(SUBJECT, body, signer);

  const first = await checker.check(SUBJECT, body, token);
  assert.equal(first, { accepted: true, issuer: signer.publicKey });
  const again = await checker.check(SUBJECT, body, token);
  assert.equal(again, {
    accepted: false,
    reason: "token was used before",
    issuer: signer.publicKey,
  });
});

tokens("accepts operator keys and names the claims it signs", async () => {
  const operator = await generateKeyPair("operator");
  const token = await signCommand(SUBJECT, body, operator);
  const { payload } = decodeJwt(token);
  assert.is(payload.iss, operator.publicKey);
  assert.is(payload.sub, SUBJECT);
  assert.is(payload.exp, (payload.iat as number) + 60);
  assert.equal(payload.control, { hash: commandHash(body) });
  const checker = new CommandChecker({ issuers: [operator.publicKey] });
  assert.ok((await checker.check(SUBJECT, body, token)).accepted);
});

tokens("refuses unsigned, untrusted and forged commands", async () => {
  const trusted = await generateKeyPair("account");
  const stranger = await generateKeyPair("account");
  const checker = new CommandChecker({ issuers: [trusted.publicKey] });
  const reason = async (token: string | undefined, payload = body) => {
    const check = await checker.check(SUBJECT, payload, token);
    return check.accepted ? "accepted" : check.reason;
  };

  assert.is(await reason(undefined), "command is not signed");
  assert.match(await reason("not.a-token"), /^token is malformed/);
  assert.is(
    await reason(await signCommand(SUBJECT, body, stranger)),
    `signer "${stranger.publicKey}" is not a trusted control issuer`,
  );
  const good = await signCommand(SUBJECT, body, trusted);
  const other = new TextEncoder().encode('{"module":"/tmp/evil.wasm"}');
  assert.is(
    await reason(good, other),
    "command does not match the token's hash",
  );
  assert.is(
    await reason(
      await signCommand("wasmbus.control.NOTHER.host.stop", body, trusted),
    ),
    "token is for another subject",
  );

  // The stranger's signature under the trusted key's name.
  const forged = await signCommand(SUBJECT, body, stranger);
  const [header, , signature] = forged.split(".");
  const renamed = { ...decodeJwt(forged).payload, iss: trusted.publicKey };
  const claims = new TextEncoder().encode(JSON.stringify(renamed));
  const swapped = `${header}.${base64UrlEncode(claims)}.${signature}`;
  assert.is(await reason(swapped), "token signature does not verify");
});

tokens("refuses expired and long-lived tokens", async () => {
  const signer = await generateKeyPair("account");
  const checker = new CommandChecker({ issuers: [signer.publicKey] });
  const hour = 3_600_000;
  const old = await signCommand(SUBJECT, body, signer, Date.now() - hour);
  const check = await checker.check(SUBJECT, body, old);
  assert.equal(check.accepted ? "" : check.reason, "token is expired");

  const iat = Math.floor(Date.now() / 1000);
  const forever = await signJwt({
    jti: "x1",
    iat,
    exp: iat + 86_400,
    iss: signer.publicKey,
    sub: SUBJECT,
    control: { hash: commandHash(body) },
  }, signer);
  const long = await checker.check(SUBJECT, body, forever);
  assert.match(long.accepted ? "" : long.reason, /valid for more than/);
});

tokens("obeys everything when no issuer is given", async () => {
  const checker = new CommandChecker({ issuers: [] });
  assert.ok(checker.open);
  assert.ok((await checker.check(SUBJECT, body, undefined)).accepted);
});

tokens("refuses issuers that are not account or operator keys", async () => {
  const server = await generateKeyPair("server");
  await rejects(
    () =>
      Promise.resolve().then(() =>
        new CommandChecker({ issuers: [server.publicKey] })
      ),
    /^Invalid control issuer "N[A-Z0-9]+": not an account or operator/,
  );
  await rejects(
    () => signCommand(SUBJECT, body, server),
    /^Cannot sign command: a server key cannot sign commands/,
  );
});

tokens.run();

const flags = suite("parseControlIssuers");

flags("reads repeated --ctl-issuer keys and refuses bad ones", async () => {
  const account = (await generateKeyPair("account")).publicKey;
  const operator = (await generateKeyPair("operator")).publicKey;
  const parse = (args: string[], latticed = true) =>
    parseControlIssuers(parseFlags(args, CONTROL_FLAGS), latticed);
  assert.equal(
    parse(["--ctl-issuer", account, "--ctl-issuer", operator]),
    [account, operator],
  );
  assert.equal(parse([]), []);
  const server = (await generateKeyPair("server")).publicKey;
  assert.throws(
    () => parse(["--ctl-issuer", server]),
    (error: Error) =>
      error instanceof UsageError &&
      error.message === `Invalid --ctl-issuer "${server}": not an account ` +
          "or operator key",
  );
  assert.throws(
    () => parse(["--ctl-issuer", account], false),
    /--ctl-issuer needs the lattice, not --standalone/,
  );
});

flags.run();
