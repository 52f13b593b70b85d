import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointsClash, isOwnHost, parseEndpoint } from '../../src/config/endpoints.js';

describe('endpoints', () => {
  it('reads host:port with an empty host, a name, IPv4 or bracketed IPv6', () => {
    assert.deepEqual(parseEndpoint(':4318'), { host: '', port: 4318 });
    assert.deepEqual(parseEndpoint('collector.local:4318'), { host: 'collector.local', port: 4318 });
    assert.deepEqual(parseEndpoint('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
    assert.deepEqual(parseEndpoint('[::1]:4317'), { host: '::1', port: 4317 });
  });

  it('rejects a missing port, a port above 65535 and unbracketed IPv6', () => {
    for (const text of ['4318', 'localhost', 'localhost:65536', '::1:4318', 'localhost:-1', 'http://x:1']) {
      assert.equal(parseEndpoint(text), null, text);
    }
  });

  it('treats the same port as a clash only on the same or a wildcard address', () => {
    const at = (text: string) => parseEndpoint(text)!;
    assert.equal(endpointsClash(at('0.0.0.0:4318'), at('127.0.0.1:4318')), true);
    assert.equal(endpointsClash(at(':4318'), at('[::1]:4318')), true);
    assert.equal(endpointsClash(at('10.0.0.1:4318'), at('10.0.0.2:4318')), false);
    assert.equal(endpointsClash(at('0.0.0.0:0'), at('0.0.0.0:0')), false);
  });

  it('recognises loopback, wildcard and the receiver\'s own host as this machine', () => {
    assert.equal(isOwnHost('localhost', '0.0.0.0'), true);
    assert.equal(isOwnHost('[::1]', ''), true);
    assert.equal(isOwnHost('Faultline.Internal', 'faultline.internal'), true);
    assert.equal(isOwnHost('otel-collector', '0.0.0.0'), false);
  });
});
