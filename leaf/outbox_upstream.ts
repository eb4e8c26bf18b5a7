/**
 * Which subjects go upstream through the outbox: the patterns given with
 * `--upstream SUBJECT` (repeatable; `*` and `>` allowed).
 *
 * @module
 */
import { assertPattern, tokensMatch } from "../runtime/subjects.ts";

/** A set of subject patterns marked upstream. */
export class UpstreamSubjects {
  readonly #patterns: readonly string[];
  readonly #tokens: readonly string[][];

  /**
   * Checks every pattern; throws a TypeError naming the first invalid
   * one.
   */
  constructor(patterns: readonly string[]) {
    for (const pattern of patterns) assertPattern(pattern, "mark upstream");
    this.#patterns = [...new Set(patterns)];
    this.#tokens = this.#patterns.map((pattern) => pattern.split("."));
  }

  /** The patterns, without repeats. */
  get patterns(): readonly string[] {
    return this.#patterns;
  }

  /** Whether no subject is marked upstream. */
  get empty(): boolean {
    return this.#patterns.length === 0;
  }

  /** Whether a message published to `subject` goes through the outbox. */
  matches(subject: string): boolean {
    if (this.#tokens.length === 0) return false;
    const tokens = subject.split(".");
    return this.#tokens.some((pattern) => tokensMatch(pattern, tokens));
  }
}
