/**
 * Certificates and NATS credentials for tests: a CA, a second CA the
 * servers do not know, and certificates they sign (openssl); and an
 * operator with one account whose users get `.creds` files.
 */
import { loadNatsJwt } from "../deps.ts";

/** A certificate to issue: its file stem, its signing CA, its extensions. */
type Party = [name: string, ca: string, extensions: string];

const PARTIES: Party[] = [
  ["server", "ca", "server"],
  ["client", "ca", "client"],
  ["stranger", "other-ca", "client"],
];

/**
 * Writes into `dir`: `ca.pem` and `other-ca.pem`; `server.pem`/`server.key`
 * for 127.0.0.1 and localhost (good for server and client authentication,
 * as a leaf hub's is) and `client.pem`/`client.key`, both signed by
 * `ca.pem`; and `stranger.pem`/`stranger.key`, a client certificate signed
 * by `other-ca.pem`.
 */
export async function createCertificates(dir: string): Promise<void> {
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\n" +
      "extendedKeyUsage=serverAuth,clientAuth\n",
  );
  await Deno.writeTextFile(
    `${dir}/client.ext`,
    "extendedKeyUsage=clientAuth\n",
  );
  for (const ca of ["ca", "other-ca"]) {
    await openssl(dir, [
      "req",
      "-x509",
      ...newKey(`${ca}.key`),
      ...["-out", `${ca}.pem`, "-days", "1", "-subj", `/CN=trellis test ${ca}`],
      ...["-addext", "basicConstraints=critical,CA:TRUE"],
      ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ]);
  }
  for (const [party, ca, extensions] of PARTIES) {
    await openssl(dir, [
      "req",
      ...newKey(`${party}.key`),
      ...["-out", `${party}.csr`, "-subj", `/CN=trellis test ${party}`],
    ]);
    await openssl(dir, [
      ...["x509", "-req", "-in", `${party}.csr`, "-CA", `${ca}.pem`],
      ...["-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${party}.pem`],
      ...["-days", "1", "-extfile", `${extensions}.ext`],
    ]);
  }
}

function newKey(file: string): string[] {
  return [
    ...["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
    ...["-nodes", "-keyout", file],
  ];
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", {
    args,
    cwd: dir,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    const reason = new TextDecoder().decode(stderr);
    throw new Error(`Cannot run openssl ${args[0]}: ${reason}`);
  }
}

/** A nats-server in operator mode (decentralized JWT auth). */
export interface OperatorMode {
  /** nats-server configuration lines trusting the operator. */
  config: string;
  /** A `.creds` file's bytes for a new user of the server's account. */
  userCreds(name: string): Promise<Uint8Array>;
  /** A `.creds` file's bytes for a user of an account the server lacks. */
  strangerCreds(): Promise<Uint8Array>;
}

/** Makes an operator, its system account and one account `app`. */
export async function operatorMode(): Promise<OperatorMode> {
  const jwt = await loadNatsJwt();
  const operator = jwt.createOperator();
  const system = jwt.createAccount();
  const account = jwt.createAccount();
  // Limits left out of an account JWT count as zero: allow everything.
  const unlimited = {
    limits: {
      ...{ conn: -1, leaf: -1, subs: -1, data: -1, payload: -1 },
      ...{ imports: -1, exports: -1, wildcards: true },
    },
  };
  const signedBy = { signer: operator };
  const systemJwt = await jwt.encodeAccount("SYS", system, unlimited, signedBy);
  const appJwt = await jwt.encodeAccount("app", account, unlimited, signedBy);
  const operatorJwt = await jwt.encodeOperator("trellis", operator, {
    system_account: system.getPublicKey(),
  });
  const credsOf = async (name: string, issuer: typeof account) => {
    const user = jwt.createUser();
    return jwt.fmtCreds(await jwt.encodeUser(name, user, issuer), user);
  };
  return {
    config: [
      `operator: ${operatorJwt}`,
      `system_account: ${system.getPublicKey()}`,
      "resolver: MEMORY",
      "resolver_preload: {",
      `  ${system.getPublicKey()}: ${systemJwt}`,
      `  ${account.getPublicKey()}: ${appJwt}`,
      "}",
    ].join("\n"),
    userCreds: (name) => credsOf(name, account),
    strangerCreds: () => credsOf("stranger", jwt.createAccount()),
  };
}
