import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAST, GROUP, firing, newGroup, startPipeline, type TestPipeline } from './helpers/notifications.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { verifySignature } from './helpers/verify-signature.js';

const SECRET = 'whsec_current_0123456789';
const NEXT_SECRET = 'whsec_next_9876543210';

describe('the webhook channel', () => {
  let receiver: Receiver;
  let faultline: TestPipeline;
  const now = () => Math.floor(faultline.clock.now() / 1000);

  before(async () => {
    receiver = await startReceiver();
    faultline = await startPipeline({
      hook: { type: 'webhook', url: `${receiver.url}/hooks/faultline?token=url-token-1234`, secrets: [SECRET], ...FAST },
    });
  });
  after(async () => {
    await faultline.stop();
    await receiver.close();
  });

  async function deliver(overrides: Parameters<typeof firing>[0] = {}) {
    const count = receiver.delivered.length;
    faultline.pipeline.sink.send(firing(overrides));
    await faultline.pipeline.idle();
    assert.equal(receiver.delivered.length, count + 1, 'webhook delivery');
    return receiver.delivered[count];
  }

  it('posts the alert name, state, severity, group labels, value, threshold, window, times and sample', async () => {
    const request = await deliver();
    const body = request.json();
    assert.equal(body.rule, 'checkout-errors');
    assert.equal(body.state, 'firing');
    assert.equal(body.severity, 'high');
    assert.deepEqual(body.labels, { service: 'checkout', environment: 'prod', team: 'payments' });
    assert.equal(body.value, 73);
    assert.equal(body.threshold, 50);
    assert.equal(body.window_seconds, 60);
    assert.equal(body.started_at, '2023-11-14T22:13:20.000Z');
    assert.equal(body.sample.trace_id, '5b8efff798038103d269b633813fc60c');
    assert.equal(body.sample.type, 'TypeError');
    assert.equal(request.headers['idempotency-key'], body.id);
  });

  it('carries group_id and group_url for an alert about one error group, and neither for other alerts', async () => {
    const body = (await deliver(newGroup())).json();
    assert.equal(body.group_id, GROUP.id);
    assert.equal(body.group_url, GROUP.url);
    const other = (await deliver()).json();
    assert.ok(!('group_id' in other) && !('group_url' in other));
  });

  it('signs the exact bytes sent so the reference verifier accepts them', async () => {
    const request = await deliver();
    assert.ok(verifySignature(request.headers['x-faultline-signature'] as string, request.body, [SECRET], now()));
  });

  it('is refused by the verifier when one byte of the body changes', async () => {
    const request = await deliver();
    const changed = Buffer.from(request.body);
    changed[changed.length - 2] ^= 1;
    assert.equal(verifySignature(request.headers['x-faultline-signature'] as string, changed, [SECRET], now()), false);
  });

  it('is refused by the verifier when the timestamp is older than five minutes', async () => {
    const request = await deliver();
    assert.equal(verifySignature(request.headers['x-faultline-signature'] as string, request.body, [SECRET], now() + 301), false);
  });

  it('is refused by the verifier when the timestamp is rewritten to look fresh', async () => {
    const request = await deliver();
    const header = request.headers['x-faultline-signature'] as string;
    const rewritten = header.replace(/^t=(\d+)/, (_, t: string) => `t=${Number(t) + 600}`);
    assert.equal(verifySignature(rewritten, request.body, [SECRET], now() + 600), false);
  });

  it('still verifies when the message holds emoji and other multi-byte characters', async () => {
    const request = await deliver({
      annotations: { summary: 'Checkout down 🔥💥 — café ünïcode 𝔘', description: '"quotes" \\ and \u2028 separators' },
    });
    assert.match(request.body.toString('utf8'), /🔥💥/);
    assert.ok(verifySignature(request.headers['x-faultline-signature'] as string, request.body, [SECRET], now()));
  });

  it('signs with both secrets during a rotation, so receivers on either secret verify', async () => {
    const rotating = await startPipeline({
      hook: { type: 'webhook', url: receiver.url, secrets: [SECRET, NEXT_SECRET], ...FAST },
    });
    try {
      const count = receiver.delivered.length;
      rotating.pipeline.sink.send(firing());
      await rotating.pipeline.idle();
      assert.equal(receiver.delivered.length, count + 1);
      const request = receiver.delivered[count];
      const header = request.headers['x-faultline-signature'] as string;
      assert.equal(header.match(/v1=/g)?.length, 2);
      const at = Math.floor(rotating.clock.now() / 1000);
      assert.ok(verifySignature(header, request.body, [SECRET], at));
      assert.ok(verifySignature(header, request.body, [NEXT_SECRET], at));
      assert.equal(verifySignature(header, request.body, ['whsec_unknown_000000'], at), false);
    } finally {
      await rotating.stop();
    }
  });

  it('sends no signature header when no secret is set', async () => {
    const unsigned = await startPipeline({ hook: { type: 'webhook', url: receiver.url, ...FAST } });
    try {
      const count = receiver.delivered.length;
      unsigned.pipeline.sink.send(firing());
      await unsigned.pipeline.idle();
      assert.equal(receiver.delivered.length, count + 1);
      assert.equal(receiver.delivered[count].headers['x-faultline-signature'], undefined);
    } finally {
      await unsigned.stop();
    }
  });

  it('leaves out the fields and labels the template hides', async () => {
    const hiding = await startPipeline({
      hook: {
        type: 'webhook',
        url: receiver.url,
        ...FAST,
        template: { fields: ['summary', 'labels', 'value', 'sample'], hide_labels: ['team', 'http.request.header.*'] },
      },
    });
    try {
      const count = receiver.delivered.length;
      hiding.pipeline.sink.send(
        firing({ labels: { service: 'checkout', team: 'payments', 'http.request.header.authorization': 'Bearer abc' } }),
      );
      await hiding.pipeline.idle();
      assert.equal(receiver.delivered.length, count + 1);
      const body = receiver.delivered[count].json();
      assert.deepEqual(body.labels, { service: 'checkout' });
      assert.deepEqual(body.annotations, { summary: 'More than 50 errors in 1m on checkout' });
      assert.equal(body.sample.stacktrace, undefined);
      assert.equal(body.sample.trace_id, undefined);
      assert.equal(body.threshold, undefined);
      assert.doesNotMatch(receiver.delivered[count].body.toString(), /Bearer abc/);
    } finally {
      await hiding.stop();
    }
  });

  it('cuts a long stack trace with "… N more lines"', async () => {
    const stacktrace = ['Error: boom', ...Array.from({ length: 100 }, (_, i) => `    at frame${i} (file.js:${i}:1)`)].join('\n');
    const request = await deliver({ sample: { ...firing().sample!, stacktrace } });
    const cut: string = request.json().sample.stacktrace;
    assert.equal(cut.split('\n').length, 21);
    assert.match(cut, /… 81 more lines$/);
  });
});
