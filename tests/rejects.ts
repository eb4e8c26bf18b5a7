/** Asserts that an async action rejects with a message matching `pattern`. */
export async function rejects(
  action: () => Promise<unknown>,
  pattern: RegExp,
): Promise<Error> {
  try {
    await action();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!pattern.test(message)) {
      throw new Error(
        `Expected a rejection matching ${pattern}, got: ${message}`,
      );
    }
    return error as Error;
  }
  throw new Error(`Expected a rejection matching ${pattern}, got none`);
}
