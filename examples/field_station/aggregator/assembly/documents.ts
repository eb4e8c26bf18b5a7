// The JSON the aggregator serves and publishes.
import { jsonNumber, jsonString } from "../../../shared/assembly/json";
import { Alarm, AlarmEvent } from "./alarm";
import { alarmSubject, Publisher, summarySubject } from "./messaging";
import { Settings } from "./settings";
import { Sensor, Station } from "./station";
import { WINDOW_MS, WINDOW_READINGS } from "./window";

/** `GET /readings.json`: everything the page shows. */
export function readingsJson(
  station: Station,
  settings: Settings,
  device: string,
  publisher: Publisher,
): string {
  let json = '{"device":' + jsonString(device) +
    ',"updated":' + station.updated.toString() +
    ',"sequence":' + station.sequence.toString() +
    ',"deliveries":' + station.deliveries.toString() +
    ',"skipped":' + station.skipped.toString() +
    ',"window":{"readings":' + WINDOW_READINGS.toString() +
    ',"seconds":' + (WINDOW_MS / 1000).toString() + "}";
  json += ',"sensors":' + sensorsJson(station.sensors);
  json += ',"alarms":' + alarmsJson(station.alarmed());
  json += ',"events":' + eventsJson(station.events, "");
  json += ',"thresholds":' + thresholdsJson(settings);
  json += ',"telemetry":{"subject":' + jsonString(summarySubject(device)) +
    ',"alarmSubject":' + jsonString(alarmSubject(device)) +
    ',"published":' + publisher.published.toString() +
    ',"failed":' + publisher.failed.toString() +
    ',"lastError":' + jsonString(publisher.lastError) + "}";
  return json + "}";
}

/** `GET /thresholds`: `{"<kind>":{"low":…,"high":…},…}`. */
export function thresholdsJson(settings: Settings): string {
  const all = settings.all();
  let json = "{";
  for (let i = 0; i < all.length; i++) {
    if (i > 0) json += ",";
    json += jsonString(all[i].kind) + ":" + all[i].toJson();
  }
  return json + "}";
}

/** The telemetry summary: the latest value and window of each sensor. */
export function summaryJson(station: Station, device: string): string {
  let json = '{"device":' + jsonString(device) +
    ',"at":' + station.updated.toString() +
    ',"sequence":' + station.sequence.toString() + ',"sensors":[';
  for (let i = 0; i < station.sensors.length; i++) {
    const sensor = station.sensors[i];
    const stats = sensor.window.stats();
    if (i > 0) json += ",";
    json += '{"sensor":' + jsonString(sensor.name) +
      ',"kind":' + jsonString(sensor.kind) +
      ',"unit":' + jsonString(sensor.unit) +
      ',"value":' + jsonNumber(sensor.value) +
      ',"min":' + jsonNumber(stats.min) +
      ',"max":' + jsonNumber(stats.max) +
      ',"mean":' + jsonNumber(stats.mean) +
      ',"count":' + stats.count.toString();
    if (sensor.error != "") json += ',"error":' + jsonString(sensor.error);
    json += "}";
  }
  json += '],"alarms":[';
  const alarmed = station.alarmed();
  for (let i = 0; i < alarmed.length; i++) {
    if (i > 0) json += ",";
    json += jsonString(alarmed[i].name);
  }
  return json + "]}";
}

/** One alarm event as published: its fields and the device. */
export function eventJson(event: AlarmEvent, device: string): string {
  let json = "{";
  if (device != "") json += '"device":' + jsonString(device) + ",";
  return json + '"sensor":' + jsonString(event.sensor) +
    ',"kind":' + jsonString(event.kind) +
    ',"unit":' + jsonString(event.unit) +
    ',"state":' + jsonString(event.state) +
    ',"bound":' + jsonString(event.bound) +
    ',"value":' + jsonNumber(event.value) +
    ',"limit":' + jsonNumber(event.limit) +
    ',"at":' + event.at.toString() + "}";
}

function sensorsJson(sensors: Sensor[]): string {
  let json = "[";
  for (let i = 0; i < sensors.length; i++) {
    const sensor = sensors[i];
    const stats = sensor.window.stats();
    const alarm = sensor.alarm.raised;
    if (i > 0) json += ",";
    json += '{"sensor":' + jsonString(sensor.name) +
      ',"kind":' + jsonString(sensor.kind) +
      ',"unit":' + jsonString(sensor.unit) +
      ',"value":' + jsonNumber(sensor.value) +
      ',"timestamp":' + sensor.timestamp.toString() +
      ',"error":' + (sensor.error == "" ? "null" : jsonString(sensor.error)) +
      ',"count":' + stats.count.toString() +
      ',"min":' + jsonNumber(stats.min) +
      ',"max":' + jsonNumber(stats.max) +
      ',"mean":' + jsonNumber(stats.mean) +
      ',"alarm":' + (alarm == null ? "null" : alarmJson(alarm)) + "}";
  }
  return json + "]";
}

function alarmsJson(alarmed: Sensor[]): string {
  let json = "[";
  for (let i = 0; i < alarmed.length; i++) {
    const sensor = alarmed[i];
    if (i > 0) json += ",";
    json += '{"sensor":' + jsonString(sensor.name) +
      ',"kind":' + jsonString(sensor.kind) +
      ',"unit":' + jsonString(sensor.unit) + "," +
      alarmFields(sensor.alarm.raised!) + "}";
  }
  return json + "]";
}

function alarmJson(alarm: Alarm): string {
  return "{" + alarmFields(alarm) + "}";
}

function alarmFields(alarm: Alarm): string {
  return '"bound":' + jsonString(alarm.bound) +
    ',"limit":' + jsonNumber(alarm.limit) +
    ',"value":' + jsonNumber(alarm.value) +
    ',"peak":' + jsonNumber(alarm.peak) +
    ',"since":' + alarm.since.toString();
}

function eventsJson(events: AlarmEvent[], device: string): string {
  let json = "[";
  for (let i = 0; i < events.length; i++) {
    if (i > 0) json += ",";
    json += eventJson(events[i], device);
  }
  return json + "]";
}
