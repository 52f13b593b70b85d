import { test as it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { FaultlineError } from '../../src/errors.js';
import { WireReader } from '../../src/otlp/wire-reader.js';
import { decodeTracesProtobuf } from '../../src/otlp/protobuf/decode-traces.js';

function int64Bytes(value: string): Uint8Array {
  return protobuf.Writer.create().int64(value).finish();
}

it('reads int64 varints as numbers when safe and as exact bigints beyond 2^53', () => {
  const cases: [string, number | bigint][] = [
    ['0', 0],
    ['1', 1],
    ['-1', -1],
    ['300', 300],
    ['9007199254740991', 9007199254740991],
    ['9007199254740992', 9007199254740992n],
    ['-9007199254740991', -9007199254740991],
    ['-9007199254740993', -9007199254740993n],
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
  ];
  for (const [text, expected] of cases) {
    const reader = new WireReader(int64Bytes(text));
    assert.equal(reader.int64(), expected, text);
    assert.equal(reader.pos, reader.length);
  }
});

it('reads uint32 varints, including ten-byte negative enums as their low 32 bits', () => {
  const bytes = protobuf.Writer.create().uint32(0).uint32(127).uint32(128).uint32(0xffffffff).int32(-1).finish();
  const reader = new WireReader(bytes);
  assert.deepEqual([reader.uint32(), reader.uint32(), reader.uint32(), reader.uint32(), reader.uint32() | 0], [0, 127, 128, 0xffffffff, -1]);
});

it('reads fixed64 as bigint, doubles, fixed32 and strings of any length and script', () => {
  const long = 'é'.repeat(50) + 'x'.repeat(100);
  const bytes = protobuf.Writer.create().fixed64('18446744073709551615').double(0.1).fixed32(0xfeedface).string('ascii').string('日本').string(long).finish();
  for (const input of [bytes, Buffer.from(bytes)]) {
    const reader = new WireReader(input);
    assert.equal(reader.fixed64(), 18446744073709551615n);
    assert.equal(reader.double(), 0.1);
    assert.equal(reader.fixed32(), 0xfeedface);
    assert.equal(reader.string(reader.length), 'ascii');
    assert.equal(reader.string(reader.length), '日本');
    assert.equal(reader.string(reader.length), long);
  }
});

it('refuses strings that are not valid UTF-8, as proto3 requires, short or long, read as strings or as names', () => {
  const invalid: [string, number[]][] = [
    ['a stray continuation byte', [0x80]],
    ['a byte that never occurs in UTF-8', [0xff]],
    ['a lead byte without its continuation', [0xc3, 0x28]],
    ['a sequence cut short', [0xe2, 0x82]],
    ['an encoded UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['an overlong encoding', [0xc0, 0x80]],
    ['a bad byte after 100 ASCII ones', [...Buffer.from('x'.repeat(100)), 0xff]],
    ['a bad byte after 40 two-byte characters', [...Buffer.from('é'.repeat(40)), 0xc3]],
  ];
  for (const [name, bytes] of invalid) {
    const field = Uint8Array.from([0x00, bytes.length, ...bytes]);
    for (const input of [field, Buffer.from(field)]) {
      for (const read of ['string', 'name'] as const) {
        const reader = new WireReader(input);
        reader.pos = 1;
        assert.throws(
          () => reader[read](reader.length),
          (e: unknown) => e instanceof FaultlineError && e.code === 'FL_DECODE' && e.message === 'string at offset 2 is not valid UTF-8',
          `${name}, read as a ${read} from a ${input instanceof Buffer ? 'Buffer' : 'Uint8Array'}`,
        );
      }
    }
  }
});

it('names the offset when a value is truncated', () => {
  const reader = new WireReader(Uint8Array.from([1, 2, 3]));
  reader.pos = 1;
  assert.throws(() => reader.fixed64(), (e: unknown) => e instanceof FaultlineError && e.message === 'truncated fixed64 at offset 1');
  assert.throws(() => new WireReader(Uint8Array.from([0x80, 0x80])).uint32(), /truncated varint at offset 0/);
  assert.throws(() => new WireReader(Uint8Array.from(new Array(11).fill(0xff))).int64(), /varint longer than 10 bytes/);
  assert.throws(() => new WireReader(Uint8Array.from([0x05, 0x61])).string(2), /length 5 at offset 0 runs past the end/);
});

it('refuses field number 0 and wire types 6 and 7', () => {
  assert.throws(() => decodeTracesProtobuf(Uint8Array.from([0x00])), /invalid field number 0 at offset 0/);
  assert.throws(() => decodeTracesProtobuf(Uint8Array.from([0x0e])), /invalid wire type 6 at offset 0/);
  assert.throws(() => decodeTracesProtobuf(Uint8Array.from([0x0f])), /invalid wire type 7 at offset 0/);
});

it('refuses AnyValue nested thousands deep as a decode error, not a stack overflow', () => {
  // AnyValue{array_value: ArrayValue{values: AnyValue{…}}} 5000 times, built inside out in O(n).
  const depth = 5000;
  const prefixes: number[][] = [];
  let size = 3; // the innermost AnyValue: string_value "a"
  for (let i = 0; i < depth; i++) {
    const arrayValue = [0x0a, ...varint(size)];
    const anyValue = [0x2a, ...varint(size + arrayValue.length)];
    prefixes.push([...anyValue, ...arrayValue]);
    size += arrayValue.length + anyValue.length;
  }
  const value = [...prefixes.reverse().flat(), 0x0a, 0x01, 0x61];
  const keyValue = [0x0a, 0x01, 0x6b, 0x12, ...varint(value.length), ...value];
  const spanBytes = [0x4a, ...varint(keyValue.length), ...keyValue];
  const scope = [0x12, ...varint(spanBytes.length), ...spanBytes];
  const resource = [0x12, ...varint(scope.length), ...scope];
  const request = Uint8Array.from([0x0a, ...varint(resource.length), ...resource]);
  assert.throws(
    () => decodeTracesProtobuf(request),
    (e: unknown) => e instanceof FaultlineError && e.code === 'FL_DECODE' && /nested deeper than 32/.test(e.message),
  );
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
