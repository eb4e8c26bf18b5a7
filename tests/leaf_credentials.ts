/**
 * Certificates and NATS credentials for the leaf bridge tests: a CA with a
 * hub and a device certificate (openssl), and an operator with one
 * account whose users get `.creds` files.
 */
import { loadNatsJwt } from "../deps.ts";

/**
 * Writes `ca.pem`, a hub certificate for 127.0.0.1 (`hub.pem`,
 * `hub.key`) and a device client certificate (`device.pem`,
 * `device.key`), all signed by the CA, into `dir`.
 */
export async function createCertificates(dir: string): Promise<void> {
  await Deno.writeTextFile(
    `${dir}/hub.ext`,
    "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
  );
  await Deno.writeTextFile(
    `${dir}/device.ext`,
    "extendedKeyUsage=clientAuth\n",
  );
  await openssl(dir, [
    "req",
    "-x509",
    ...newKey("ca.key"),
    ...["-out", "ca.pem", "-days", "1", "-subj", "/CN=trellis leaf test ca"],
    ...["-addext", "basicConstraints=critical,CA:TRUE"],
    ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
  ]);
  for (const party of ["hub", "device"]) {
    await openssl(dir, [
      "req",
      ...newKey(`${party}.key`),
      ...["-out", `${party}.csr`, "-subj", `/CN=trellis leaf test ${party}`],
    ]);
    await openssl(dir, [
      ...["x509", "-req", "-in", `${party}.csr`, "-CA", "ca.pem"],
      ...["-CAkey", "ca.key", "-CAcreateserial", "-out", `${party}.pem`],
      ...["-days", "1", "-extfile", `${party}.ext`],
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
  }).output();
  if (!success) {
    const reason = new TextDecoder().decode(stderr);
    throw new Error(`Cannot run openssl ${args[0]}: ${reason}`);
  }
}

/** A NATS operator with one account, for a hub in operator mode. */
export interface Operator {
  /** The operator, system account and resolver lines of the hub. */
  hubConfig: string;
  /** Writes a `.creds` file of a new user of the account; its path. */
  userCreds(file: string): Promise<string>;
}

/** Makes an operator, its system account and one account `app`. */
export async function createOperator(): Promise<Operator> {
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
  return {
    hubConfig: [
      `operator: ${operatorJwt}`,
      `system_account: ${system.getPublicKey()}`,
      "resolver: MEMORY",
      "resolver_preload: {",
      `  ${system.getPublicKey()}: ${systemJwt}`,
      `  ${account.getPublicKey()}: ${appJwt}`,
      "}",
    ].join("\n"),
    async userCreds(file) {
      const user = jwt.createUser();
      const userJwt = await jwt.encodeUser("device", user, account);
      await Deno.writeFile(file, jwt.fmtCreds(userJwt, user));
      return file;
    },
  };
}
