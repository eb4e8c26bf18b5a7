import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encode } from "../runtime/codec.ts";
import {
  get,
  httpHost,
  type LogLine,
  serveFixture,
} from "./compat_fixtures.ts";
import { text } from "./host_helpers.ts";
import { rejects } from "./rejects.ts";

const http = suite("Compatibility of HTTP actors");

http("reads a Response followed by a trailing zero byte", async () => {
  const host = await httpHost();
  try {
    const { base } = await serveFixture(host, "trailing_zero");
    const response = await get(`${base}/`);
    assert.is(response.status, 201);
    assert.is(response.headers.get("x-compat"), "yes");
    assert.is(text(response.body), "made");
  } finally {
    await host.stop();
  }
});

http("accepts a Response body sent as an array of integers", async () => {
  const host = await httpHost();
  try {
    const { base } = await serveFixture(host, "byte_arrays");
    const response = await get(`${base}/`);
    assert.is(response.status, 200);
    assert.equal([...response.body], [104, 105, 33, 255]);
  } finally {
    await host.stop();
  }
});

http("accepts a Response sent as an array in field order", async () => {
  const host = await httpHost();
  try {
    const { base } = await serveFixture(host, "struct_arrays");
    const response = await get(`${base}/`);
    assert.is(response.status, 202);
    assert.is(response.headers.get("x-shape"), "array");
    assert.is(text(response.body), "ok");
  } finally {
    await host.stop();
  }
});

http("fails HealthRequest without a handler and keeps serving", async () => {
  const host = await httpHost();
  try {
    const { actor, base } = await serveFixture(host, "no_health");
    const health = () =>
      host.invoke(actor.key, "HealthRequest", encode({ placeholder: true }));

    await rejects(
      health,
      /No handler registered for function "HealthRequest"/,
    );
    const response = await get(`${base}/`);
    assert.is(response.status, 200);
    assert.is(text(response.body), "still here");
    await rejects(health, /No handler registered/);
    assert.is(text((await get(`${base}/again`)).body), "still here");
  } finally {
    await host.stop();
  }
});

http(
  "answers 500 with a generic body to replies that are not msgpack",
  async () => {
    const lines: LogLine[] = [];
    const host = await httpHost(lines);
    try {
      const garbage = await serveFixture(host, "garbage_reply");
      const other = await serveFixture(host, "byte_arrays");

      // The fixture cycles through its five kinds of garbage.
      for (let turn = 0; turn < 5; turn++) {
        const response = await get(`${garbage.base}/${turn}`);
        assert.is(response.status, 500, `garbage reply ${turn}`);
        assert.is(text(response.body), "internal server error");
        assert.is((await get(`${other.base}/`)).status, 200);
      }

      const unusable = lines.filter((line) =>
        line.message === "http reply from actor unusable" &&
        line.fields.actor === garbage.actor.key
      );
      assert.is(unusable.length, 5);
      for (const line of unusable) {
        assert.match(String(line.fields.error), /Cannot decode/);
      }
    } finally {
      await host.stop();
    }
  },
);

http("delivers a 6 MiB reply in full", async () => {
  const host = await httpHost();
  try {
    const { base } = await serveFixture(host, "oversized_reply");
    for (const path of ["/first", "/second"]) {
      const response = await get(`${base}${path}`);
      assert.is(response.status, 200);
      assert.is(response.body.length, 6 * 1024 * 1024);
      assert.ok(response.body.every((byte) => byte === 0x78), "all x");
    }
  } finally {
    await host.stop();
  }
});

http.run();
