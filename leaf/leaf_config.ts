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
import {
  BRIDGE_DESCRIPTIONS,
  type BridgedSubject,
  bridgedSubjects,
  JETSTREAM_API,
} from "./bridge_subjects.ts";
import {
  checkOptions,
  DEVICE_LISTEN,
  type HubAddress,
  type LeafConfigOptions,
  parseHub,
  parseListen,
  parseMonitor,
} from "./leaf_config_options.ts";

export {
  type BridgedSubject,
  bridgedSubjects,
  type BridgeFlag,
  patternsOverlap,
} from "./bridge_subjects.ts";
export {
  DEVICE_LISTEN,
  DEVICE_MONITOR,
  type LeafConfigOptions,
} from "./leaf_config_options.ts";

/** The local account trellis connects to. */
export const DEVICE_ACCOUNT = "DEVICE";
/** The local account the link to the hub belongs to. */
export const BRIDGE_ACCOUNT = "BRIDGE";
/** The user trellis is without credentials on the device's server. */
export const TRELLIS_USER = "trellis";

/** The configuration file of the device's leaf node. */
export function deviceLeafConfig(options: LeafConfigOptions): string {
  const hub = parseHub(options);
  const bridged = bridgedSubjects(options);
  const listen = parseListen(options.listen ?? DEVICE_LISTEN);
  const monitor = parseMonitor(options.monitor);
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
    ...monitorLines(monitor),
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
  parseMonitor(options.monitor);
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

function crossingTable(bridged: BridgedSubject[]): string[] {
  if (bridged.length === 0) return ["#   (none: the link carries nothing)"];
  const width = Math.max(...bridged.map((entry) => entry.subject.length));
  return bridged.map((entry) =>
    `#   ${entry.subject.padEnd(width)}  ${BRIDGE_DESCRIPTIONS[entry.flag]}` +
    (entry.everyAnswer ? ", all answers" : "") +
    (entry.byDefault ? " (default)" : "")
  );
}

// trellis up --leaf-monitor polls /leafz here to tell whether the hub is
// reachable beyond the leaf.
function monitorLines(monitor: string | undefined): string[] {
  if (monitor === undefined) return [];
  return [
    "",
    ...comment(
      `The monitoring endpoint, for trellis on this device: ` +
        `http://${monitor}/leafz tells whether the link to the hub is up.`,
    ),
    `http: ${quote(monitor)}`,
  ];
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
