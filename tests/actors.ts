/**
 * Builds the AssemblyScript actors the suites run, through the build cache
 * (`.cache/actors`), so only the first run after a change compiles.
 */
import { fileURLToPath } from "node:url";
import { buildActor } from "../scripts/build_actor.ts";

/** The test actors; `counter` is the example under `examples/counter`. */
export type TestActorName = "echo" | "caller" | "counter" | "counter_next";

/** The example actors under `examples/`. */
export type ExampleActorName = "echo" | "counter";

const testActorDirs: Record<TestActorName, URL> = {
  echo: new URL("./actors/echo/", import.meta.url),
  caller: new URL("./actors/caller/", import.meta.url),
  counter: new URL("../examples/counter/", import.meta.url),
  counter_next: new URL("./actors/counter_next/", import.meta.url),
};

/**
 * The module of a test actor, built from `tests/actors/<name>`:
 * - `echo`: `Echo` answers with the payload, `HandleRequest` with a 200
 *   whose body is the request body, `Fail` fails with "failed on purpose",
 *   `Trap` traps, `Log` logs the payload text;
 * - `caller`: `Call` `{binding, namespace, operation, payload}` makes that
 *   host call and answers with its response or fails with its error text;
 *   `Spin` never returns;
 * - `counter`: the counter example;
 * - `counter_next`: another build of the counter whose replies carry
 *   `"build":"next"`, for live updates.
 */
export async function testActor(
  name: TestActorName,
): Promise<Uint8Array<ArrayBuffer>> {
  return await buildActor(fileURLToPath(testActorDirs[name]));
}

/** The module of an example actor, built from `examples/<name>`. */
export async function exampleActor(
  name: ExampleActorName,
): Promise<Uint8Array<ArrayBuffer>> {
  const dir = new URL(`../examples/${name}/`, import.meta.url);
  return await buildActor(fileURLToPath(dir));
}

/**
 * The field station's aggregator, built from
 * `examples/field_station/aggregator` (see its README).
 */
export async function aggregatorActor(): Promise<Uint8Array<ArrayBuffer>> {
  const dir = new URL("../examples/field_station/aggregator/", import.meta.url);
  return await buildActor(fileURLToPath(dir));
}
