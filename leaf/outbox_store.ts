/**
 * The outbox's SQLite file (`node:sqlite`): one row per message in
 * outbox order, persisted counters and a few facts about the outbox.
 * WAL mode and exclusive locking: one process owns an outbox at a time,
 * and a commit survives a crash of that process.
 *
 * Sequence numbers are never reused (the table is AUTOINCREMENT), so the
 * id `<outbox id>-<seq>` of a message is unique for the life of the file.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import {
  isLocked,
  type OutboxDatabaseInit,
  prepareDatabase,
} from "./outbox_database.ts";

const STATEMENTS = {
  insert: "INSERT INTO messages (seq, msg_id, subject, headers, payload, " +
    "size, enqueued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  sizes: "SELECT seq, size, enqueued_at FROM messages WHERE seq > ? " +
    "ORDER BY seq LIMIT ?",
  load: "SELECT seq, msg_id, subject, headers, payload, size FROM messages " +
    "WHERE seq > ? AND seq <= ? ORDER BY seq",
  removeRange: "DELETE FROM messages WHERE seq > ? AND seq <= ?",
  tally: "SELECT count(*) AS count, total(size) AS bytes FROM messages " +
    "WHERE seq <= ?",
  head: "SELECT enqueued_at FROM messages ORDER BY seq LIMIT 1",
  shift: "UPDATE messages SET enqueued_at = min(?, enqueued_at + ?) " +
    "WHERE seq >= ?",
  count: "UPDATE counters SET value = value + ? WHERE name = ?",
  setFact: "REPLACE INTO facts (name, value) VALUES (?, ?)",
};

type Statements = Record<keyof typeof STATEMENTS, StatementSync>;

/** Rows looked at per query when walking the outbox from its oldest. */
const PAGE_ROWS = 256;

/** The persisted counters. */
export interface OutboxCounters {
  sent: number;
  rejected: number;
  dropped_oldest: number;
  expired: number;
}

/** A message about to be stored. */
export interface NewMessage {
  /** The id the publisher chose (a `Nats-Msg-Id` header), if any. */
  id?: string;
  subject: string;
  /** Headers as JSON, or null. */
  headersText: string | null;
  payload: Uint8Array;
  /** Bytes counted against the bound: payload, subject and headers. */
  size: number;
}

/** A stored message, as the drain reads it. */
export interface StoredMessage {
  seq: number;
  id: string;
  subject: string;
  headersText: string | null;
  payload: Uint8Array;
  /** Bytes counted against the bound. */
  size: number;
}

/** Messages removed by one call, and their bytes. */
export interface Removed {
  count: number;
  bytes: number;
}

/** The outbox's SQLite file and running tallies of what it holds. */
export class OutboxStore {
  /** Random id of this outbox, the first part of message ids. */
  readonly id: string;
  /** The first sequence number given by this process. */
  readonly firstSeqOfRun: number;
  /** The clock floor persisted by an earlier process (0 when new). */
  readonly savedFloor: number;
  #db: DatabaseSync;
  #sql: Statements;
  #depth = 0;
  #bytes = 0;
  #nextSeq: number;
  #counters: OutboxCounters;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#sql = Object.fromEntries(
      Object.entries(STATEMENTS).map(([name, sql]) => [name, db.prepare(sql)]),
    ) as Statements;
    const facts = new Map(
      db.prepare("SELECT name, value FROM facts").all().map((row) => [
        row.name,
        row.value,
      ]),
    );
    this.id = String(facts.get("outbox_id"));
    this.savedFloor = Number(facts.get("clock_floor") ?? 0);
    const highest = db.prepare(
      "SELECT seq FROM sqlite_sequence WHERE name = 'messages'",
    ).get()?.seq;
    this.#nextSeq = Number(highest ?? 0) + 1;
    this.firstSeqOfRun = this.#nextSeq;
    const totals = db.prepare(
      "SELECT count(*) AS count, total(size) AS bytes FROM messages",
    ).get()!;
    this.#depth = Number(totals.count);
    this.#bytes = Number(totals.bytes);
    this.#counters = Object.fromEntries(
      db.prepare("SELECT name, value FROM counters").all().map((row) => [
        row.name,
        Number(row.value),
      ]),
    ) as unknown as OutboxCounters;
  }

  /**
   * Opens (and creates, when missing) the outbox at `path`. Throws an
   * Error naming the path when the file cannot be opened, is locked by
   * another process or was written by a newer version.
   */
  static open(path: string, init: OutboxDatabaseInit): OutboxStore {
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(path);
      prepareDatabase(db, init);
      return new OutboxStore(db);
    } catch (error) {
      db?.close();
      const locked = isLocked(error)
        ? " (is another process using this outbox?)"
        : "";
      throw new Error(
        `Cannot open outbox "${path}": ${reasonOf(error)}${locked}`,
        { cause: error },
      );
    }
  }

  /** Messages stored, confirmed ones not yet removed included. */
  get depth(): number {
    return this.#depth;
  }

  /** Bytes of the messages stored, as the bound counts them. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The persisted counters, as of the last commit. */
  get counters(): Readonly<OutboxCounters> {
    return this.#counters;
  }

  /**
   * Runs `work` in one transaction. When it throws, the transaction is
   * rolled back, tallies are restored and the error is rethrown.
   */
  transaction<T>(work: () => T): T {
    const saved = {
      depth: this.#depth,
      bytes: this.#bytes,
      counters: { ...this.#counters },
    };
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      this.#depth = saved.depth;
      this.#bytes = saved.bytes;
      this.#counters = saved.counters;
      throw error;
    }
  }

  /** Stores a message stamped `stamp`; returns its sequence number. */
  insert(message: NewMessage, stamp: number): number {
    const seq = this.#nextSeq++;
    const id = message.id ?? `${this.id}-${seq}`;
    this.#sql.insert.run(
      seq,
      id,
      message.subject,
      message.headersText,
      message.payload,
      message.size,
      stamp,
    );
    this.#depth++;
    this.#bytes += message.size;
    return seq;
  }

  /**
   * Removes the oldest messages after `afterSeq` until `bytes` are freed
   * (or none is left).
   */
  removeOldest(bytes: number, afterSeq: number): Removed {
    return this.#removePrefix(afterSeq, (freed) => freed >= bytes);
  }

  /** Removes the messages after `afterSeq` stamped before `cutoff`. */
  removeExpired(cutoff: number, afterSeq: number): Removed {
    return this.#removePrefix(afterSeq, (_, stamp) => stamp >= cutoff);
  }

  /** Removes every message up to `seq` (they were confirmed). */
  removeThrough(seq: number): Removed {
    const tally = this.#sql.tally.get(seq)!;
    const removed = { count: Number(tally.count), bytes: Number(tally.bytes) };
    if (removed.count > 0) this.#sql.removeRange.run(0, seq);
    this.#depth -= removed.count;
    this.#bytes -= removed.bytes;
    return removed;
  }

  /**
   * Reads the messages after `afterSeq`, oldest first: at most `count`,
   * and no more than `bytes` of them unless the first alone is bigger.
   */
  load(afterSeq: number, count: number, bytes: number): StoredMessage[] {
    let last = afterSeq;
    let total = 0;
    for (const row of this.#sql.sizes.all(afterSeq, count)) {
      total += Number(row.size);
      if (total > bytes && last > afterSeq) break;
      last = Number(row.seq);
    }
    if (last === afterSeq) return [];
    return this.#sql.load.all(afterSeq, last).map((row) => ({
      seq: Number(row.seq),
      id: String(row.msg_id),
      subject: String(row.subject),
      headersText: row.headers === null ? null : String(row.headers),
      payload: row.payload as Uint8Array,
      size: Number(row.size),
    }));
  }

  /** The stamp of the oldest message, if any. */
  headStamp(): number | undefined {
    const row = this.#sql.head.get();
    return row === undefined ? undefined : Number(row.enqueued_at);
  }

  /** Moves stamps from `fromSeq` on by `stepMs`, none past `cap`. */
  shiftStamps(fromSeq: number, stepMs: number, cap: number): void {
    this.#sql.shift.run(cap, stepMs, fromSeq);
  }

  /** Adds to a persisted counter; call inside a transaction. */
  count(name: keyof OutboxCounters, delta: number): void {
    if (delta === 0) return;
    this.#sql.count.run(delta, name);
    this.#counters[name] += delta;
  }

  /** Persists the latest stamp given. */
  saveFloor(floor: number): void {
    this.#sql.setFact.run("clock_floor", floor);
  }

  /** Closes the file. Idempotent. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  // Walks from the oldest message after `afterSeq` and removes every one
  // before the first that `stop` holds for.
  #removePrefix(
    afterSeq: number,
    stop: (freed: number, stamp: number) => boolean,
  ): Removed {
    const removed = { count: 0, bytes: 0 };
    let last = afterSeq;
    walk: while (true) {
      const rows = this.#sql.sizes.all(last, PAGE_ROWS);
      for (const row of rows) {
        if (stop(removed.bytes, Number(row.enqueued_at))) break walk;
        removed.count++;
        removed.bytes += Number(row.size);
        last = Number(row.seq);
      }
      if (rows.length < PAGE_ROWS) break;
    }
    if (removed.count > 0) this.#sql.removeRange.run(afterSeq, last);
    this.#depth -= removed.count;
    this.#bytes -= removed.bytes;
    return removed;
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
