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
    ['hex of 8 or more characters and 0x values', 'request 8f3a9b2c41d7 took 5012ms at 0x7ffe75052aea', 'request <hex> took <num>ms at <hex>'],
    ['e-mail addresses', 'mail to ada@example.com bounced', 'mail to <email> bounced'],
    ['IPv4 with a port', 'connect 10.0.0.12:5432 refused', 'connect <ip> refused'],
    ['IPv6', 'connect [2001:db8::1]:443 and fe80::1 refused', 'connect <ip> and <ip> refused'],
    ['MAC addresses', 'device 00:1A:2B:3C:4D:5E offline', 'device <mac> offline'],
    ['ISO timestamps and times of day', 'expired at 2024-01-15T10:30:00.123Z (10:30:00)', 'expired at <timestamp> (<timestamp>)'],
    ['HTTP dates', 'Date: Mon, 15 Jan 2024 10:30:00 GMT', 'Date: <timestamp>'],
    ['quoted values', `key "cart:42" missing for 'ada'`, 'key <quoted> missing for <quoted>'],
    ['ids and query values in URLs', 'GET https://api.example.com/users/123/files/aGk3xZ9qPL?token=abc failed', 'GET https://api.example.com/users/<num>/files/<id>?token=<value> failed'],
    ['content hashes in file names', 'failed to load bundle_a1b2c3.js and main.a1b2.js', 'failed to load bundle_<hex>.js and main.<hex>.js'],
  ];
  for (const [what, message, expected] of cases) {
    it(`replaces ${what}`, () => assert.equal(normalizeMessage(message), expected));
  }

  it('leaves what only looks like a value alone: Foo::bar, deadbeef, Class.method, utf8, x86_64, IPv4, apostrophes', () => {
    for (const message of ['Foo::bar failed', 'the word deadbeef', 'Class.method failed', 'utf8 x86_64 IPv4', "can't read, it's gone", '[code=x] upstream']) {
      assert.equal(normalizeMessage(message), message);
    }
  });

  it('reads at most the first KiB of a long message', () => {
    assert.ok(normalizeMessage(`boom ${'x'.repeat(100_000)}`).length <= 1024);
  });
});
