import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFrame, frameContext, frameKey, normalizeFunction, normalizeModule } from '../../src/group/normalize-frame.js';

describe('normalizeModule', () => {
  it('strips versions, content hashes, query strings and the host from paths', () => {
    assert.equal(normalizeModule('/static/1.0/main.a1b2.js'), normalizeModule('/static/1.1/main.c3d4.js'));
    assert.equal(normalizeModule('https://cdn.example.com/static/2.4.1/main.9f8e7d6c.js?v=2.4.1'), '/static/main.js');
    assert.equal(normalizeModule('file:///srv/app/chunk-vendors.3f9a8b7c.js'), '/srv/app/chunk-vendors.js');
    assert.equal(normalizeModule('/srv/releases/20240115/app/users.py'), '/srv/releases/app/users.py');
    assert.equal(normalizeModule('/venv/lib/python3.11/site-packages/x.py'), normalizeModule('/venv/lib/python3.12/site-packages/x.py'));
  });

  it('keeps names that merely hold digits', () => {
    assert.equal(normalizeModule('/srv/app/es2015.js'), '/srv/app/es2015.js');
    assert.equal(normalizeModule('com.acme.shop.OrderService'), 'com.acme.shop.OrderService');
  });

  it('strips JVM lambda and proxy ids', () => {
    assert.equal(normalizeModule('com.acme.Foo$$Lambda$14/0x0000000800c03000'), normalizeModule('com.acme.Foo$$Lambda$15/0x0000000800c04000'));
  });
});

describe('normalizeFunction', () => {
  it('strips generated numbering', () => {
    assert.equal(normalizeFunction('lambda$main$2'), 'lambda$main');
    assert.equal(normalizeFunction('handle.func1'), 'handle.func');
    assert.equal(normalizeFunction('<SendAsync>g__Core|83_0'), normalizeFunction('<SendAsync>g__Core|84_1'));
    assert.equal(normalizeFunction('async fetchUser'), 'fetchUser');
  });
});

describe('frameKey', () => {
  it('ignores line and column', () => {
    const frame = { function: 'loadUser', module: '/srv/app/users.js', line: 5, column: 15, inApp: true };
    assert.equal(frameKey(frame), frameKey({ ...frame, line: 9, column: 3 }));
  });

  it('hashes only the module of a minified frame, whose function names change per build', () => {
    const minified = { function: 't', module: '/static/1.0/main.a1b2.js', line: 1, column: 9876, inApp: true };
    assert.equal(frameKey(minified), frameKey({ ...minified, function: 'r', module: '/static/1.1/main.c3d4.js', column: 9912 }));
  });
});

describe('frame identity across deploy roots and browsers', () => {
  const frame = (fn: string, module: string) => ({ function: fn, module, line: 3, column: 1, inApp: true });
  const keysOf = (language: 'python' | 'javascript', frames: ReturnType<typeof frame>[]) => {
    const context = frameContext(language, frames);
    return frames.map((f) => frameKey(f, context));
  };

  it('keys paths relative to the directory the in-app files share, whatever the deploy root', () => {
    const at = (root: string) => keysOf('python', [frame('view', `${root}/srv/shop/app/views.py`), frame('load', `${root}/srv/shop/app/models/user.py`)]);
    assert.deepEqual(at('/tmp/tmpa1b2c3d4'), at('/tmp/tmpz9y8x7w6'));
    assert.deepEqual(at(''), at('/var/task'));
    assert.deepEqual(at('').map((key) => key.split('\u0001')[1]), ['views.py', 'models/user.py']);
  });

  it('keys a library path from its package directory on', () => {
    const context = frameContext('javascript', [frame('handle', '/srv/app/src/app.js')]);
    assert.equal(frameKey(frame('dispatch', '/var/task/node_modules/express/lib/router.js'), context), 'dispatch\u0001node_modules/express/lib/router.js');
  });

  it('reads a JavaScript function the same in every engine', () => {
    const names = ['Object.aha', 'Foo.prototype.aha', 'aha', 'new aha', 'async aha', 'Object.aha [as b]'];
    const keys = names.map((name) => keysOf('javascript', [frame(name, 'file:///C:/tmp/test.html')])[0]);
    assert.deepEqual(new Set(keys).size, 1);
    for (const anonymous of ['Anonymous function', 'global code', '<anonymous>', 'Object.<anonymous>', '']) {
      assert.equal(keysOf('javascript', [frame(anonymous, 'file:///tmp/test.html')])[0], '\u0001test.html');
    }
  });

  it('keeps class names apart outside JavaScript', () => {
    const context = frameContext('java', []);
    assert.notEqual(frameKey(frame('run', 'com.acme.A'), context), frameKey(frame('run', 'com.acme.B'), context));
  });

  it('reads a .NET async state machine as the method it runs', () => {
    const moveNext = frame('MoveNext', 'Acme.Orders.OrderService.<CheckoutAsync>d__4');
    assert.equal(frameKey(moveNext), frameKey(frame('CheckoutAsync', 'Acme.Orders.OrderService')));
    assert.equal(describeFrame(moveNext), 'CheckoutAsync (Acme.Orders.OrderService)');
  });
});
