/**
 * Subjects as core NATS spells them: tokens separated by `.`; in a
 * subscription, `*` stands for exactly one token and a final `>` for one or
 * more trailing tokens. The rules here are slightly stricter than NATS (a
 * wildcard character must be a whole token), so every subject this module
 * accepts means the same thing on a NATS server.
 *
 * @module
 */

// Whitespace and control characters never belong in a subject.
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[\s\u0000-\u001f\u007f]/;

const DOT = 0x2e;
const SPACE = 0x20;
const DELETE = 0x7f;
const STAR = 0x2a;
const GT = 0x3e;

/**
 * Checks a subject to publish to: non-empty tokens, no whitespace or
 * control characters, no wildcards. Throws a TypeError that starts with
 * `Cannot <action> "<subject>"`.
 */
export function assertSubject(subject: string, action: string): void {
  if (isPlainAsciiSubject(subject)) return;
  for (const token of tokensOf(subject, action)) {
    if (token === "*" || token === ">") {
      throw new TypeError(
        `Cannot ${action} "${subject}": wildcards are only for subscriptions`,
      );
    }
    assertLiteralToken(subject, token, action);
  }
}

/**
 * Checks a subscription subject: like {@link assertSubject}, but `*` may
 * be any token and `>` the last one.
 */
export function assertPattern(pattern: string, action: string): void {
  const tokens = tokensOf(pattern, action);
  tokens.forEach((token, index) => {
    if (token === "*") return;
    if (token === ">") {
      if (index === tokens.length - 1) return;
      throw new TypeError(
        `Cannot ${action} "${pattern}": ">" must be the last token`,
      );
    }
    assertLiteralToken(pattern, token, action);
  });
}

/**
 * Checks a queue group name: non-empty, without whitespace, control
 * characters or wildcards.
 */
export function assertQueueName(queue: string, action: string): void {
  if (queue === "" || FORBIDDEN.test(queue) || /[*>]/.test(queue)) {
    throw new TypeError(
      `Cannot ${action}: queue group "${queue}" is empty or has whitespace ` +
        `or wildcards`,
    );
  }
}

/** Whether a subject contains a `*` or `>` token. */
export function hasWildcard(subject: string): boolean {
  return subject.split(".").some((token) => token === "*" || token === ">");
}

/**
 * Whether a subscription subject, split into tokens, matches a subject to
 * publish to, split into tokens. Both are assumed valid.
 */
export function tokensMatch(
  pattern: readonly string[],
  subject: readonly string[],
): boolean {
  const last = pattern.length - 1;
  if (pattern[last] === ">") {
    if (subject.length <= last) return false;
  } else if (subject.length !== pattern.length) {
    return false;
  }
  for (let index = 0; index < pattern.length; index++) {
    const token = pattern[index];
    if (token === ">") return true;
    if (token !== "*" && token !== subject[index]) return false;
  }
  return true;
}

/** Whether a subscription subject matches a subject to publish to. */
export function subjectMatches(pattern: string, subject: string): boolean {
  return tokensMatch(pattern.split("."), subject.split("."));
}

// The common case, checked without allocating: visible ASCII tokens with
// no wildcard characters. Anything else takes the slower, explaining path.
function isPlainAsciiSubject(subject: string): boolean {
  const length = subject.length;
  if (length === 0) return false;
  let tokenStart = 0;
  for (let index = 0; index < length; index++) {
    const code = subject.charCodeAt(index);
    if (code === DOT) {
      if (index === tokenStart) return false;
      tokenStart = index + 1;
    } else if (
      code <= SPACE || code >= DELETE || code === STAR || code === GT
    ) {
      return false;
    }
  }
  return tokenStart < length;
}

function tokensOf(subject: string, action: string): string[] {
  if (typeof subject !== "string" || subject === "") {
    throw new TypeError(`Cannot ${action} "${subject}": subject is empty`);
  }
  if (FORBIDDEN.test(subject)) {
    throw new TypeError(
      `Cannot ${action} "${subject}": subject has whitespace or control ` +
        `characters`,
    );
  }
  const tokens = subject.split(".");
  if (tokens.includes("")) {
    throw new TypeError(
      `Cannot ${action} "${subject}": subject has an empty token`,
    );
  }
  return tokens;
}

function assertLiteralToken(
  subject: string,
  token: string,
  action: string,
): void {
  if (token.includes("*") || token.includes(">")) {
    throw new TypeError(
      `Cannot ${action} "${subject}": token "${token}" mixes a wildcard ` +
        `with other characters`,
    );
  }
}
