/**
 * `http`: GET through `wascc:http_server` to the echo actor against a bare
 * `Deno.serve` handler returning the same bytes, both driven by
 * `wrk -t1 -c16`, alternated in one run.
 */
import { httpServerProvider } from "../../providers/http_server.ts";
import { exampleActor, testActor } from "../../tests/actors.ts";
import { testHost } from "../../tests/host_helpers.ts";
import { signActor } from "../../tests/sign.ts";
import { median } from "./measure.ts";
import type { BenchRow } from "./table.ts";

const ROUNDS = 3;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Requests per second that `wrk -t1 -c16` reaches against `url`. */
async function wrk(url: string, seconds: number): Promise<number> {
  const { stdout, success } = await new Deno.Command("wrk", {
    args: ["-t1", "-c16", `-d${seconds}s`, url],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(stdout);
  const match = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!success || !match) throw new Error(`Cannot run wrk: ${text}`);
  if (/Non-2xx/.test(text)) throw new Error(`wrk saw errors: ${text}`);
  return Number(match[1]);
}

/** Runs the scenario with both echo actors. */
export async function httpScenario(seconds: number): Promise<BenchRow[]> {
  return [
    await measure(
      seconds,
      await testActor("echo"),
      "GET, actor echoes the request body",
      0.5,
    ),
    // For comparison, no bar: this actor also builds a JSON text.
    await measure(
      seconds,
      await exampleActor("echo"),
      "GET, example echo (builds a JSON reply)",
    ),
  ];
}

async function measure(
  seconds: number,
  module: Uint8Array,
  measure: string,
  bar?: number,
): Promise<BenchRow> {
  const host = await testHost();
  await host.startProvider(httpServerProvider);
  const actor = await signActor(module, {
    name: "echo",
    caps: ["wascc:http_server"],
  });
  await host.startActor(actor.bytes);
  const actorPort = freePort();
  await host.bind(actor.key, "wascc:http_server", "", {
    PORT: String(actorPort),
    HOST: "127.0.0.1",
  });
  const actorUrl = `http://127.0.0.1:${actorPort}/bench?x=1`;

  const sample = await fetch(actorUrl);
  const body = new Uint8Array(await sample.arrayBuffer());
  const headers = new Headers(sample.headers);
  const barePort = freePort();
  const bare = Deno.serve(
    { hostname: "127.0.0.1", port: barePort, onListen() {} },
    () => new Response(body, { headers }),
  );
  const bareUrl = `http://127.0.0.1:${barePort}/bench?x=1`;

  await wrk(bareUrl, 1);
  await wrk(actorUrl, 1);
  const bareRates: number[] = [];
  const actorRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRates.push(await wrk(bareUrl, seconds));
    actorRates.push(await wrk(actorUrl, seconds));
  }
  await bare.shutdown();
  await host.stop();

  return {
    scenario: "http",
    measure: `${measure}, wrk -t1 -c16, median of ${ROUNDS}`,
    value: median(actorRates),
    unit: "req/s",
    baseline: median(bareRates),
    baselineName: "bare Deno.serve, same bytes",
    bar,
  };
}
