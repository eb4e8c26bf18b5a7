// JSON text for the few values the example actors answer with.

const HEX = "0123456789abcdef";

/** `text` as a JSON string literal, quotes included. */
export function jsonString(text: string): string {
  let quoted = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code != 0x22 && code != 0x5c) continue;
    quoted += text.substring(start, i);
    if (code == 0x22) quoted += '\\"';
    else if (code == 0x5c) quoted += "\\\\";
    else quoted += "\\u00" + HEX.charAt(code >> 4) + HEX.charAt(code & 15);
    start = i + 1;
  }
  return quoted + text.substring(start) + '"';
}

/**
 * `value` as a JSON number rounded to `decimals` places (at most 9), or
 * `null` when it is NaN or infinite, which JSON cannot write.
 */
export function jsonNumber(value: f64, decimals: i32 = 3): string {
  if (!isFinite(value)) return "null";
  const scale = Math.pow(10, <f64> min(max(decimals, 0), 9));
  const rounded = Math.round(value * scale) / scale;
  if (Math.abs(rounded) < 9007199254740992 && rounded == Math.floor(rounded)) {
    return (<i64> rounded).toString();
  }
  return rounded.toString();
}
