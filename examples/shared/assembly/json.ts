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
