import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import {
  Harness,
  OTHER_ACTOR,
  refuses,
  type StoreKind,
} from "./keyvalue_harness.ts";

function storeSuite(kind: StoreKind) {
  const test = suite<{ kv: Harness }>(`KeyValueProvider (${kind} store)`);
  test.before.each(async (context) => {
    context.kv = await Harness.start(kind);
  });
  test.after.each(async ({ kv }) => await kv.stop());

  test("reads an absent key as empty and a set key with its value", async ({ kv }) => {
    assert.equal(await kv.call("Get", { key: "k" }), {
      value: "",
      exists: false,
    });
    assert.equal(await kv.call("Set", { key: "k", value: "v", expires: 0 }), {
      value: "v",
    });
    assert.equal(await kv.call("Get", { key: "k" }), {
      value: "v",
      exists: true,
    });
  });

  test("adds to an integer value, starting an absent key at 0", async ({ kv }) => {
    assert.equal(await kv.call("Add", { key: "n", value: 5 }), { value: 5 });
    assert.equal(await kv.call("Add", { key: "n", value: -7 }), { value: -2 });
    assert.equal(await kv.call("Get", { key: "n" }), {
      value: "-2",
      exists: true,
    });
  });

  test("refuses to add to a non-integer or past 32 bits", async ({ kv }) => {
    await kv.call("Set", { key: "s", value: "abc" });
    await refuses(
      kv.call("Add", { key: "s", value: 1 }),
      TypeError,
      /^Cannot perform "Add": key "s" holds "abc", which is not an integer$/,
    );
    await kv.call("Set", { key: "big", value: "2147483647" });
    await refuses(
      kv.call("Add", { key: "big", value: 1 }),
      RangeError,
      /"Add".*outside the 32-bit range/,
    );
    assert.equal(await kv.call("Get", { key: "big" }), {
      value: "2147483647",
      exists: true,
    });
  });

  test("deletes and clears keys of every type", async ({ kv }) => {
    await kv.call("Set", { key: "s", value: "1" });
    await kv.call("Push", { key: "l", value: "a" });
    await kv.call("SetAdd", { key: "t", value: "a" });
    for (
      const [operation, key] of [["Del", "s"], ["Clear", "l"], ["Del", "t"]]
    ) {
      assert.equal(await kv.call("KeyExists", { key }), {
        value: "",
        exists: true,
      });
      assert.equal(await kv.call(operation, { key }), { key });
      assert.equal(await kv.call("KeyExists", { key }), {
        value: "",
        exists: false,
      });
    }
    assert.equal(await kv.call("Del", { key: "never" }), { key: "never" });
  });

  test("appends to a list and reads inclusive, negative ranges", async ({ kv }) => {
    for (const [index, value] of ["a", "b", "c", "d"].entries()) {
      assert.equal(await kv.call("Push", { key: "l", value }), {
        newCount: index + 1,
      });
    }
    const range = async (start: number, stop: number) =>
      (await kv.call("Range", { key: "l", start, stop }) as {
        values: string[];
      }).values;
    assert.equal(await range(0, -1), ["a", "b", "c", "d"]);
    assert.equal(await range(1, 2), ["b", "c"]);
    assert.equal(await range(-2, -1), ["c", "d"]);
    assert.equal(await range(-100, 1), ["a", "b"]);
    assert.equal(await range(2, 100), ["c", "d"]);
    assert.equal(await range(3, 1), []);
    assert.equal(await range(4, 9), []);
    assert.equal(await kv.call("Range", { key: "none", start: 0, stop: -1 }), {
      values: [],
    });
  });

  test("removes every occurrence of a list item and drops an emptied list", async ({ kv }) => {
    for (const value of ["x", "y", "x", "z", "x"]) {
      await kv.call("Push", { key: "l", value });
    }
    assert.equal(await kv.call("ListItemDelete", { key: "l", value: "x" }), {
      newCount: 2,
    });
    assert.equal(await kv.call("Range", { key: "l", start: 0, stop: -1 }), {
      values: ["y", "z"],
    });
    assert.equal(await kv.call("Push", { key: "l", value: "w" }), {
      newCount: 3,
    });
    await kv.call("ListItemDelete", { key: "l", value: "y" });
    await kv.call("ListItemDelete", { key: "l", value: "z" });
    assert.equal(await kv.call("ListItemDelete", { key: "l", value: "w" }), {
      newCount: 0,
    });
    assert.equal(await kv.call("KeyExists", { key: "l" }), {
      value: "",
      exists: false,
    });
  });

  test("counts set members once and drops an emptied set", async ({ kv }) => {
    assert.equal(await kv.call("SetAdd", { key: "s", value: "a" }), {
      newCount: 1,
    });
    assert.equal(await kv.call("SetAdd", { key: "s", value: "b" }), {
      newCount: 2,
    });
    assert.equal(await kv.call("SetAdd", { key: "s", value: "a" }), {
      newCount: 2,
    });
    assert.equal(await kv.call("SetQuery", { key: "s" }), {
      values: ["a", "b"],
    });
    assert.equal(await kv.call("SetRemove", { key: "s", value: "zz" }), {
      newCount: 2,
    });
    assert.equal(await kv.call("SetRemove", { key: "s", value: "a" }), {
      newCount: 1,
    });
    assert.equal(await kv.call("SetRemove", { key: "s", value: "b" }), {
      newCount: 0,
    });
    assert.equal(await kv.call("KeyExists", { key: "s" }), {
      value: "",
      exists: false,
    });
    assert.equal(await kv.call("SetQuery", { key: "s" }), { values: [] });
  });

  test("unites and intersects sets", async ({ kv }) => {
    for (const value of ["a", "b", "c"]) {
      await kv.call("SetAdd", { key: "s1", value });
    }
    for (const value of ["b", "c", "d"]) {
      await kv.call("SetAdd", { key: "s2", value });
    }
    const union = await kv.call("SetUnion", { keys: ["s1", "s2"] }) as {
      values: string[];
    };
    assert.equal(union.values.toSorted(), ["a", "b", "c", "d"]);
    const both = await kv.call("SetIntersection", { keys: ["s1", "s2"] }) as {
      values: string[];
    };
    assert.equal(both.values.toSorted(), ["b", "c"]);
    assert.equal(await kv.call("SetIntersection", { keys: ["s1", "none"] }), {
      values: [],
    });
    assert.equal(await kv.call("SetUnion", { keys: [] }), { values: [] });
  });

  test("names the operation, key and held type on a wrong-type call", async ({ kv }) => {
    await kv.call("Set", { key: "str", value: "v" });
    await kv.call("Push", { key: "list", value: "v" });
    await kv.call("SetAdd", { key: "set", value: "v" });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        "Push",
        { key: "str", value: "x" },
        /^Cannot perform "Push": key "str" holds a string, not a list$/,
      ],
      [
        "Get",
        { key: "list" },
        /^Cannot perform "Get": key "list" holds a list, not a string$/,
      ],
      ["Add", { key: "set", value: 1 }, /"Add": key "set" holds a set/],
      [
        "Range",
        { key: "set", start: 0, stop: 1 },
        /"Range": key "set" holds a set/,
      ],
      [
        "SetAdd",
        { key: "list", value: "x" },
        /"SetAdd": key "list" holds a list/,
      ],
      [
        "SetUnion",
        { keys: ["set", "str"] },
        /"SetUnion": key "str" holds a string/,
      ],
      [
        "ListItemDelete",
        { key: "set", value: "v" },
        /"ListItemDelete": key "set" holds a set/,
      ],
    ];
    for (const [operation, request, pattern] of cases) {
      await refuses(kv.call(operation, request), TypeError, pattern);
    }
    assert.equal(await kv.call("Range", { key: "list", start: 0, stop: -1 }), {
      values: ["v"],
    });
  });

  test("lets Set replace a list or a set with a string", async ({ kv }) => {
    await kv.call("Push", { key: "l", value: "a" });
    await kv.call("SetAdd", { key: "s", value: "a" });
    await kv.call("Set", { key: "l", value: "now a string" });
    await kv.call("Set", { key: "s", value: "so am I" });
    assert.equal(await kv.call("Get", { key: "l" }), {
      value: "now a string",
      exists: true,
    });
    await kv.call("Del", { key: "s" });
    assert.equal(await kv.call("SetAdd", { key: "s", value: "b" }), {
      newCount: 1,
    });
    assert.equal(await kv.call("SetQuery", { key: "s" }), { values: ["b"] });
  });

  test("reads an expired key as absent everywhere", async ({ kv }) => {
    await kv.call("Set", { key: "e", value: "5", expires: 10 });
    kv.clockMs += 9_999;
    assert.equal(await kv.call("Get", { key: "e" }), {
      value: "5",
      exists: true,
    });
    assert.equal(await kv.call("Add", { key: "e", value: 1 }), { value: 6 });
    kv.clockMs += 1;
    assert.equal(await kv.call("Get", { key: "e" }), {
      value: "",
      exists: false,
    });
    assert.equal(await kv.call("KeyExists", { key: "e" }), {
      value: "",
      exists: false,
    });

    await kv.call("Set", { key: "e", value: "x", expires: 1 });
    kv.clockMs += 1_000;
    assert.equal(await kv.call("Push", { key: "e", value: "a" }), {
      newCount: 1,
    });
    await kv.call("Set", { key: "n", value: "7", expires: 1 });
    kv.clockMs += 1_000;
    assert.equal(await kv.call("Add", { key: "n", value: 2 }), { value: 2 });
    kv.clockMs += 1_000_000;
    assert.equal(await kv.call("Get", { key: "n" }), {
      value: "2",
      exists: true,
    });
  });

  test("shares keys between the actors bound to one provider", async ({ kv }) => {
    await kv.bind(OTHER_ACTOR);
    await kv.call("Set", { key: "shared", value: "hi" });
    assert.equal(await kv.call("Get", { key: "shared" }, OTHER_ACTOR), {
      value: "hi",
      exists: true,
    });
    await kv.provider.unbind(OTHER_ACTOR);
    await refuses(
      kv.call("Get", { key: "shared" }, OTHER_ACTOR),
      RangeError,
      /^Cannot perform "Get": actor "MACTORTWO" is not bound$/,
    );
  });

  test("accepts array-form structs and a trailing zero byte", async ({ kv }) => {
    await kv.raw("Set", encode(["k", "arr", 0]));
    assert.equal(await kv.call("Get", ["k"]), { value: "arr", exists: true });
    const trailing = new Uint8Array([...encode({ key: "k" }), 0]);
    assert.equal(decode(await kv.raw("Get", trailing)), {
      value: "arr",
      exists: true,
    });
    assert.equal(await kv.call("Push", ["l", "a"]), { newCount: 1 });
    assert.equal(await kv.call("Range", ["l", 0, -1]), { values: ["a"] });
    assert.equal(await kv.call("SetUnion", [["none"]]), { values: [] });
  });

  test("refuses malformed payloads with an error naming the operation", async ({ kv }) => {
    await refuses(
      kv.raw("Get", new Uint8Array()),
      SyntaxError,
      /^Cannot perform "Get": cannot decode payload: payload is empty$/,
    );
    await refuses(
      kv.raw("Set", new Uint8Array([0xc1])),
      SyntaxError,
      /^Cannot perform "Set": cannot decode payload/,
    );
    await refuses(
      kv.call("Get", 42),
      TypeError,
      /^Cannot perform "Get": cannot decode payload: expected a map/,
    );
    await refuses(
      kv.call("Push", { key: "l" }),
      TypeError,
      /^Cannot perform "Push": cannot decode payload: missing field "value"$/,
    );
    await refuses(
      kv.call("Get", { key: 7 }),
      TypeError,
      /"Get": cannot decode field "key": expected a string/,
    );
    await refuses(
      kv.call("Add", { key: "n", value: 2 ** 31 }),
      RangeError,
      /"Add": field "value" is outside the 32-bit range/,
    );
    await refuses(
      kv.call("Set", { key: "k", value: "v", expires: -1 }),
      RangeError,
      /"Set": field "expires" must not be negative/,
    );
    await refuses(
      kv.call("SetUnion", { keys: "s1" }),
      TypeError,
      /"SetUnion": cannot decode field "keys": expected a list/,
    );
    await refuses(
      kv.call("Pop", { key: "l" }),
      RangeError,
      /^Cannot perform "Pop": not an operation of wascc:keyvalue$/,
    );
    assert.equal(await kv.call("KeyExists", { key: "l" }), {
      value: "",
      exists: false,
    });
  });

  test("answers every operation its descriptor lists", async ({ kv }) => {
    const names = kv.provider.descriptor.supportedOperations.map((o) => o.name);
    assert.equal(names.length, 14);
    for (const name of names) {
      await refuses(
        kv.raw(name, new Uint8Array()),
        SyntaxError,
        new RegExp(`^Cannot perform "${name}": cannot decode`),
      );
    }
  });

  test.run();
}

storeSuite("sqlite");
storeSuite("memory");
