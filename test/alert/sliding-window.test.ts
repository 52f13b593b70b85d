import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrls } from '../../src/alert/alerts-api.js';
import { CountWindow, countLayout, LatencyWindow, latencyLayout } from '../../src/alert/sliding-window.js';

const T0 = 1_700_000_000_000;

describe('sliding windows', () => {
  it('count what arrived within the window and forget older slots', () => {
    const window = new CountWindow(countLayout(60_000), 1);
    window.add(T0, 0, 5);
    window.add(T0 + 30_000, 0, 2);
    assert.equal(window.sum(T0 + 30_000, 0), 7);
    assert.equal(window.sum(T0 + 60_500, 0), 2, 'the first slot has slid out');
    assert.equal(window.isEmpty(T0 + 200_000), true);
  });

  it('reuse a slot when its time comes round again', () => {
    const window = new CountWindow(countLayout(10_000), 2);
    window.add(T0, 1, 3);
    window.add(T0 + 10_000, 1, 1);
    assert.equal(window.sum(T0 + 10_000, 1), 1);
  });

  it('use at most 120 slots however long the window is', () => {
    assert.deepEqual(countLayout(3_600_000), { slotMs: 30_000, slots: 120 });
    assert.deepEqual(countLayout(60_000), { slotMs: 1000, slots: 60 });
  });

  it('measure latency quantiles within 5%', () => {
    const window = new LatencyWindow(latencyLayout(300_000));
    for (let i = 1; i <= 1000; i++) window.add(T0 + i, i / 100);
    for (const [q, expected] of [[0.5, 5], [0.95, 9.5], [0.99, 9.9]] as const) {
      const { seconds, count } = window.quantile(T0 + 2000, q);
      assert.equal(count, 1000);
      assert.ok(Math.abs(seconds - expected) / expected <= 0.05, `q${q}: ${seconds} against ${expected}`);
    }
  });
});

describe('API answers', () => {
  it('cut URLs in delivery reasons to their origin, so webhook tokens never show', () => {
    const reason = 'POST https://hooks.slack.com/services/T000/B000/XXXXSECRET failed: 500';
    assert.equal(redactUrls(reason), 'POST https://hooks.slack.com/… failed: 500');
  });
});
