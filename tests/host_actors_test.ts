import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import { keyValueProvider } from "../providers/keyvalue.ts";
import { extrasProvider } from "../providers/extras.ts";
import { loggingProvider } from "../providers/logging.ts";
import { testActor } from "./actors.ts";
import { testHost } from "./host_helpers.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const actors = suite("Host with AssemblyScript actors");

function call(
  namespace: string,
  operation: string,
  payload: unknown,
  binding = "default",
): Uint8Array {
  return encode({ binding, namespace, operation, payload: encode(payload) });
}

actors("the caller reaches keyvalue through the real host", async () => {
  const host = await testHost();
  await host.startProvider(keyValueProvider);
  const caller = await signActor(await testActor("caller"), {
    caps: ["wascc:keyvalue"],
  });
  await host.startActor(caller.bytes);
  await host.bind(caller.key, "wascc:keyvalue", "", { STORE: "memory" });
  const add = { key: "visits", value: 2 };
  await host.invoke(caller.key, "Call", call("wascc:keyvalue", "Add", add));
  const reply = await host.invoke(
    caller.key,
    "Call",
    call("wascc:keyvalue", "Add", add),
  );
  assert.equal(decode(reply), { value: 4 });
  await host.stop();
});

actors("extras is bound by itself to an actor that claims it", async () => {
  const host = await testHost({ autoProviders: [extrasProvider] });
  const caller = await signActor(await testActor("caller"), {
    caps: ["wascc:extras"],
  });
  await host.startActor(caller.bytes);
  const request = {
    guid: false,
    sequence: true,
    random: false,
    min: 0,
    max: 0,
  };
  const sequence = async () =>
    decode(
      await host.invoke(
        caller.key,
        "Call",
        call("wascc:extras", "RequestSequence", request),
      ),
    ) as { sequenceNumber: number };
  assert.is((await sequence()).sequenceNumber, 0);
  assert.is((await sequence()).sequenceNumber, 1);
  await host.stop();
});

actors("a provider error reaches the guest as its host error", async () => {
  const host = await testHost();
  await host.startProvider(loggingProvider);
  const caller = await signActor(await testActor("caller"), {
    caps: ["wascc:logging"],
  });
  await host.startActor(caller.bytes);
  await host.bind(caller.key, "wascc:logging");
  await rejects(
    () =>
      host.invoke(
        caller.key,
        "Call",
        call("wascc:logging", "WriteLog", { level: 9, body: "x" }),
      ),
    /WriteLog/,
  );
  await host.stop();
});

actors("an AssemblyScript actor spinning forever is stopped", async () => {
  const host = await testHost({ deadlineMs: 300 });
  const caller = await signActor(await testActor("caller"));
  await host.startActor(caller.bytes);
  await rejects(
    () => host.invoke(caller.key, "Spin", new Uint8Array()),
    /deadline of 300 ms exceeded/,
  );
  // A fresh instance answers: its host call is refused by the claims check.
  await rejects(
    () =>
      host.invoke(caller.key, "Call", call("wascc:logging", "WriteLog", {})),
    /capability not in its claims/,
  );
  await host.stop();
});

actors.run();
