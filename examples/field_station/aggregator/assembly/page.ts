// `GET /`: the page a person reads, refreshed by the browser every
// REFRESH_SECONDS.
import { htmlText } from "../../../shared/assembly/html";
import { AlarmEvent } from "./alarm";
import { Publisher, summarySubject } from "./messaging";
import { Settings } from "./settings";
import { Sensor, Station } from "./station";
import { WINDOW_MS, WINDOW_READINGS } from "./window";

const REFRESH_SECONDS = "5";

const STYLE = "body{font-family:system-ui,sans-serif;margin:1.5rem auto;" +
  "max-width:60rem;padding:0 1rem;color:#222}" +
  "table{border-collapse:collapse;width:100%;margin-bottom:1rem}" +
  "th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;" +
  "text-align:right}th:first-child,td:first-child{text-align:left}" +
  ".alarm{background:#fde2e1}.error{color:#a33}.muted{color:#666}";

/** The whole page. */
export function pageHtml(
  station: Station,
  settings: Settings,
  device: string,
  publisher: Publisher,
): string {
  const name = htmlText(device);
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" +
    '<meta http-equiv="refresh" content="' + REFRESH_SECONDS + '">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>" + name + " · field station</title><style>" + STYLE +
    "</style></head>\n<body>\n<h1>Field station <code>" + name +
    "</code></h1>\n" + headline(station) +
    "<h2>Alarms</h2>\n" + alarmsHtml(station.alarmed()) +
    "<h2>Readings</h2>\n" + readingsHtml(station.sensors) +
    "<h2>Recent alarm events</h2>\n" + eventsHtml(station.events) +
    "<h2>Thresholds</h2>\n" + thresholdsHtml(settings) +
    footer(device, publisher) + "</body></html>\n";
}

function headline(station: Station): string {
  const when = station.updated == 0
    ? "No readings yet"
    : "Readings of " + time(station.updated);
  return '<p class="muted">' + when + " · delivery " +
    station.sequence.toString() + " · window: the last " +
    WINDOW_READINGS.toString() + " readings, at most " +
    (WINDOW_MS / 60000).toString() + " minutes old · refreshes every " +
    REFRESH_SECONDS + ' s · <a href="/readings.json">as JSON</a></p>\n';
}

function alarmsHtml(alarmed: Sensor[]): string {
  if (alarmed.length == 0) return "<p>None.</p>\n";
  let html = "<ul>\n";
  for (let i = 0; i < alarmed.length; i++) {
    const sensor = alarmed[i];
    const alarm = sensor.alarm.raised!;
    const unit = sensor.unit;
    html += '<li class="alarm"><strong>' + htmlText(sensor.name) +
      "</strong> " + (alarm.bound == "high" ? "above " : "below ") +
      quantity(alarm.limit, unit) + ": " + quantity(alarm.value, unit) +
      " now, " + (alarm.bound == "high" ? "highest " : "lowest ") +
      quantity(alarm.peak, unit) + ", since " + time(alarm.since) +
      "</li>\n";
  }
  return html + "</ul>\n";
}

function readingsHtml(sensors: Sensor[]): string {
  if (sensors.length == 0) return "<p>No readings yet.</p>\n";
  let html = "<table><tr><th>Sensor</th><th>Now</th><th>Min</th>" +
    "<th>Mean</th><th>Max</th><th>Readings</th></tr>\n";
  for (let i = 0; i < sensors.length; i++) {
    const sensor = sensors[i];
    const stats = sensor.window.stats();
    const now = sensor.error == ""
      ? quantity(sensor.value, sensor.unit)
      : '<span class="error">' + htmlText(sensor.error) + "</span>";
    html += (sensor.alarm.raised == null ? "<tr>" : '<tr class="alarm">') +
      "<td>" + htmlText(sensor.name) + "</td><td>" + now + "</td><td>" +
      quantity(stats.min, sensor.unit) + "</td><td>" +
      quantity(stats.mean, sensor.unit) + "</td><td>" +
      quantity(stats.max, sensor.unit) + "</td><td>" +
      stats.count.toString() + "</td></tr>\n";
  }
  return html + "</table>\n";
}

function eventsHtml(events: AlarmEvent[]): string {
  if (events.length == 0) return "<p>None yet.</p>\n";
  let html = "<table><tr><th>Time</th><th>Sensor</th><th>Event</th>" +
    "<th>Value</th><th>Limit</th></tr>\n";
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    html += "<tr><td>" + time(event.at) + "</td><td>" +
      htmlText(event.sensor) + "</td><td>" + event.bound + " " +
      event.state + "</td><td>" + quantity(event.value, event.unit) +
      "</td><td>" + quantity(event.limit, event.unit) + "</td></tr>\n";
  }
  return html + "</table>\n";
}

function thresholdsHtml(settings: Settings): string {
  const all = settings.all();
  let html = "<table><tr><th>Kind</th><th>Low</th><th>High</th></tr>\n";
  for (let i = 0; i < all.length; i++) {
    html += "<tr><td>" + htmlText(all[i].kind) + "</td><td>" +
      fixed(all[i].low) + "</td><td>" + fixed(all[i].high) + "</td></tr>\n";
  }
  return html + "</table>\n" +
    '<p class="muted">Change one with <code>curl -X PUT -d ' +
    "'{\"low\":0,\"high\":28}' …/thresholds/temperature</code>.</p>\n";
}

function footer(device: string, publisher: Publisher): string {
  let text = "Telemetry: " + publisher.published.toString() +
    " messages published on <code>" + htmlText(summarySubject(device)) +
    "</code> and its <code>.alarms</code>";
  if (publisher.failed > 0) {
    text += "; " + publisher.failed.toString() + " failed, the latest: " +
      htmlText(publisher.lastError);
  }
  return '<p class="muted">' + text + ".</p>\n";
}

function quantity(value: f64, unit: string): string {
  if (!isFinite(value)) return "–";
  return unit == "" ? fixed(value) : fixed(value) + " " + htmlText(unit);
}

// `value` with two decimals, or a dash for none.
function fixed(value: f64): string {
  if (!isFinite(value)) return "–";
  const hundredths = <i64> Math.round(Math.abs(value) * 100);
  const cents = hundredths % 100;
  const sign = value < 0 && hundredths != 0 ? "-" : "";
  return sign + (hundredths / 100).toString() + "." +
    (cents < 10 ? "0" : "") + cents.toString();
}

// `2024-05-01 12:00:03 UTC`
function time(millis: i64): string {
  const iso = new Date(millis).toISOString();
  return iso.substring(0, 10) + " " + iso.substring(11, 19) + " UTC";
}
