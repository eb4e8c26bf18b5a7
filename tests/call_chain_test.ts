import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  CALL_CHAIN_HEADER,
  chainHeaders,
  readChain,
} from "../runtime/call_chain.ts";

const test = suite("call chain header");
const key = (letter: string) => "M" + letter.repeat(55);

test("carries a chain and reads it back in order", () => {
  const chain = [key("A"), key("B")];
  const headers = chainHeaders(chain)!;
  const received = { [CALL_CHAIN_HEADER]: [headers[CALL_CHAIN_HEADER]] };
  assert.equal(readChain(received as never), chain);
  assert.is(chainHeaders([]), undefined);
  assert.equal(readChain(undefined), []);
});

test("keeps only module keys and at most the innermost 64", () => {
  const garbage = {
    [CALL_CHAIN_HEADER]: [`${key("A")}, nonsense,N${"B".repeat(55)}`, key("C")],
  };
  assert.equal(readChain(garbage), [key("A"), key("C")]);
  const long = Array.from({ length: 100 }, () => key("D"));
  long.push(key("E"));
  const read = readChain({ [CALL_CHAIN_HEADER]: [long.join(",")] });
  assert.is(read.length, 64);
  assert.is(read[63], key("E"));
});

test.run();
