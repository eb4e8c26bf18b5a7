/**
 * Errors callers act on. Everything else is a built-in error type chosen
 * by meaning.
 *
 * @module
 */

/** An invocation ran past its deadline; the instance was replaced. */
export class DeadlineExceededError extends Error {
  /** Always `"DeadlineExceededError"`. */
  override name = "DeadlineExceededError";
  /** Names the invocation's target and the deadline it ran past. */
  constructor(
    readonly target: string,
    readonly deadlineMs: number,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot finish invocation of "${target}": deadline of ${deadlineMs} ms exceeded`,
      options,
    );
  }
}

/** An actor's queue is full; the caller should retry later. */
export class ActorBusyError extends Error {
  /** Always `"ActorBusyError"`. */
  override name = "ActorBusyError";
  /** Names the actor (public key) whose queue is full. */
  constructor(readonly actor: string, options?: ErrorOptions) {
    super(`Cannot invoke actor "${actor}": actor busy`, options);
  }
}

/** A guest called a namespace its claims do not list. */
export class PermissionDeniedError extends Error {
  /** Always `"PermissionDeniedError"`. */
  override name = "PermissionDeniedError";
  /** Names the calling actor and the namespace it may not call. */
  constructor(
    readonly actor: string,
    readonly namespace: string,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot call "${namespace}" from actor "${actor}": capability not in its claims`,
      options,
    );
  }
}

/** A guest trapped (unreachable, out of bounds, stack overflow…). */
export class GuestTrapError extends Error {
  override name = "GuestTrapError";
  constructor(
    readonly actor: string,
    readonly operation: string,
    readonly trap: string,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot finish "${operation}" on actor "${actor}": guest trapped: ${trap}`,
      options,
    );
  }
}

/** A live update failed; the previous module keeps serving. */
export class UpdateRolledBackError extends Error {
  override name = "UpdateRolledBackError";
  constructor(
    readonly actor: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot update actor "${actor}": ${reason}; the previous module keeps serving`,
      options,
    );
  }
}
