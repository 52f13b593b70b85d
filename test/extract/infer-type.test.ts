// A report without `error.type` takes its type from the stack trace or the message's first line,
// read from real traces: the corpus cases in test/fixtures/report/untyped-stacks.json (with their
// provenance) and the captures in test/fixtures/stacktraces/. Log records use the message part.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { inferExceptionType, typeFromMessage } from '../../src/extract/infer-type.js';
import { parseReport } from '../../src/receiver/report-http/parse-report.js';

// dist/test/extract → the repository's fixtures.
const FIXTURES = new URL('../../../test/fixtures/', import.meta.url);

interface UntypedStack {
  readonly id: string;
  readonly language: string;
  readonly text: string;
  readonly inferredType: string;
}

const corpus = (JSON.parse(readFileSync(new URL('report/untyped-stacks.json', FIXTURES), 'utf8')) as { cases: UntypedStack[] }).cases;
const capture = (name: string) => readFileSync(new URL(`stacktraces/${name}.txt`, FIXTURES), 'utf8');
const LIMITS = { maxMessageBytes: 8192, maxStacktraceBytes: 65536 };
const typeOfReport = (stack: string, message: string) => inferExceptionType(stack, message).type;

describe('the exception type of a report that gives none', () => {
  it('is the raised exception of a Python traceback, from its last line', () => {
    assert.equal(typeOfReport(capture('python/key-error'), '2'), 'KeyError');
    // A chain prints the cause (KeyError) first and the raised exception last.
    assert.equal(typeOfReport(capture('python/direct-cause'), 'User 4 not found'), 'shop.users.UserNotFound');
    assert.equal(typeOfReport(capture('python/during-handling'), ''), 'shop.users.UserNotFound');
    for (const c of corpus.filter((c) => c.language === 'python')) assert.equal(typeOfReport(c.text, ''), c.inferredType, c.id);
  });

  it('is the top exception of a Java trace, not one of its Caused by: chain', () => {
    assert.equal(typeOfReport(capture('java/caused-by-chain'), ''), 'com.acme.shop.OrderService$PaymentException');
    const java = corpus.filter((c) => c.id === 'fluent-COMPLEX_JAVA_EXC' || c.id === 'fluent-NESTED_JAVA_EXC');
    assert.deepEqual(java.map((c) => typeOfReport(c.text, '')), ['javax.servlet.ServletException', 'java.lang.RuntimeException']);
  });

  it('is the header type of a JavaScript stack', () => {
    assert.equal(typeOfReport(capture('javascript/type-error'), ''), 'TypeError');
    for (const c of corpus.filter((c) => c.language === 'javascript')) assert.equal(typeOfReport(c.text, ''), c.inferredType, c.id);
  });

  it('is not a log prefix or Go\'s "panic" read off a header; the message decides then', () => {
    for (const c of corpus.filter((c) => c.inferredType === '')) {
      assert.equal(typeOfReport(c.text, 'went wrong'), '', c.id);
      assert.equal(typeOfReport(c.text, 'IllegalArgumentException: amount < 0'), 'IllegalArgumentException', c.id);
    }
  });

  it('is read from a `Type: rest` message when the stack is empty or says nothing', () => {
    assert.equal(typeOfReport('', "KeyError: 'x'"), 'KeyError');
    assert.equal(typeOfReport('', 'java.lang.IllegalStateException: pool closed'), 'java.lang.IllegalStateException');
    assert.equal(typeOfReport('no stack here', 'ActionController::RoutingError: No route matches'), 'ActionController::RoutingError');
    assert.equal(typeFromMessage('TypeError: x is undefined').type, 'TypeError');
  });

  it("takes the type off the message's first line and keeps the rest as the message", () => {
    assert.deepEqual(typeFromMessage("ValueError: invalid literal for int() with base 10: 'x'"), {
      type: 'ValueError',
      message: "invalid literal for int() with base 10: 'x'",
    });
    assert.deepEqual(typeFromMessage('java.lang.IllegalStateException: pool closed'), { type: 'java.lang.IllegalStateException', message: 'pool closed' });
    assert.deepEqual(typeFromMessage('Acme\\Shop\\OrderNotFound: Order 7 not found'), { type: 'Acme\\Shop\\OrderNotFound', message: 'Order 7 not found' });
    assert.deepEqual(typeFromMessage('ActiveRecord::RecordNotFound: no Order 7'), { type: 'ActiveRecord::RecordNotFound', message: 'no Order 7' });
    assert.deepEqual(typeFromMessage('RuntimeError: boom\n  more detail: here'), { type: 'RuntimeError', message: 'boom\n  more detail: here' });
  });

  it('is not read from a message whose head is prose, a level, a time or a logger name rather than an exception class', () => {
    const prose = [
      'Note: cache cold',
      'Warning: disk 91% full',
      'warning: disk 91% full',
      'ERROR: upstream failed',
      'HTTP 500: upstream',
      'user frank: not found',
      'payment failed for order 12',
      '12:30: payment failed',
      '2024-05-01T12:00:00Z: payment failed',
      'https://api.example.com: connection refused',
      'com.acme.shop.OrderService: order 12 failed',
      'Failed to charge card: declined',
      'KeyError',
      ': x',
      'Retry: later',
      'ValueError:x',
      'payment failed\nValueError: on a later line',
    ];
    for (const message of prose) assert.deepEqual(typeFromMessage(message), { type: '', message }, message);
  });
});

describe('parseReport without error.type', () => {
  it('stores the type the traceback names, and Error when nothing names one', () => {
    const typeOf = (error: object) => {
      const parsed = parseReport({ service: 'seed', error }, 'id', 0, LIMITS);
      assert.ok(parsed.ok);
      return parsed.event.type;
    };
    assert.equal(typeOf({ message: '2', stack: capture('python/key-error') }), 'KeyError');
    assert.equal(typeOf({ message: "KeyError: 'sku'" }), 'KeyError');
    assert.equal(typeOf({ message: 'Note: payment failed for order 12' }), 'Error');
    assert.equal(typeOf({ message: 'checkout failed', stack: '' }), 'Error');
    assert.equal(typeOf({ message: "KeyError: 'sku'", type: 'LookupError' }), 'LookupError');
  });

  it("stores the message without the type it read from the message's first line, and whole otherwise", () => {
    const eventOf = (error: object) => {
      const parsed = parseReport({ service: 'seed', error }, 'id', 0, LIMITS);
      assert.ok(parsed.ok);
      return { type: parsed.event.type, message: parsed.event.message };
    };
    assert.deepEqual(eventOf({ message: 'java.lang.IllegalStateException: pool closed' }), { type: 'java.lang.IllegalStateException', message: 'pool closed' });
    assert.deepEqual(eventOf({ message: 'payment failed for order 12' }), { type: 'Error', message: 'payment failed for order 12' });
    assert.deepEqual(eventOf({ message: "KeyError: 'sku'", type: 'LookupError' }), { type: 'LookupError', message: "KeyError: 'sku'" });
    // The traceback names the type: the message is left as it was sent.
    assert.deepEqual(eventOf({ message: "KeyError: 'sku'", stack: capture('python/key-error') }), { type: 'KeyError', message: "KeyError: 'sku'" });
  });
});
