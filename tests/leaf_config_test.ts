/**
 * `trellis leaf config` as functions: which subjects cross, what is
 * refused, and what the device's file holds.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  bridgedSubjects,
  deviceLeafConfig,
  hubLeafConfig,
  type LeafConfigOptions,
} from "../leaf/leaf_config.ts";

const HUB = "nats-leaf://hub.example.com:7422";

// Which subjects cross, and what is refused.

const subjects = suite("leaf config subjects");

subjects(
  "by default sends events up, lets the hub call in and telemetry ask up",
  () => {
    const crossing = bridgedSubjects({ hub: HUB }).map((entry) =>
      `${entry.flag} ${entry.subject}${entry.everyAnswer ? " all" : ""}`
    );
    assert.equal(crossing, [
      "--export wasmbus.events",
      "--export-service wasmbus.actor.>",
      "--export-service wasmbus.inventory.> all",
      "--import-service telemetry.>",
    ]);
  },
);

subjects("moves the default lattice subjects under a lattice name", () => {
  const crossing = bridgedSubjects({ hub: HUB, lattice: "plant3" })
    .map((entry) => entry.subject);
  assert.equal(crossing, [
    "plant3.wasmbus.events",
    "plant3.wasmbus.actor.>",
    "plant3.wasmbus.inventory.>",
    "telemetry.>",
  ]);
});

subjects(
  "a flag replaces only its own defaults; an empty list bridges none",
  () => {
    const crossing = bridgedSubjects({
      hub: HUB,
      exports: ["sensors.>", "sensors.>"],
      exportServices: [],
      imports: ["command.truck7.*"],
    }).map((entry) => `${entry.flag} ${entry.subject} ${entry.byDefault}`);
    assert.equal(crossing, [
      "--export sensors.> false",
      "--import command.truck7.* false",
      "--import-service telemetry.> true",
    ]);
  },
);

subjects("with noDefaults bridges only the subjects given", () => {
  const only = bridgedSubjects({
    hub: HUB,
    imports: ["command.>"],
    noDefaults: true,
  });
  assert.equal(only.map((entry) => entry.subject), ["command.>"]);
  assert.equal(bridgedSubjects({ hub: HUB, noDefaults: true }), []);
});

subjects("refuses malformed subjects, naming the flag", () => {
  const cases: [LeafConfigOptions, RegExp][] = [
    [{ hub: HUB, exports: ["a..b"] }, /^Invalid --export "a\.\.b": .*empty/],
    [{ hub: HUB, imports: ["a.>.b"] }, /^Invalid --import "a\.>\.b": ">"/],
    [{ hub: HUB, exports: [">"] }, /^Invalid --export ">": .*every subject/],
    [
      { hub: HUB, importServices: ["_INBOX.>"] },
      /^Invalid --import-service "_INBOX\.>": "_INBOX" subjects belong/,
    ],
    [{ hub: HUB, exportServices: ["_R_.x"] }, /^Invalid --export-service/],
  ];
  for (const [options, pattern] of cases) {
    assert.throws(() => bridgedSubjects(options), pattern);
    assert.throws(() => deviceLeafConfig(options), pattern);
  }
});

subjects("refuses overlapping subjects, naming both, defaults included", () => {
  assert.is(
    thrown(() => bridgedSubjects({ hub: HUB, imports: ["wasmbus.*"] })),
    'Invalid --import "wasmbus.*": it overlaps --export "wasmbus.events" ' +
      "(a default); a subject may cross one way only, as a stream or as a " +
      "service",
  );
  assert.throws(
    () =>
      bridgedSubjects({
        hub: HUB,
        exports: ["cmd.>"],
        exportServices: ["cmd.ask"],
      }),
    /^Invalid --export-service "cmd\.ask": it overlaps --export "cmd\.>";/,
  );
  assert.throws(
    () => bridgedSubjects({ hub: HUB, exports: ["a.*.c", "a.b.>"] }),
    /^Invalid --export "a\.b\.>": it overlaps --export "a\.\*\.c"/,
  );
  assert.is(
    thrown(() => bridgedSubjects({ hub: HUB, exports: ["telemetry.t7.>"] })),
    'Invalid --export "telemetry.t7.>": it overlaps --import-service ' +
      '"telemetry.>" (a default); a subject may cross one way only, as a ' +
      "stream or as a service",
  );
  assert.not.throws(() =>
    bridgedSubjects({ hub: HUB, exports: ["a.b", "a.b.>", "a.c.>"] })
  );
});

subjects("bridges the JetStream API only when JetStream has a domain", () => {
  const options = { hub: HUB, exportServices: ["$JS.API.>"] };
  assert.is(
    thrown(() => deviceLeafConfig(options)),
    'Invalid --export-service "$JS.API.>": the JetStream API crosses only ' +
      "in a domain",
  );
  const config = deviceLeafConfig({ ...options, jetstreamDomain: "truck7" });
  assert.match(config, 'domain: "truck7"');
  assert.match(config, "jetstream: enabled");
});

subjects("refuses bad options, naming them", () => {
  const cases: [LeafConfigOptions, RegExp][] = [
    [{ hub: "http://hub:7422" }, /^Invalid --hub "http:\/\/hub:7422": /],
    [{ hub: "hub.example.com" }, /^Invalid --hub "hub\.example\.com": /],
    [{ hub: "nats-leaf://hub/x" }, /^Invalid --hub "nats-leaf:\/\/hub\/x": /],
    [
      { hub: "nats-leaf://u:p@hub", creds: "d.creds" },
      /^Invalid --hub "nats-leaf:\/\/u:p@hub": give a user in the URL or/,
    ],
    [{ hub: HUB, lattice: "Plant 3" }, /^Invalid --lattice "Plant 3": /],
    [
      { hub: HUB, listen: "4222" },
      /^Invalid --listen "4222": expected HOST:PORT/,
    ],
    [{ hub: HUB, listen: "h:70000" }, /^Invalid --listen "h:70000"/],
    [
      { hub: HUB, jetstreamDomain: "a.b" },
      /^Invalid --jetstream-domain "a\.b"/,
    ],
    [{ hub: HUB, account: "A B" }, /^Invalid --account "A B"/],
    [
      { hub: HUB, jetstreamStore: "/x" },
      /^Invalid --jetstream-store: it goes with --jetstream-domain/,
    ],
    [
      { hub: HUB, tlsCert: "c.pem" },
      /^Invalid --tls-cert: it goes with --tls-key/,
    ],
    [
      { hub: HUB, creds: "a\nb" },
      /^Invalid --creds "a\nb": expected a file path/,
    ],
  ];
  for (const [options, pattern] of cases) {
    assert.throws(() => deviceLeafConfig(options), pattern);
  }
  assert.is(
    thrown(() => hubLeafConfig({ hub: "tls://hub.example.com" })),
    'Invalid --hub "tls://hub.example.com": TLS on the hub side needs ' +
      "--tls-cert and --tls-key, the hub's certificate",
  );
});

subjects("keeps the hub password out of the comments", () => {
  const config = deviceLeafConfig({ hub: "nats-leaf://truck7:s3cret@hub" });
  const comments = config.split("\n").filter((line) => line.startsWith("#"));
  assert.ok(comments.some((line) => line.includes("nats-leaf://truck7@hub")));
  assert.not.ok(comments.some((line) => line.includes("s3cret")));
  assert.match(config, 'url: "nats-leaf://truck7:s3cret@hub"');
  const hub = hubLeafConfig({ hub: "nats-leaf://truck7:s3cret@hub:7000" });
  assert.match(hub, 'listen: "0.0.0.0:7000"');
  assert.match(hub, 'users: [ { user: "truck7", password: "s3cret" } ]');
});

subjects("serves the monitoring endpoint on 127.0.0.1:8222 unless told", () => {
  assert.match(deviceLeafConfig({ hub: HUB }), '\nhttp: "127.0.0.1:8222"\n');
  const moved = deviceLeafConfig({ hub: HUB, monitor: "127.0.0.1:9000" });
  assert.match(moved, '\nhttp: "127.0.0.1:9000"\n');
  const none = deviceLeafConfig({ hub: HUB, monitor: "none" });
  assert.not.match(none, /^http:/m);
  assert.not.match(hubLeafConfig({ hub: HUB }), /^http:/m);
  assert.is(
    thrown(() => deviceLeafConfig({ hub: HUB, monitor: "8222" })),
    'Invalid --monitor "8222": expected HOST:PORT, such as 127.0.0.1:8222',
  );
});

subjects.run();

function thrown(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("Expected an exception, got none");
}
