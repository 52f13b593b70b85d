import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeMessage } from '../../src/group/normalize-message.js';

describe('normalizeMessage', () => {
  it('makes "User 123 not found" and "User 456 not found" one message', () => {
    assert.equal(normalizeMessage('User 123 not found'), 'User <num> not found');
    assert.equal(normalizeMessage('User 456 not found'), normalizeMessage('User 123 not found'));
  });

  const cases: readonly (readonly [string, string, string])[] = [
    ['UUIDs', 'cart 550e8400-e29b-41d4-a716-446655440000 is empty', 'cart <uuid> is empty'],
    ['hex of 8 or more characters, 0x values and durations', 'request 8f3a9b2c41d7 took 5012ms at 0x7ffe75052aea', 'request <hex> took <duration> at <hex>'],
    ['e-mail addresses', 'mail to ada@example.com bounced', 'mail to <email> bounced'],
    ['IPv4 with a port', 'connect 10.0.0.12:5432 refused', 'connect <ip> refused'],
    ['IPv6', 'connect [2001:db8::1]:443 and fe80::1 refused', 'connect <ip> and <ip> refused'],
    ['MAC addresses', 'device 00:1A:2B:3C:4D:5E offline', 'device <mac> offline'],
    ['ISO timestamps and times of day', 'expired at 2024-01-15T10:30:00.123Z (10:30:00)', 'expired at <date> (<timestamp>)'],
    ['HTTP dates, weekday and month included, so one error does not split by day', 'Date: Mon, 15 Jan 2024 10:30:00 GMT', 'Date: <date>'],
    ['JavaScript dates', 'stale since Tue Jan 16 2024 14:04:05 GMT+0100 (Central European Standard Time)', 'stale since <date>'],
    ['compact timestamps', 'batch 20060102T150405Z failed', 'batch <date> failed'],
    ['quoted prose, keeping the quotes of a single token with its values replaced', `key "cart:42" missing: 'no such cart'`, 'key "cart:<num>" missing: <quoted>'],
    ['whole URLs, as Sentry does (a URL names the occurrence, not the bug)', 'GET https://api.example.com/users/123/files/aGk3xZ9qPL?token=abc failed', 'GET <url> failed'],
    ['W3C traceparent and AWS X-Ray trace ids', 'bad traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01, root 1-67891233-abcdef012345678912345678', 'bad traceparent: <traceparent>, root <traceparent>'],
    ['git SHAs and short hex with a digit', 'commit a93c7d2 broke 9af8', 'commit <hex> broke <hex>'],
    ['booleans given as values', 'a=false, b: True', 'a=<bool>, b: <bool>'],
    ['hostnames', 'cannot resolve db.shop-internal.example.com', 'cannot resolve <hostname>'],
    ['content hashes in file names', 'failed to load bundle_a1b2c3.js and main.a1b2.js', 'failed to load bundle_<hex>.js and main.<hex>.js'],
  ];
  for (const [what, message, expected] of cases) {
    it(`replaces ${what}`, () => assert.equal(normalizeMessage(message), expected));
  }

  it('leaves what only looks like a value alone: Foo::bar, 9af, Class.method, main.py, utf8, x86_64, IPv4, apostrophes', () => {
    for (const message of ['Foo::bar failed', 'hex needs four: 9af', 'Class.method failed', 'main.py crashed', 'utf8 x86_64 IPv4', "can't read, it's gone", '[code=x] upstream']) {
      assert.equal(normalizeMessage(message), message);
    }
  });

  it('keeps the quoted names that tell two bugs apart: property names, keys, types', () => {
    const reading = (property: string) => normalizeMessage(`Cannot read properties of undefined (reading '${property}')`);
    assert.equal(reading('map'), "Cannot read properties of undefined (reading 'map')");
    assert.notEqual(reading('map'), reading('length'));
    assert.equal(normalizeMessage("'NoneType' object has no attribute 'id'"), "'NoneType' object has no attribute 'id'");
    assert.equal(normalizeMessage("KeyError: 'user_8412'"), normalizeMessage("KeyError: 'user_17'".replace('17', '90210')), 'an id in a quoted key is still a value');
  });

  it('reads at most the first KiB of a long message', () => {
    assert.ok(normalizeMessage(`boom ${'x'.repeat(100_000)}`).length <= 1024);
  });
});
