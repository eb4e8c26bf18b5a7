import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ControlSubjects } from "../runtime/control_subjects.ts";
import { LatticeSubjects } from "../runtime/lattice_subjects.ts";
import { bytes, pause, Recorder } from "./bus_recorder.ts";
import { Harness } from "./messaging_harness.ts";
import { rejects } from "./rejects.ts";

const HOST = "NCONTROLLEDHOST";

const subjects = suite("ControlSubjects");

subjects("names host commands and auctions under the prefix", () => {
  const named = new ControlSubjects(new LatticeSubjects("plant3").prefix);
  assert.is(
    named.host(HOST, "actor.launch"),
    `plant3.wasmbus.control.${HOST}.actor.launch`,
  );
  assert.is(named.hostPattern(HOST), `plant3.wasmbus.control.${HOST}.>`);
  assert.is(named.auction, "plant3.wasmbus.control.auction.request");
  assert.is(
    new ControlSubjects("wasmbus").providerAuction,
    "wasmbus.control.provauction.request",
  );
});

subjects("reads the host and command of a subject", () => {
  const control = new ControlSubjects("wasmbus");
  assert.equal(control.address(`wasmbus.control.${HOST}.label.put`), {
    hostId: HOST,
    command: "label.put",
  });
  for (
    const subject of [
      `wasmbus.control.${HOST}.actor.explode`,
      `wasmbus.control.${HOST}`,
      `other.wasmbus.control.${HOST}.host.stop`,
      "wasmbus.actor.MX",
    ]
  ) {
    assert.is(control.address(subject), undefined, subject);
  }
});

subjects.run();

const reach = suite("Control subjects out of actors' reach");

const CONTROL_SUBJECTS = [
  `wasmbus.control.${HOST}.host.stop`,
  `plant3.wasmbus.control.${HOST}.actor.launch`,
  "plant3.wasmbus.control.auction.request",
];

reach("refuses publishing and requesting control commands", async () => {
  const harness = await Harness.start();
  const spy = new Recorder();
  harness.bus.subscribe(">", spy.handler);
  for (const subject of CONTROL_SUBJECTS) {
    const body = [...bytes('{"module":"/tmp/evil.wasm"}')];
    await rejects(
      () => harness.call("Publish", { subject, body }),
      /subjects whose first or second token is "wasmbus" belong to the/,
    );
    await rejects(
      () => harness.call("Request", { subject, body, timeout: 50 }),
      /cannot request ".*": subjects whose first or second token/,
    );
  }
  await pause();
  assert.is(spy.messages.length, 0, "nothing reached the bus");
  await harness.stop();
});

reach("refuses subscribing to a lattice's control subjects", async () => {
  const harness = await Harness.start();
  for (
    const pattern of [
      "plant3.wasmbus.control.>",
      "plant3.*.control.>",
      "wasmbus.control.*.actor.launch",
    ]
  ) {
    await rejects(
      () => harness.bind({ SUBSCRIPTION: pattern }),
      /it could match subjects of the lattice/,
    );
  }
  await harness.stop();
});

reach.run();
