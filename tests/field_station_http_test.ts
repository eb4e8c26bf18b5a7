import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  reading,
  SECOND,
  stateOf,
  StationHost,
  T0,
  TEMPERATURE,
  temperatures,
} from "./field_station_harness.ts";

const http = suite("field station aggregator over HTTP");

http("changes a threshold, applies it at once and keeps it", async () => {
  const station = await StationHost.start();
  await temperatures(station, [20]);

  const put = await station.request(
    "PUT",
    "/thresholds/temperature",
    '{ "low": -5, "high": 15.5 }',
  );
  assert.equal([put.status, put.type], [200, "application/json"]);
  assert.equal(JSON.parse(put.text), {
    kind: "temperature",
    low: -5,
    high: 15.5,
  });
  const json = await station.readings();
  assert.equal(json.alarms.map((alarm) => alarm.limit), [15.5]);
  await station.telemetry.until(2);
  assert.equal(stateOf(station.published("telemetry.barn.alarms")), [
    `${TEMPERATURE} high raised`,
  ]);
  await station.stop();

  const again = await StationHost.start({ dataDir: station.dataDir });
  const kept = await again.request("GET", "/thresholds");
  assert.equal(JSON.parse(kept.text), {
    humidity: { low: null, high: 85 },
    temperature: { low: -5, high: 15.5 },
  });
  await temperatures(again, [16]);
  assert.is((await again.sensor(TEMPERATURE)).alarm?.limit, 15.5);

  const reset = await again.request("DELETE", "/thresholds/temperature");
  assert.equal(JSON.parse(reset.text), {
    kind: "temperature",
    low: 0,
    high: 30,
  });
  assert.is((await again.sensor(TEMPERATURE)).alarm, null, "cleared at once");
  await again.dispose();
});

http("adds limits for a kind with none, and removes them", async () => {
  const station = await StationHost.start();
  await station.deliver([reading("barn-1.pressure", 990, T0)]);

  await station.request("PUT", "/thresholds/pressure", '{"low":1000}');
  assert.is((await station.sensor("barn-1.pressure")).alarm?.bound, "low");
  const removed = await station.request("DELETE", "/thresholds/pressure");
  assert.equal(JSON.parse(removed.text), {
    kind: "pressure",
    low: null,
    high: null,
  });
  assert.is((await station.sensor("barn-1.pressure")).alarm, null);
  await station.dispose();
});

http("refuses a malformed threshold and keeps the one in force", async () => {
  const station = await StationHost.start();
  const cases: [string, RegExp][] = [
    ["high=20", /expected "\{" at character 1/],
    ['{"high":"20"}', /expected a number or null at character 9/],
    ['{"hi":20}', /unknown key "hi"/],
    ['{"low":5,"high":5}', /"low" must be below "high"/],
    ['{"high":20} x', /unexpected text after the object/],
    ['{"high":1e400}', /too large/],
  ];
  for (const [body, message] of cases) {
    const answer = await station.request(
      "PUT",
      "/thresholds/temperature",
      body,
    );
    assert.is(answer.status, 400, body);
    assert.match(JSON.parse(answer.text).error, message);
  }

  const kept = await station.request("GET", "/thresholds/temperature");
  assert.equal(JSON.parse(kept.text), {
    kind: "temperature",
    low: 0,
    high: 30,
  });
  assert.is(
    (await station.request("PUT", "/thresholds/a.b", "{}")).status,
    404,
  );
  await station.dispose();
});

http("serves a refreshing HTML page of readings and alarms", async () => {
  const station = await StationHost.start();
  await station.deliver([
    reading(TEMPERATURE, 21.5, T0),
    reading("barn-1.<b>", 3, T0),
  ]);
  await temperatures(station, [33.25], T0 + SECOND);

  const page = await station.request("GET", "/");
  assert.equal([page.status, page.type], [200, "text/html; charset=utf-8"]);
  assert.match(page.text, /^<!doctype html>/);
  assert.match(page.text, '<meta http-equiv="refresh" content="5">');
  assert.match(page.text, "<code>barn</code>");
  assert.match(page.text, "<td>33.25 °C</td><td>21.50 °C</td>");
  assert.match(page.text, '<tr class="alarm"><td>barn-1.temperature</td>');
  assert.match(page.text, "above 30.00 °C: 33.25 °C now");
  assert.match(page.text, "2024-05-01 12:00:01 UTC");
  assert.match(page.text, "barn-1.&lt;b&gt;");
  assert.not.match(page.text, "<b>");
  await station.dispose();
});

http("answers 404 and 405 with a JSON error", async () => {
  const station = await StationHost.start();
  const missing = await station.request("GET", "/nothing");
  assert.equal([missing.status, JSON.parse(missing.text)], [404, {
    error: 'No page at "/nothing"',
  }]);
  const response = await fetch(`${station.base}/readings.json`, {
    method: "POST",
    body: "x",
  });
  assert.equal([response.status, response.headers.get("allow")], [405, "GET"]);
  await response.body?.cancel();
  await station.dispose();
});

http.run();
