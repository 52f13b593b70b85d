import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createInAppClassifier } from '../../../src/group/stack/in-app.js';
import { parseStacktrace } from '../../../src/group/stack/parse-stacktrace.js';
import { MAX_FRAMES_PER_EXCEPTION } from '../../../src/group/stack/stack-trace.js';

const FIXTURES = new URL('../../../../test/fixtures/stacktraces/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const inApp = createInAppClassifier({ include: [], exclude: [] });
const functions = (text: string, index = 0) => parseStacktrace(text, inApp).exceptions[index]!.frames.map((f) => f.function);

describe('parseStacktrace', () => {
  it('orders frames outermost call first in every language', () => {
    assert.deepEqual(functions(fixture('java/null-pointer.txt')), ['main', 'reserve']);
    assert.deepEqual(functions(fixture('python/zero-division.txt')), ['save', '<lambda>', '<listcomp>']);
    assert.deepEqual(functions(fixture('go/nil-map.txt')), ['main', 'handle', '(*Store).Reserve']);
    assert.deepEqual(functions(fixture('ruby/key-error.txt')).at(-1), 'fetch');
    assert.deepEqual(functions(fixture('php/not-found.txt')).at(-1), 'Acme\\Shop\\OrderRepository->find');
    assert.deepEqual(functions(fixture('dotnet/async-state-machine.txt')).at(-1), 'MoveNext'); // as printed; grouping reads it as LoadAsync
    assert.deepEqual(functions(fixture('javascript/async-frames.txt')), ['', 'caughtAsync', 'Object.handleAsync', 'fetchUser']);
  });

  it('reads Java cause chains top-level first and skips suppressed exceptions and "... N more"', () => {
    const chain = parseStacktrace(fixture('java/caused-by-chain.txt'), inApp).exceptions;
    assert.deepEqual(chain.map((e) => e.type), [
      'com.acme.shop.OrderService$PaymentException',
      'java.lang.IllegalStateException',
      'java.lang.NumberFormatException',
    ]);
    const suppressed = parseStacktrace(fixture('java/suppressed.txt'), inApp).exceptions;
    assert.equal(suppressed.length, 1);
    assert.deepEqual(suppressed[0]!.frames.map((f) => f.function), ['main', 'closeAll']);
  });

  it('reads Python chains with the raised exception first', () => {
    for (const name of ['python/during-handling.txt', 'python/direct-cause.txt']) {
      const chain = parseStacktrace(fixture(name), inApp).exceptions;
      assert.deepEqual(chain.map((e) => e.type), ['shop.users.UserNotFound', 'KeyError'], name);
    }
  });

  it('reads Node [cause]: chains and AggregateError members', () => {
    const chain = parseStacktrace(fixture('javascript/cause-chain.txt'), inApp).exceptions;
    assert.deepEqual(chain.map((e) => e.message), ['could not place order 7', 'User 7 not found']);
    assert.equal(chain[1]!.frames.at(-1)!.function, 'fetchUser');
  });

  it('reads .NET inner exceptions and gives each its own frames', () => {
    const chain = parseStacktrace(fixture('dotnet/inner-exceptions.txt'), inApp).exceptions;
    assert.deepEqual(chain.map((e) => e.type), [
      'System.InvalidOperationException',
      'System.Net.Http.HttpRequestException',
      'System.Net.Sockets.SocketException',
    ]);
    assert.equal(chain[0]!.frames.at(-1)!.function, 'CheckoutAsync');
    assert.equal(chain[1]!.frames[0]!.function, 'ChargeAsync');
    assert.equal(chain[2]!.frames.at(-1)!.function, 'ThrowException');
  });

  it('marks library, runtime and vendored frames as not in-app', () => {
    const jsFrames = parseStacktrace(fixture('javascript/type-error.txt'), inApp).exceptions[0]!.frames;
    assert.deepEqual(jsFrames.filter((f) => !f.inApp).map((f) => f.function), [
      'asyncRunEntryPointWithESMLoader',
      'ModuleLoader.import',
      'ModuleJob.run',
      'Object.handle',
      'dispatch',
    ]);
    const pyFrames = parseStacktrace(fixture('python/key-error.txt'), inApp).exceptions[0]!.frames;
    assert.deepEqual(pyFrames.filter((f) => !f.inApp).map((f) => f.function), ['handle', 'dispatch']);
    const javaFrames = parseStacktrace(fixture('java/lambda-stream.txt'), inApp).exceptions[0]!.frames;
    assert.deepEqual(javaFrames.filter((f) => f.inApp).map((f) => f.function), ['main', 'lambda$main$0']);
    const goFrames = parseStacktrace(fixture('go/debug-stack.txt'), inApp).exceptions[0]!.frames;
    assert.deepEqual(goFrames.filter((f) => !f.inApp).map((f) => f.module), ['runtime/debug']);
    const rubyFrames = parseStacktrace(fixture('ruby/not-found.txt'), inApp).exceptions[0]!.frames;
    assert.deepEqual(rubyFrames.filter((f) => !f.inApp).map((f) => f.function), ['call']);
    const dotnetFrames = parseStacktrace(fixture('dotnet/inner-exceptions.txt'), inApp).exceptions[0]!.frames;
    assert.deepEqual(dotnetFrames.filter((f) => f.inApp).map((f) => f.function), ['Post', 'CheckoutAsync']);
  });

  it('lets in_app_include and in_app_exclude overrule the built-in rules, exclude first', () => {
    const custom = createInAppClassifier({ include: ['tiny-router'], exclude: ['generate.js'] });
    const frames = parseStacktrace(fixture('javascript/type-error.txt'), custom).exceptions[0]!.frames;
    assert.deepEqual(frames.filter((f) => f.inApp).map((f) => f.function), ['Object.handle', 'dispatch', 'loadUser']);
  });

  it("reads PHP 5's `exception 'X' with message '…' in file:line` header as a type and a message", () => {
    const text = [
      "PHP Fatal error:  Uncaught exception 'Exception' with message 'pool closed: it's gone' in /srv/shop/src/Pool.php:60",
      'Stack trace:',
      '#0 /srv/shop/src/Shop.php(20): Acme\\Pool->take()',
      '#1 {main}',
      '  thrown in /srv/shop/src/Pool.php on line 60',
    ].join('\n');
    const [exception] = parseStacktrace(text, inApp).exceptions;
    assert.equal(exception!.type, 'Exception');
    assert.equal(exception!.message, "pool closed: it's gone");
    assert.deepEqual(exception!.frames.map((f) => `${f.function} ${f.module}:${f.line}`), ['{main} /srv/shop/src/Shop.php:20', 'Acme\\Pool->take /srv/shop/src/Pool.php:60']);
  });

  it("keeps V8's `(native)` builtin frames out of in-app, with no module to fingerprint", () => {
    const [frame] = parseStacktrace('Error\n at Array.forEach (native)', inApp).exceptions[0]!.frames;
    assert.deepEqual(frame, { function: 'Array.forEach', module: '', line: 0, column: 0, inApp: false });
  });

  it('ignores the partial last line of a trace cut mid-frame', () => {
    const java = parseStacktrace(fixture('java/truncated-mid-frame.txt'), inApp).exceptions;
    assert.deepEqual(java[1]!.frames.map((f) => f.function), ['reserve']);
    assert.deepEqual(functions(fixture('javascript/truncated-mid-frame.txt')), ['Object.handleAsync', 'fetchUser']);
    const python = parseStacktrace(fixture('python/truncated-mid-frame.txt'), inApp).exceptions[0]!;
    assert.deepEqual(python.frames.map((f) => f.function), ['save', '<lambda>', 'handle']);
  });

  it('caps a 1 MB trace without failing, keeping the outermost and innermost frames', () => {
    const frame = '\tat com.acme.shop.OrderService.depth(OrderService.java:39)\n';
    const text = `java.lang.StackOverflowError\n${frame.repeat(Math.ceil((1024 * 1024) / frame.length))}`;
    assert.ok(text.length >= 1024 * 1024);
    const parsed = parseStacktrace(text, inApp);
    assert.equal(parsed.language, 'java');
    assert.equal(parsed.exceptions[0]!.frames.length, MAX_FRAMES_PER_EXCEPTION);
  });

  it('gives no frames for text in no known format', () => {
    assert.deepEqual(parseStacktrace(fixture('unknown/plain-text.txt'), inApp), { language: 'unknown', exceptions: [] });
    assert.deepEqual(parseStacktrace('', inApp), { language: 'unknown', exceptions: [] });
  });

  it('never throws, whatever the text (a small fuzz over real traces cut, shuffled and garbled)', () => {
    const samples = ['java/caused-by-chain.txt', 'python/exception-group.txt', 'javascript/aggregate-error.txt', 'go/goroutine.txt', 'dotnet/inner-exceptions.txt', 'ruby/cause.txt', 'php/previous-chain.txt'].map(fixture);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const junk = ['at ', '(', ')', ':', '\n', '\t', ' ---> ', 'Caused by: ', '[cause]: ', 'File "', '#0 ', 'goroutine 1 [running]:\n', '@', '\u0000', '"', "'", '  | ', '+-+--- 1 ---'];
    for (let round = 0; round < 400; round++) {
      const base = samples[round % samples.length]!;
      let text = base.slice(Math.floor(random() * base.length / 2), Math.floor(base.length / 2 + random() * base.length / 2));
      for (let i = 0; i < 20; i++) {
        const at = Math.floor(random() * text.length);
        text = text.slice(0, at) + junk[Math.floor(random() * junk.length)] + text.slice(at + Math.floor(random() * 3));
      }
      if (round % 5 === 0) text = text.split('\n').sort(() => random() - 0.5).join('\n');
      assert.doesNotThrow(() => parseStacktrace(text, inApp));
    }
    assert.doesNotThrow(() => parseStacktrace(`    at ${'('.repeat(5000)}`, inApp));
    assert.doesNotThrow(() => parseStacktrace(`${'a'.repeat(100_000)}:1:2`, inApp));
  });
});

describe('parseStacktrace on formats first met in the real-world corpus', () => {
  it('reads a Rust panic with RUST_BACKTRACE=1, with only the application crate in-app', () => {
    const text = [
      "thread 'main' panicked at src/orders.rs:12:9:",
      'called `Option::unwrap()` on a `None` value',
      'stack backtrace:',
      '   0: rust_begin_unwind',
      '             at /rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/std/src/panicking.rs:665:5',
      '   1: core::option::unwrap_failed',
      '   2: shop::orders::reserve::h1a2b3c4d5e6f7a8b',
      '             at ./src/orders.rs:12:9',
      '   3: shop::main',
      '             at ./src/main.rs:4:5',
      'note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.',
    ].join('\n');
    const parsed = parseStacktrace(text, inApp);
    assert.equal(parsed.language, 'rust');
    assert.equal(parsed.exceptions[0]!.message, 'called `Option::unwrap()` on a `None` value');
    const frames = parsed.exceptions[0]!.frames;
    assert.deepEqual(frames.map((f) => `${f.module}::${f.function}:${f.line}`), ['shop::main:4', 'shop::orders::reserve:12', 'core::option::unwrap_failed:0', '::rust_begin_unwind:665']);
    assert.deepEqual(frames.filter((f) => f.inApp).map((f) => f.function), ['main', 'reserve']);
  });

  it('counts a Go module path with a version (-trimpath) as a library, so the OpenTelemetry SDK is never the culprit', () => {
    const text = [
      'goroutine 7 [running]:',
      'runtime/debug.Stack()',
      '\truntime/debug/stack.go:24 +0x5e',
      'go.opentelemetry.io/otel/sdk/trace.recordStackTrace()',
      '\tgo.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:511 +0x25',
      'github.com/acme/shop/orders.Reserve(0xc0000b2000)',
      '\tgithub.com/acme/shop/orders/orders.go:31 +0x3d',
    ].join('\n');
    const frames = parseStacktrace(text, inApp).exceptions[0]!.frames;
    assert.deepEqual(frames.filter((f) => f.inApp).map((f) => f.function), ['Reserve']);
  });

  it('counts Rails gem frames, Dart SDK frames and webpack runtime frames as library code', () => {
    const rails = ' NoMethodError (undefined method `x\' for nil):\n  app/models/order.rb:5:in `total\'\n  actionpack (5.1.4) lib/action_dispatch/middleware/debug_exceptions.rb:63:in `call\'';
    assert.deepEqual(parseStacktrace(rails, inApp).exceptions[0]!.frames.map((f) => [f.function, f.inApp]), [['call', false], ['total', true]]);
    const dart = 'Bad state: oops\n#0      handle (package:shop/orders.dart:16:3)\n#1      _rootRun (dart:async/zone.dart:1399:13)';
    assert.deepEqual(parseStacktrace(dart, inApp).exceptions[0]!.frames.map((f) => [f.function, f.inApp]), [['_rootRun', false], ['handle', true]]);
    const webpack = 'Error: x\n    at checkout (webpack:///./src/cart.js:4:9)\n    at __webpack_require__ (webpack:///webpack/bootstrap:19:1)';
    assert.deepEqual(parseStacktrace(webpack, inApp).exceptions[0]!.frames.map((f) => [f.function, f.inApp]), [['__webpack_require__', false], ['checkout', true]]);
  });

  it('lets in_app_exclude overrule the built-in rules for the new languages too', () => {
    const custom = createInAppClassifier({ include: [], exclude: ['package:shop/'] });
    const dart = 'Bad state: oops\n#0      handle (package:shop/orders.dart:16:3)';
    assert.equal(parseStacktrace(dart, custom).exceptions[0]!.frames[0]!.inApp, false);
  });
});
