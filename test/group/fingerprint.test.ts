import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { FingerprintRuleConfig } from '../../src/group/config.js';
import { computeGrouping, createGroupingOptions, FINGERPRINT_VERSION } from '../../src/group/fingerprint.js';
import { errorEvent, v8Stack } from './event-fixtures.js';

const FIXTURES = new URL('../../../test/fixtures/stacktraces/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const defaults = createGroupingOptions({ inAppInclude: [], inAppExclude: [], fingerprintRules: [] });
const withRules = (...rules: FingerprintRuleConfig[]) => createGroupingOptions({ inAppInclude: [], inAppExclude: [], fingerprintRules: rules });
const rule = (r: Partial<FingerprintRuleConfig> & { name: string; fingerprint: string[] }): FingerprintRuleConfig => ({ type: '', message: '', attribute: null, ...r });

const USERS = '/srv/app/src/users.js';
const ROUTES = '/srv/app/src/routes.js';
const LIB = '/srv/app/node_modules/express/lib/router/layer.js';

describe('computeGrouping', () => {
  describe('stability', () => {
    it('keeps one group when only ids, numbers and line numbers change', () => {
      const a = errorEvent({ type: 'NotFoundError', message: 'User 123 not found', stacktrace: v8Stack('NotFoundError: User 123 not found', [['loadUser', USERS, 5], ['getUser', ROUTES, 12], ['handle', LIB, 95]]) });
      const b = errorEvent({ type: 'NotFoundError', message: 'User 456 not found', stacktrace: v8Stack('NotFoundError: User 456 not found', [['loadUser', USERS, 9], ['getUser', ROUTES, 17], ['handle', LIB, 96]]) });
      assert.equal(computeGrouping(a, defaults).fingerprint, computeGrouping(b, defaults).fingerprint);
      assert.equal(computeGrouping(a, defaults).title, 'NotFoundError: User <num> not found');
    });

    it('splits groups when the call site differs', () => {
      const a = errorEvent({ stacktrace: v8Stack('Error: x', [['loadUser', USERS, 5], ['getUser', ROUTES, 12]]) });
      const b = errorEvent({ stacktrace: v8Stack('Error: x', [['loadUser', USERS, 5], ['listUsers', ROUTES, 30]]) });
      assert.notEqual(computeGrouping(a, defaults).fingerprint, computeGrouping(b, defaults).fingerprint);
    });

    it('keeps groups apart across services', () => {
      const event = errorEvent({ message: 'boom' });
      assert.notEqual(computeGrouping(event, defaults).fingerprint, computeGrouping({ ...event, service: 'billing' }, defaults).fingerprint);
    });

    it('ignores library frames when there are in-app ones (a library upgrade keeps the group)', () => {
      const a = errorEvent({ stacktrace: v8Stack('Error: x', [['loadUser', USERS, 5], ['handle', LIB, 95]]) });
      const b = errorEvent({ stacktrace: v8Stack('Error: x', [['loadUser', USERS, 5], ['next', LIB, 120], ['handle', LIB, 80]]) });
      assert.equal(computeGrouping(a, defaults).fingerprint, computeGrouping(b, defaults).fingerprint);
    });

    it('keeps one group however deep a recursion went', () => {
      const frames = (depth: number) => [...Array.from({ length: depth }, () => ['walk', USERS, 3] as const), ['main', ROUTES, 1] as const];
      const a = errorEvent({ type: 'RangeError', stacktrace: v8Stack('RangeError: Maximum call stack size exceeded', frames(10)) });
      const b = errorEvent({ type: 'RangeError', stacktrace: v8Stack('RangeError: Maximum call stack size exceeded', frames(50)) });
      assert.equal(computeGrouping(a, defaults).fingerprint, computeGrouping(b, defaults).fingerprint);
    });

    it('records the method, the version and the frames on each grouping', () => {
      const grouping = computeGrouping(errorEvent({ stacktrace: fixture('java/null-pointer.txt'), type: 'java.lang.NullPointerException' }), defaults);
      assert.equal(grouping.method, 'frames');
      assert.equal(grouping.rule, '');
      assert.equal(grouping.version, FINGERPRINT_VERSION);
      assert.match(grouping.fingerprint, /^[0-9a-f]{32}$/);
      assert.deepEqual(grouping.frames.map((f) => f.function), ['main', 'reserve']);
    });
  });

  describe('minified or versioned frames: a new build or release makes no new group', () => {
    it('groups /static/1.0/main.a1b2.js and /static/1.1/main.c3d4.js together (real captured traces)', () => {
      const a = computeGrouping(errorEvent({ type: 'TypeError', stacktrace: fixture('javascript/minified-1-0.txt') }), defaults);
      const b = computeGrouping(errorEvent({ type: 'TypeError', stacktrace: fixture('javascript/minified-1-1.txt') }), defaults);
      assert.equal(a.fingerprint, b.fingerprint);
    });

    it('groups minified frames whose function names and columns change between builds', () => {
      const a = errorEvent({ stacktrace: v8Stack('TypeError: x', [['t', 'https://cdn.example.com/static/1.0/main.a1b2.js?v=1', 1, 9876]]) });
      const b = errorEvent({ stacktrace: v8Stack('TypeError: x', [['r', 'https://cdn.example.com/static/1.1/main.c3d4.js?v=2', 1, 9912]]) });
      assert.equal(computeGrouping(a, defaults).fingerprint, computeGrouping(b, defaults).fingerprint);
    });

    it('leaves node_modules frames out of the fingerprint and the culprit', () => {
      const grouping = computeGrouping(errorEvent({ stacktrace: fixture('javascript/type-error.txt') }), defaults);
      assert.equal(grouping.culprit, 'loadUser (/srv/shop/node/src/users.js)');
    });
  });

  describe('same throw site, different errors; no stack: the type and message tell them apart', () => {
    it('splits wrapper errors with identical stacks but different exception types', () => {
      const stacktrace = v8Stack('Error: failed', [['wrap', USERS, 5], ['getUser', ROUTES, 12]]);
      const a = computeGrouping(errorEvent({ type: 'DatabaseError', stacktrace }), defaults);
      const b = computeGrouping(errorEvent({ type: 'ValidationError', stacktrace }), defaults);
      assert.notEqual(a.fingerprint, b.fingerprint);
    });

    it('groups an event with no stack by type and normalised message', () => {
      const a = computeGrouping(errorEvent({ type: 'TimeoutError', message: 'request 8f3a9b2c41d7 took 5012ms' }), defaults);
      const b = computeGrouping(errorEvent({ type: 'TimeoutError', message: 'request 77aa00bb11cc took 3001ms' }), defaults);
      const c = computeGrouping(errorEvent({ type: 'TimeoutError', message: 'connection reset' }), defaults);
      assert.equal(a.method, 'message');
      assert.equal(a.fingerprint, b.fingerprint);
      assert.notEqual(a.fingerprint, c.fingerprint);
      assert.equal(a.title, 'TimeoutError: request <hex> took <duration>');
    });

    it('does not repeat the type in the title when the message already starts with it', () => {
      const titleOf = (type: string, message: string) => computeGrouping(errorEvent({ type, message }), defaults).title;
      assert.equal(titleOf('KeyError', "KeyError: 'x'"), "KeyError: 'x'");
      assert.equal(titleOf('java.lang.IllegalStateException', 'java.lang.IllegalStateException: pool closed'), 'java.lang.IllegalStateException: pool closed');
      assert.equal(titleOf('KeyError', 'KeyError'), 'KeyError');
      assert.equal(titleOf('KeyError', "KeyErrors: 'x'"), "KeyError: KeyErrors: 'x'");
      assert.equal(titleOf('Error', 'TypeError: x'), 'Error: TypeError: x');
    });

    it('includes the message when only one frame is known', () => {
      const stacktrace = v8Stack('Error: x', [['main', USERS, 1]]);
      const a = computeGrouping(errorEvent({ message: 'config file missing', stacktrace }), defaults);
      const b = computeGrouping(errorEvent({ message: 'port already in use', stacktrace }), defaults);
      assert.equal(a.method, 'frames');
      assert.notEqual(a.fingerprint, b.fingerprint);
    });

    it('falls back to the message for an unparseable stack trace', () => {
      const grouping = computeGrouping(errorEvent({ message: 'boom', stacktrace: 'something odd happened\nno frames here' }), defaults);
      assert.equal(grouping.method, 'message');
      assert.deepEqual(grouping.frames, []);
    });
  });

  describe('async frames and cause chains: the throw site is blamed, not the caller', () => {
    it('parses a Node stack with async frames and [cause]: and blames the throw site, not the outermost caller', () => {
      const grouping = computeGrouping(errorEvent({ message: 'could not place order 7', stacktrace: fixture('javascript/cause-chain.txt') }), defaults);
      assert.equal(grouping.method, 'frames');
      assert.equal(grouping.culprit, 'fetchUser (/srv/shop/node/src/users.js)');
      assert.ok(grouping.frames.some((f) => f.function === 'placeOrder'));
    });

    it('blames the innermost in-app frame of the innermost cause in Java and Python chains', () => {
      assert.equal(computeGrouping(errorEvent({ stacktrace: fixture('java/caused-by-chain.txt') }), defaults).culprit, 'charge (com.acme.shop.OrderService)');
      assert.equal(computeGrouping(errorEvent({ stacktrace: fixture('python/direct-cause.txt') }), defaults).culprit, 'load_user (/srv/shop/python/shop/users.py)');
    });

    it('keeps one group for the same chain with other order numbers', () => {
      const text = fixture('javascript/cause-chain.txt');
      const a = computeGrouping(errorEvent({ message: 'could not place order 7', stacktrace: text }), defaults);
      const b = computeGrouping(errorEvent({ message: 'could not place order 9', stacktrace: text.replaceAll('7', '9').replaceAll(':24:11', ':25:11') }), defaults);
      assert.equal(a.fingerprint, b.fingerprint);
    });
  });

  describe('custom rules: users merge what the defaults keep apart', () => {
    const upstream = rule({ name: 'upstream-timeout', type: 'TimeoutError', message: '*upstream*', fingerprint: ['upstream-timeout'] });

    it('groups every TimeoutError whose message mentions upstream into one group, recording the rule', () => {
      const options = withRules(upstream);
      const a = computeGrouping(errorEvent({ type: 'TimeoutError', message: 'Upstream payments timed out', stacktrace: v8Stack('TimeoutError: x', [['pay', USERS, 1]]) }), options);
      const b = computeGrouping(errorEvent({ type: 'TimeoutError', message: 'upstream search timed out', stacktrace: v8Stack('TimeoutError: x', [['find', ROUTES, 9]]) }), options);
      assert.equal(a.fingerprint, b.fingerprint);
      assert.equal(a.method, 'rule');
      assert.equal(a.rule, 'upstream-timeout');
      const other = computeGrouping(errorEvent({ type: 'TimeoutError', message: 'database timed out' }), options);
      assert.equal(other.method, 'message');
      assert.equal(other.rule, '');
    });

    it('matches a literal [code=x] in a message glob (brackets are not a character class)', () => {
      const options = withRules(rule({ name: 'code-x', message: '[code=x] *', fingerprint: ['code-x'] }));
      assert.equal(computeGrouping(errorEvent({ message: '[code=x] upstream failed' }), options).rule, 'code-x');
      assert.equal(computeGrouping(errorEvent({ message: 'c upstream failed' }), options).method, 'message');
    });

    it('matches a /regex/ and an attribute, and the first matching rule wins', () => {
      const options = withRules(
        rule({ name: 'health', attribute: { key: 'http.route', value: '/health*' }, fingerprint: ['health'] }),
        rule({ name: 'refused', message: '/ECONNREFUSED \\d+/i', fingerprint: ['refused'] }),
      );
      assert.equal(computeGrouping(errorEvent({ message: 'econnrefused 5432', attributes: { 'http.route': '/healthz' } }), options).rule, 'health');
      assert.equal(computeGrouping(errorEvent({ message: 'econnrefused 5432' }), options).rule, 'refused');
    });

    it('splits a group by extra keys with {{ default }}', () => {
      const options = withRules(rule({ name: 'per-tenant', type: 'QuotaError', fingerprint: ['{{ default }}', '{{ attribute.tenant }}'] }));
      const a = computeGrouping(errorEvent({ type: 'QuotaError', message: 'quota', attributes: { tenant: 'a' } }), options);
      const b = computeGrouping(errorEvent({ type: 'QuotaError', message: 'quota', attributes: { tenant: 'b' } }), options);
      const a2 = computeGrouping(errorEvent({ type: 'QuotaError', message: 'quota', attributes: { tenant: 'a' } }), options);
      assert.notEqual(a.fingerprint, b.fingerprint);
      assert.equal(a.fingerprint, a2.fingerprint);
    });
  });

  describe('client fingerprints', () => {
    it('lets faultline.fingerprint (a string or a list) win over rules and frames', () => {
      const options = withRules(rule({ name: 'all', type: '*', fingerprint: ['all'] }));
      const single = computeGrouping(errorEvent({ message: 'x', attributes: { 'faultline.fingerprint': 'checkout-flaky' } }), options);
      const other = computeGrouping(errorEvent({ message: 'y', attributes: { 'faultline.fingerprint': 'checkout-flaky' } }), options);
      const list = computeGrouping(errorEvent({ attributes: { 'faultline.fingerprint': ['checkout', 'flaky'] } }), options);
      assert.equal(single.method, 'client');
      assert.equal(single.fingerprint, other.fingerprint);
      assert.equal(list.method, 'client');
      assert.notEqual(list.fingerprint, single.fingerprint);
    });

    it('ignores an empty client fingerprint', () => {
      assert.equal(computeGrouping(errorEvent({ message: 'x', attributes: { 'faultline.fingerprint': '' } }), defaults).method, 'message');
    });
  });
});
