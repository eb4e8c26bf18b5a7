// The few wascc:keyvalue calls the aggregator makes, on the binding
// "default": strings with Get, Set and Del, and a set of names.
import { hostCall } from "@wapc/as-guest";
import { MessageReader } from "../../../shared/assembly/msgpack_reader";
import { MessageWriter } from "../../../shared/assembly/msgpack_writer";

/** A reply: `error` is empty when the call succeeded. */
export class StoreReply {
  error: string = "";
  value: string = "";
  exists: bool = false;
  values: string[] = [];
}

/** Reads a string key; `exists` says whether it is set. */
export function storeGet(key: string): StoreReply {
  const writer = new MessageWriter().map(1);
  writer.string("key").string(key);
  return call("Get", writer);
}

/** Sets a string key, without expiry. */
export function storeSet(key: string, value: string): StoreReply {
  const writer = new MessageWriter().map(2);
  writer.string("key").string(key);
  writer.string("value").string(value);
  return call("Set", writer);
}

/** Removes a key. */
export function storeDelete(key: string): StoreReply {
  const writer = new MessageWriter().map(1);
  writer.string("key").string(key);
  return call("Del", writer);
}

/** Adds `member` to the set `key`. */
export function storeSetAdd(key: string, member: string): StoreReply {
  return setCall("SetAdd", key, member);
}

/** Removes `member` from the set `key`. */
export function storeSetRemove(key: string, member: string): StoreReply {
  return setCall("SetRemove", key, member);
}

/** The members of the set `key`, in `values`. */
export function storeSetMembers(key: string): StoreReply {
  const writer = new MessageWriter().map(1);
  writer.string("key").string(key);
  return call("SetQuery", writer);
}

function setCall(operation: string, key: string, member: string): StoreReply {
  const writer = new MessageWriter().map(2);
  writer.string("key").string(key);
  writer.string("value").string(member);
  return call(operation, writer);
}

function call(operation: string, request: MessageWriter): StoreReply {
  const reply = new StoreReply();
  const result = hostCall(
    "default",
    "wascc:keyvalue",
    operation,
    request.toArrayBuffer(),
  );
  if (!result.isOk) {
    reply.error = result.error()!.message;
    return reply;
  }
  readReply(new MessageReader(result.get()), reply);
  return reply;
}

// Every reply is a map; the fields are those of Get ({value, exists}) and
// SetQuery ({values}), the others are skipped.
function readReply(reader: MessageReader, reply: StoreReply): void {
  const fields = reader.mapSize();
  for (let i: u32 = 0; i < fields && reader.error == null; i++) {
    const key = reader.string();
    if (key == "value") reply.value = reader.string();
    else if (key == "exists") reply.exists = reader.boolean();
    else if (key == "values") reply.values = readStrings(reader);
    else reader.skip();
  }
  const failure = reader.error;
  if (failure != null) reply.error = "cannot decode the reply: " + failure;
}

function readStrings(reader: MessageReader): string[] {
  const strings: string[] = [];
  const count = reader.arraySize();
  for (let i: u32 = 0; i < count && reader.error == null; i++) {
    strings.push(reader.string());
  }
  return strings;
}
