// A report without `error.type` takes its type from the stack trace or the message, read from
// real traces: the corpus cases in test/fixtures/report/untyped-stacks.json (with their
// provenance) and the captures in test/fixtures/stacktraces/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { inferExceptionType, typeFromMessage } from '../../../src/receiver/report-http/infer-type.js';
import { parseReport } from '../../../src/receiver/report-http/parse-report.js';

// dist/test/receiver/report-http → the repository's fixtures.
const FIXTURES = new URL('../../../../test/fixtures/', import.meta.url);

interface UntypedStack {
  readonly id: string;
  readonly language: string;
  readonly text: string;
  readonly inferredType: string;
}

const corpus = (JSON.parse(readFileSync(new URL('report/untyped-stacks.json', FIXTURES), 'utf8')) as { cases: UntypedStack[] }).cases;
const capture = (name: string) => readFileSync(new URL(`stacktraces/${name}.txt`, FIXTURES), 'utf8');
const LIMITS = { maxMessageBytes: 8192, maxStacktraceBytes: 65536 };

describe('the exception type of a report that gives none', () => {
  it('is the raised exception of a Python traceback, from its last line', () => {
    assert.equal(inferExceptionType(capture('python/key-error'), '2'), 'KeyError');
    // A chain prints the cause (KeyError) first and the raised exception last.
    assert.equal(inferExceptionType(capture('python/direct-cause'), 'User 4 not found'), 'shop.users.UserNotFound');
    assert.equal(inferExceptionType(capture('python/during-handling'), ''), 'shop.users.UserNotFound');
    for (const c of corpus.filter((c) => c.language === 'python')) assert.equal(inferExceptionType(c.text, ''), c.inferredType, c.id);
  });

  it('is the top exception of a Java trace, not one of its Caused by: chain', () => {
    assert.equal(inferExceptionType(capture('java/caused-by-chain'), ''), 'com.acme.shop.OrderService$PaymentException');
    const java = corpus.filter((c) => c.id === 'fluent-COMPLEX_JAVA_EXC' || c.id === 'fluent-NESTED_JAVA_EXC');
    assert.deepEqual(java.map((c) => inferExceptionType(c.text, '')), ['javax.servlet.ServletException', 'java.lang.RuntimeException']);
  });

  it('is the header type of a JavaScript stack', () => {
    assert.equal(inferExceptionType(capture('javascript/type-error'), ''), 'TypeError');
    for (const c of corpus.filter((c) => c.language === 'javascript')) assert.equal(inferExceptionType(c.text, ''), c.inferredType, c.id);
  });

  it('is not a log prefix, a PHP sentence or Go\'s "panic" read off a header; the message decides then', () => {
    for (const c of corpus.filter((c) => c.inferredType === '')) {
      assert.equal(inferExceptionType(c.text, 'went wrong'), '', c.id);
      assert.equal(inferExceptionType(c.text, 'IllegalArgumentException: amount < 0'), 'IllegalArgumentException', c.id);
    }
  });

  it('is read from a `Type: rest` message when the stack is empty or says nothing', () => {
    assert.equal(inferExceptionType('', "KeyError: 'x'"), 'KeyError');
    assert.equal(inferExceptionType('', 'java.lang.IllegalStateException: pool closed'), 'java.lang.IllegalStateException');
    assert.equal(inferExceptionType('no stack here', 'ActionController::RoutingError: No route matches'), 'ActionController::RoutingError');
    assert.equal(typeFromMessage('TypeError: x is undefined'), 'TypeError');
  });

  it('is not read from a message whose head is prose rather than an exception class', () => {
    for (const message of ['Note: cache cold', 'warning: disk 91% full', 'HTTP 500: upstream', 'user frank: not found', 'KeyError', ': x', 'Retry: later']) {
      assert.equal(typeFromMessage(message), '', message);
    }
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
    assert.equal(typeOf({ message: 'checkout failed', stack: '' }), 'Error');
    assert.equal(typeOf({ message: "KeyError: 'sku'", type: 'LookupError' }), 'LookupError');
  });
});
