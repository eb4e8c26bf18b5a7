/** Builds the actor the sensor suites and the sensors bench bind. */
import { fileURLToPath } from "node:url";
import { buildActor } from "../scripts/build_actor.ts";

/**
 * The `sensor_sink` test actor (tests/actors/sensor_sink): counts what
 * `DeliverReadings` brings, answers `Stats` with
 * `{deliveries, readings, errors, skipped, sequence, lastSensor}` and
 * forwards `ReadNow`'s payload to `trellis:sensors` `ReadSensors`.
 */
export async function sensorSinkActor(): Promise<Uint8Array<ArrayBuffer>> {
  const dir = new URL("./actors/sensor_sink/", import.meta.url);
  return await buildActor(fileURLToPath(dir));
}
