// Alarm limits per kind of reading, and their JSON form
// {"low": number | null, "high": number | null}: a reading below `low` or
// above `high` raises an alarm; null (or a missing key) is no limit.
import { jsonNumber, jsonString } from "../../../shared/assembly/json";

/** The limits of one kind; NaN is no limit. */
export class Threshold {
  constructor(
    public kind: string,
    public low: f64 = NaN,
    public high: f64 = NaN,
  ) {}

  /** "high", "low", or "" when `value` is within the limits. */
  breach(value: f64): string {
    if (!isNaN(this.high) && value > this.high) return "high";
    if (!isNaN(this.low) && value < this.low) return "low";
    return "";
  }

  /** The limit a breach in direction `bound` crossed. */
  limit(bound: string): f64 {
    return bound == "high" ? this.high : this.low;
  }

  /** `{"low":…,"high":…}`, as exact as the store needs it. */
  toJson(): string {
    return '{"low":' + jsonNumber(this.low, 9) + ',"high":' +
      jsonNumber(this.high, 9) + "}";
  }

  /** `{"kind":…,"low":…,"high":…}` */
  toJsonWithKind(): string {
    return '{"kind":' + jsonString(this.kind) + "," + this.toJson().slice(1);
  }
}

/** The limits an actor starts with, before any is changed. */
export function defaultThresholds(): Threshold[] {
  return [
    new Threshold("temperature", 0, 30),
    new Threshold("humidity", NaN, 85),
  ];
}

/** A parsed threshold, or why the text is not one. */
export class ParsedThreshold {
  threshold: Threshold | null = null;
  error: string = "";
}

/** Reads `{"low": …, "high": …}`; other keys and values are refused. */
export function parseThreshold(kind: string, text: string): ParsedThreshold {
  const parsed = new ParsedThreshold();
  const cursor = new Cursor(text);
  const threshold = new Threshold(kind);
  cursor.expect(0x7b); // {
  let more = !cursor.take(0x7d); // }
  while (more && cursor.error == "") {
    const key = cursor.key();
    cursor.expect(0x3a); // :
    const value = cursor.numberOrNull();
    if (key == "low") threshold.low = value;
    else if (key == "high") threshold.high = value;
    else cursor.fail('unknown key "' + key + '"; expected "low" or "high"');
    more = cursor.take(0x2c); // ,
    if (!more) cursor.expect(0x7d);
  }
  cursor.end();
  if (cursor.error == "" && threshold.low >= threshold.high) {
    cursor.fail('"low" must be below "high"');
  }
  if (cursor.error != "") parsed.error = cursor.error;
  else parsed.threshold = threshold;
  return parsed;
}

// A reader for the one flat JSON object a threshold is.
class Cursor {
  error: string = "";
  private at: i32 = 0;

  constructor(private text: string) {}

  take(code: i32): bool {
    this.space();
    if (this.error != "" || this.at >= this.text.length) return false;
    if (this.text.charCodeAt(this.at) != code) return false;
    this.at++;
    return true;
  }

  expect(code: i32): void {
    if (!this.take(code)) {
      const expected = jsonString(String.fromCharCode(code));
      this.fail("expected " + expected + this.where());
    }
  }

  key(): string {
    this.expect(0x22);
    const start = this.at;
    while (this.error == "" && this.at < this.text.length) {
      const code = this.text.charCodeAt(this.at);
      if (code == 0x22) break;
      if (code == 0x5c || code < 0x20) {
        this.fail("unexpected character in a key");
      }
      this.at++;
    }
    const key = this.text.substring(start, this.at);
    this.expect(0x22);
    return key;
  }

  // A JSON number, or null as NaN.
  numberOrNull(): f64 {
    if (this.error != "") return NaN;
    this.space();
    if (this.text.substr(this.at, 4) == "null") {
      this.at += 4;
      return NaN;
    }
    const start = this.at;
    this.skipIf(0x2d); // -
    if (!this.skipIf(0x30)) this.digits(); // 0, or 1-9 digits
    if (this.skipIf(0x2e)) this.digits(); // .
    if (this.skipIf(0x65) || this.skipIf(0x45)) { // e E
      if (!this.skipIf(0x2b)) this.skipIf(0x2d);
      this.digits();
    }
    if (this.error != "") {
      this.error = "expected a number or null" + this.whereAt(start);
      return NaN;
    }
    const value = parseFloat(this.text.substring(start, this.at));
    if (!isFinite(value)) this.fail("the number is too large");
    return value;
  }

  end(): void {
    this.space();
    if (this.error == "" && this.at < this.text.length) {
      this.fail("unexpected text after the object" + this.where());
    }
  }

  fail(message: string): void {
    if (this.error == "") this.error = message;
  }

  private digits(): void {
    const start = this.at;
    while (isDigit(this.code())) this.at++;
    if (this.at == start) this.fail("expected a digit");
  }

  // The code at the cursor, or -1 at the end.
  private code(): i32 {
    return this.at < this.text.length ? this.text.charCodeAt(this.at) : -1;
  }

  private skipIf(code: i32): bool {
    if (this.code() == code) {
      this.at++;
      return true;
    }
    return false;
  }

  private space(): void {
    while (isSpace(this.code())) this.at++;
  }

  private where(): string {
    return this.whereAt(this.at);
  }

  private whereAt(at: i32): string {
    return " at character " + (at + 1).toString();
  }
}

function isDigit(code: i32): bool {
  return code >= 0x30 && code <= 0x39;
}

function isSpace(code: i32): bool {
  return code == 0x20 || code == 0x09 || code == 0x0a || code == 0x0d;
}
