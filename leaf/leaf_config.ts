/**
 * The nats-server configuration of a leaf bridge: a leaf node on the
 * device that lets only chosen subjects through to a hub, and the part of
 * the hub's configuration that accepts it. Pure functions from options to
 * text; docs/field.md explains the design.
 *
 * A 2.9 leaf remote knows only deny lists, so the filter is made of
 * accounts: trellis connects to the account DEVICE, the link to the hub
 * belongs to the account BRIDGE, and each bridged subject is an export of
 * one account and an import of the other. Nothing else crosses.
 *
 * @module
 */
import { LatticeSubjects } from "../runtime/lattice_subjects.ts";
import { assertPattern } from "../runtime/subjects.ts";

/** What `trellis leaf config` is told. Only `hub` is required. */
export interface LeafConfigOptions {
  /** The hub's leaf node URL, `nats-leaf://[user:pass@]host[:7422]`. */
  hub: string;
  /** A `.creds` file the leaf authenticates with (hub: operator mode). */
  creds?: string;
  /** The hub account the device's link joins. */
  account?: string;
  /** The CA that checks the other side's certificate. */
  tlsCa?: string;
  /** This side's certificate (a client certificate on the device). */
  tlsCert?: string;
  /** The key of `tlsCert`. */
  tlsKey?: string;
  /**
   * Device: where trellis connects (`127.0.0.1:4222`). Hub: where leaf
   * nodes connect (`0.0.0.0` and the port of `hub`).
   */
  listen?: string;
  /** Enables JetStream on the device in this domain. */
  jetstreamDomain?: string;
  /** Where the device's JetStream keeps its data. */
  jetstreamStore?: string;
  /** The device publishes, the hub receives. */
  exports?: string[];
  /** The hub requests (or publishes), the device answers. */
  exportServices?: string[];
  /** The hub publishes, the device receives. */
  imports?: string[];
  /** The device requests (or publishes), the hub answers. */
  importServices?: string[];
  /** The lattice name the default subjects belong to. */
  lattice?: string;
  /** Bridges only the subjects given, none by default. */
  noDefaults?: boolean;
}

/** The option that bridges a subject, and so how it crosses. */
export type BridgeFlag =
  | "--export"
  | "--export-service"
  | "--import"
  | "--import-service";

/** One subject that crosses the bridge. */
export interface BridgedSubject {
  /** The subject, wildcards allowed. */
  subject: string;
  /** How it crosses. */
  flag: BridgeFlag;
  /** It comes from the defaults, not from the options. */
  byDefault: boolean;
  /** A service whose every answer crosses back, not only the first. */
  everyAnswer: boolean;
}

/** The local account trellis connects to. */
export const DEVICE_ACCOUNT = "DEVICE";
/** The local account the link to the hub belongs to. */
export const BRIDGE_ACCOUNT = "BRIDGE";
/** The user trellis is without credentials on the device's server. */
export const TRELLIS_USER = "trellis";
/** Where trellis connects on the device unless told otherwise. */
export const DEVICE_LISTEN = "127.0.0.1:4222";

const LEAF_PORT = 7422;
const HUB_SCHEMES = ["nats-leaf:", "nats:", "tls:"];
const NAME = /^[A-Za-z0-9_-]+$/;
// Whitespace and control characters never belong in a URL or a path.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const RESERVED_TOKENS = ["_INBOX", "_R_", "$SYS"];
const JETSTREAM_API = "$JS.API.>";

const DESCRIPTIONS: Record<BridgeFlag, string> = {
  "--export": "device publishes, hub receives",
  "--export-service": "hub asks, device answers",
  "--import": "hub publishes, device receives",
  "--import-service": "device asks, hub answers",
};

/**
 * The subjects that cross, in flag order: those of each flag given, or
 * its defaults when it is not (`exports: []` or `noDefaults` leave them
 * out). The defaults let the hub watch and call the device: `telemetry.>`
 * and the lattice's events go up; the hub may call the device's actors
 * and ask its inventory. Throws a TypeError naming the flag and subject
 * at fault.
 */
export function bridgedSubjects(options: LeafConfigOptions): BridgedSubject[] {
  const prefix = latticePrefix(options.lattice);
  const defaults: Record<BridgeFlag, string[]> = {
    "--export": ["telemetry.>", `${prefix}.events`],
    "--export-service": [`${prefix}.actor.>`, `${prefix}.inventory.>`],
    "--import": [],
    "--import-service": [],
  };
  const given: Record<BridgeFlag, string[] | undefined> = {
    "--export": options.exports,
    "--export-service": options.exportServices,
    "--import": options.imports,
    "--import-service": options.importServices,
  };
  const bridged: BridgedSubject[] = [];
  for (const flag of Object.keys(given) as BridgeFlag[]) {
    const fallback = options.noDefaults ? [] : defaults[flag];
    for (const subject of new Set(given[flag] ?? fallback)) {
      checkSubject(flag, subject, options);
      const everyAnswer = flag.endsWith("-service") &&
        patternsOverlap(subject, `${prefix}.inventory.>`);
      const byDefault = given[flag] === undefined;
      bridged.push({ subject, flag, byDefault, everyAnswer });
    }
  }
  checkOverlaps(bridged);
  return bridged;
}

/** The configuration file of the device's leaf node. */
export function deviceLeafConfig(options: LeafConfigOptions): string {
  const hub = parseHub(options);
  const bridged = bridgedSubjects(options);
  const listen = parseListen(options.listen ?? DEVICE_LISTEN);
  checkOptions(options);
  return render([
    ...comment(
      `nats-server configuration of a trellis leaf node (trellis leaf ` +
        `config). trellis connects to ${listen} without credentials, as ` +
        `account ${DEVICE_ACCOUNT}; the link to ${hub.shown} belongs to ` +
        `account ${BRIDGE_ACCOUNT}. ` +
        (options.account === undefined && options.creds === undefined
          ? ""
          : hubAccountNote(options) + " ") +
        "Only these subjects cross:",
    ),
    ...crossingTable(bridged),
    ...jetstreamNote(options),
    "",
    `listen: ${quote(listen)}`,
    "",
    ...accountsBlock(bridged, options),
    `no_auth_user: ${quote(TRELLIS_USER)}`,
    ...jetstreamBlock(options),
    "",
    ...block("leafnodes", [
      "remotes: [",
      ...indent(block("", remoteLines(hub, options))),
      "]",
    ]),
  ]);
}

/** The fragment of the hub's configuration that accepts the device. */
export function hubLeafConfig(options: LeafConfigOptions): string {
  const hub = parseHub(options);
  const bridged = bridgedSubjects(options);
  const listen = parseListen(options.listen ?? `0.0.0.0:${hub.port}`);
  checkOptions(options);
  if (hub.tls && (!options.tlsCert || !options.tlsKey)) {
    throw new TypeError(
      `Invalid --hub "${hub.shown}": TLS on the hub side needs --tls-cert ` +
        `and --tls-key, the hub's certificate`,
    );
  }
  const account = options.account;
  return render([
    ...comment(
      `Hub side of a trellis leaf bridge (trellis leaf config --hub-side): ` +
        `merge it into the hub's nats-server configuration. ` +
        hubAccountNote(options),
    ),
    ...comment("Each device decides what crosses; these options bridge:"),
    ...crossingTable(bridged),
    ...jetstreamNote(options),
    "",
    ...block("leafnodes", [
      `listen: ${quote(listen)}`,
      ...(hub.tls ? hubTlsBlock(options) : []),
      ...hubAuthorization(hub, options),
    ]),
    ...(account !== undefined && options.creds === undefined
      ? [
        "",
        ...block(
          "accounts",
          block(`${account}:`, [
            "# The hub's own trellis hosts connect as users of this account.",
          ]),
        ),
      ]
      : []),
  ]);
}

/** Whether two subscription subjects can match a common subject. */
export function patternsOverlap(left: string, right: string): boolean {
  const a = left.split(".");
  const b = right.split(".");
  for (let index = 0;; index++) {
    if (a[index] === ">" || b[index] === ">") {
      return a[index] !== undefined && b[index] !== undefined;
    }
    if (a[index] === undefined || b[index] === undefined) {
      return a[index] === b[index];
    }
    if (a[index] !== "*" && b[index] !== "*" && a[index] !== b[index]) {
      return false;
    }
  }
}

interface HubAddress {
  url: string;
  /** The URL without its password, for comments. */
  shown: string;
  port: number;
  user?: string;
  password?: string;
  tls: boolean;
}

function parseHub(options: LeafConfigOptions): HubAddress {
  const text = options.hub;
  let url: URL | undefined;
  try {
    url = /\s/.test(text) || CONTROL.test(text) ? undefined : new URL(text);
  } catch {
    // Reported below.
  }
  const scheme = url?.protocol ?? "";
  const extra = url && (url.search || url.hash || url.pathname.length > 1);
  if (!url || !HUB_SCHEMES.includes(scheme) || !url.hostname || extra) {
    throw new TypeError(
      `Invalid --hub "${text}": expected nats-leaf://HOST[:PORT], ` +
        `nats://HOST[:PORT] or tls://HOST[:PORT]`,
    );
  }
  if (url.username !== "" && options.creds !== undefined) {
    throw new TypeError(
      `Invalid --hub "${text}": give a user in the URL or --creds, not both`,
    );
  }
  const shown = new URL(url);
  shown.password = "";
  return {
    url: text,
    shown: shown.href.replace(/\/$/, ""),
    port: url.port === "" ? LEAF_PORT : Number(url.port),
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls: scheme === "tls:" || options.tlsCa !== undefined ||
      options.tlsCert !== undefined || options.tlsKey !== undefined,
  };
}

function parseListen(text: string): string {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    throw new TypeError(
      `Invalid --listen "${text}": expected HOST:PORT, such as ` +
        DEVICE_LISTEN,
    );
  }
  return text;
}

function latticePrefix(lattice: string | undefined): string {
  try {
    return new LatticeSubjects(lattice).prefix;
  } catch (error) {
    throw new TypeError(
      `Invalid --lattice "${lattice}": use lower-case letters and digits`,
      { cause: error },
    );
  }
}

function checkSubject(
  flag: BridgeFlag,
  subject: string,
  options: LeafConfigOptions,
): void {
  try {
    assertPattern(subject, "bridge");
  } catch (error) {
    const reason = String((error as Error).message)
      .replace(`Cannot bridge "${subject}": `, "");
    throw new TypeError(`Invalid ${flag} "${subject}": ${reason}`, {
      cause: error,
    });
  }
  const first = subject.split(".")[0];
  if (first === ">") {
    invalid(flag, subject, "it would bridge every subject, replies included");
  }
  if (RESERVED_TOKENS.includes(first)) {
    invalid(flag, subject, `"${first}" subjects belong to the servers`);
  }
  const exported = flag.startsWith("--export");
  if (exported && patternsOverlap(subject, JETSTREAM_API)) {
    if (options.jetstreamDomain === undefined) {
      invalid(flag, subject, "the JetStream API crosses only in a domain");
    }
  }
}

function checkOverlaps(bridged: BridgedSubject[]): void {
  bridged.forEach((later, index) => {
    const earlier = bridged
      .slice(0, index)
      .find((entry) => patternsOverlap(entry.subject, later.subject));
    if (earlier === undefined) return;
    const origin = earlier.byDefault ? " (a default)" : "";
    invalid(
      later.flag,
      later.subject,
      `it overlaps ${earlier.flag} "${earlier.subject}"${origin}; ` +
        "a subject may cross one way only, as a stream or as a service",
    );
  });
}

function checkOptions(options: LeafConfigOptions): void {
  const files: [string, string | undefined][] = [
    ["--creds", options.creds],
    ["--tls-ca", options.tlsCa],
    ["--tls-cert", options.tlsCert],
    ["--tls-key", options.tlsKey],
    ["--jetstream-store", options.jetstreamStore],
  ];
  for (const [flag, path] of files) {
    if (path !== undefined && (path === "" || CONTROL.test(path))) {
      throw new TypeError(`Invalid ${flag} "${path}": expected a file path`);
    }
  }
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new TypeError("Invalid --tls-cert: it goes with --tls-key");
  }
  const names: [string, string | undefined][] = [
    ["--account", options.account],
    ["--jetstream-domain", options.jetstreamDomain],
  ];
  for (const [flag, name] of names) {
    if (name !== undefined && !NAME.test(name)) {
      throw new TypeError(
        `Invalid ${flag} "${name}": use letters, digits, "-" and "_"`,
      );
    }
  }
  if (options.jetstreamStore && options.jetstreamDomain === undefined) {
    throw new TypeError(
      "Invalid --jetstream-store: it goes with --jetstream-domain",
    );
  }
}

function invalid(flag: string, subject: string, reason: string): never {
  throw new TypeError(`Invalid ${flag} "${subject}": ${reason}`);
}

function crossingTable(bridged: BridgedSubject[]): string[] {
  if (bridged.length === 0) return ["#   (none: the link carries nothing)"];
  const width = Math.max(...bridged.map((entry) => entry.subject.length));
  return bridged.map((entry) =>
    `#   ${entry.subject.padEnd(width)}  ${DESCRIPTIONS[entry.flag]}` +
    (entry.everyAnswer ? ", all answers" : "") +
    (entry.byDefault ? " (default)" : "")
  );
}

function jetstreamNote(options: LeafConfigOptions): string[] {
  const domain = options.jetstreamDomain;
  if (domain === undefined) return [];
  return comment(
    `The device's JetStream runs in domain ${domain}; with --export-service ` +
      `"${JETSTREAM_API}" the hub reaches it as $JS.${domain}.API.>.`,
  );
}

function hubAccountNote(options: LeafConfigOptions): string {
  if (options.creds !== undefined) {
    return "At the hub, which runs in operator mode, the link joins the " +
      "account of the .creds user: the hub's resolver must know it and " +
      "allow it leaf connections.";
  }
  return options.account === undefined
    ? "At the hub the link joins the global account."
    : `At the hub the link joins account ${options.account}.`;
}

function accountsBlock(
  bridged: BridgedSubject[],
  options: LeafConfigOptions,
): string[] {
  const device = { exports: [] as string[], imports: [] as string[] };
  const bridge = { exports: [] as string[], imports: [] as string[] };
  for (const entry of bridged) {
    const kind = entry.flag.endsWith("-service") ? "service" : "stream";
    const exported = entry.flag.startsWith("--export");
    const [owner, user] = exported ? [device, bridge] : [bridge, device];
    const from = exported ? DEVICE_ACCOUNT : BRIDGE_ACCOUNT;
    const answers = entry.everyAnswer ? ", response_type: stream" : "";
    owner.exports.push(`{ ${kind}: ${quote(entry.subject)}${answers} }`);
    user.imports.push(
      `{ ${kind}: { account: ${from}, subject: ${quote(entry.subject)} } }`,
    );
  }
  return block("accounts", [
    ...block(`${DEVICE_ACCOUNT}:`, [
      `users: [ { user: ${quote(TRELLIS_USER)} } ]`,
      ...(options.jetstreamDomain === undefined ? [] : ["jetstream: enabled"]),
      ...list("exports", device.exports),
      ...list("imports", device.imports),
    ]),
    ...block(`${BRIDGE_ACCOUNT}:`, [
      ...list("exports", bridge.exports),
      ...list("imports", bridge.imports),
    ]),
  ]);
}

function jetstreamBlock(options: LeafConfigOptions): string[] {
  if (options.jetstreamDomain === undefined) return [];
  const store = options.jetstreamStore;
  return [
    "",
    ...block("jetstream", [
      `domain: ${quote(options.jetstreamDomain)}`,
      ...(store === undefined ? [] : [`store_dir: ${quote(store)}`]),
    ]),
  ];
}

function remoteLines(hub: HubAddress, options: LeafConfigOptions): string[] {
  const tls: string[] = [];
  if (options.tlsCa !== undefined) tls.push(`ca_file: ${quote(options.tlsCa)}`);
  if (options.tlsCert !== undefined && options.tlsKey !== undefined) {
    tls.push(`cert_file: ${quote(options.tlsCert)}`);
    tls.push(`key_file: ${quote(options.tlsKey)}`);
  }
  return [
    `url: ${quote(hub.url)}`,
    `account: ${BRIDGE_ACCOUNT}`,
    ...(options.creds === undefined
      ? []
      : [`credentials: ${quote(options.creds)}`]),
    ...(hub.tls ? block("tls", tls) : []),
  ];
}

function hubTlsBlock(options: LeafConfigOptions): string[] {
  return block("tls", [
    `cert_file: ${quote(options.tlsCert ?? "")}`,
    `key_file: ${quote(options.tlsKey ?? "")}`,
    ...(options.tlsCa === undefined
      ? []
      : [`ca_file: ${quote(options.tlsCa)}`, "verify: true"]),
  ]);
}

function hubAuthorization(
  hub: HubAddress,
  options: LeafConfigOptions,
): string[] {
  if (options.creds !== undefined) return [];
  const account = options.account;
  if (hub.user !== undefined) {
    const fields = [`user: ${quote(hub.user)}`];
    if (hub.password !== undefined) {
      fields.push(`password: ${quote(hub.password)}`);
    }
    if (account !== undefined) fields.push(`account: ${account}`);
    return block("authorization", [`users: [ { ${fields.join(", ")} } ]`]);
  }
  return account === undefined
    ? []
    : block("authorization", [`account: ${account}`]);
}

function block(head: string, body: string[]): string[] {
  return [head === "" ? "{" : `${head} {`, ...indent(body), "}"];
}

function list(name: string, items: string[]): string[] {
  return items.length === 0 ? [] : [`${name}: [`, ...indent(items), "]"];
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

// Wraps prose into `#` comment lines of at most 78 characters.
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = "#";
  for (const word of text.split(" ")) {
    if (line.length + word.length + 1 > 78 && line !== "#") {
      lines.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

// A double-quoted string of nats-server's configuration format.
function quote(text: string): string {
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function render(lines: string[]): string {
  return lines.join("\n") + "\n";
}
