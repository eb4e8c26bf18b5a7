// HTML text for the pages the example actors serve.

/** `text` with the characters HTML gives a meaning escaped. */
export function htmlText(text: string): string {
  let escaped = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let entity = "";
    if (code == 0x26) entity = "&amp;";
    else if (code == 0x3c) entity = "&lt;";
    else if (code == 0x3e) entity = "&gt;";
    else if (code == 0x22) entity = "&quot;";
    else if (code == 0x27) entity = "&#39;";
    else continue;
    escaped += text.substring(start, i) + entity;
    start = i + 1;
  }
  return escaped + text.substring(start);
}
