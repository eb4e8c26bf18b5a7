import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readHttpServerConfig } from "../providers/http_server_config.ts";
import {
  ACTOR_A,
  freePort,
  reply,
  startProvider,
  text,
} from "./http_server_harness.ts";

const config = suite("HttpServer HOST");

config("defaults HOST to 0.0.0.0, as waSCC did", () => {
  const unset: Record<string, string>[] = [{}, { HOST: "" }, { HOST: " " }];
  for (const values of unset) {
    const read = readHttpServerConfig(ACTOR_A, { PORT: "8081", ...values });
    assert.is(read.hostname, "0.0.0.0", JSON.stringify(values));
  }
  const chosen = readHttpServerConfig(ACTOR_A, { HOST: " 127.0.0.1 " });
  assert.is(chosen.hostname, "127.0.0.1");
});

// Linux routes all of 127.0.0.0/8 to the loopback device, but a listener
// on 127.0.0.1 alone refuses 127.0.0.2: only one on every address (or on
// 127.0.0.2 itself) answers there.
config("listens on every address when HOST is left out", async () => {
  const { provider, logs } = startProvider(reply({ body: text("hi") }));
  try {
    const port = freePort();
    await provider.bind({
      actor: ACTOR_A,
      binding: "default",
      values: { PORT: String(port) },
    });

    const started = logs.find((line) =>
      line.message === "http listener started"
    );
    assert.is(started?.fields.hostname, "0.0.0.0");
    for (const address of ["127.0.0.1", "127.0.0.2"]) {
      const response = await fetch(`http://${address}:${port}/`);
      assert.is(await response.text(), "hi", address);
    }
  } finally {
    await provider.stop();
  }
});

config.run();
