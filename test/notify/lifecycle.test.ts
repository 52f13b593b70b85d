// Channels have a lifecycle: a channel that holds connections (SMTP, later a Kafka producer) is
// closed when the delivery pipeline shuts down, once, and only after its last attempt has ended.
// idle() is what the other notify tests wait on instead of polling: no attempt in flight or due.
// The channels are the real ones from the channel table, watched through the createNotifier seam.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChannelNotifier } from '../../src/notify/channel.js';
import { CHANNELS } from '../../src/components.js';
import { createChannelNotifier } from '../../src/notify/channels.js';
import type { ChannelConfig } from '../../src/notify/config.js';
import { eventually } from '../helpers/faultline.js';
import { startMockKafka } from '../helpers/kafka.js';
import { FAST, firing, startPipeline } from './helpers/notifications.js';
import { startReceiver } from './helpers/receiver.js';

/** The real notifier for `config`, with every notify() and close() written to `events`. */
function watched(events: string[]) {
  return (config: ChannelConfig, deps: Parameters<typeof createChannelNotifier>[2]): ChannelNotifier => {
    const real = createChannelNotifier(CHANNELS, config, deps);
    return {
      ...real,
      name: real.name,
      secrets: real.secrets,
      async notify(notification, signal) {
        events.push(`notify ${real.name}`);
        const result = await real.notify(notification, signal);
        events.push(`${result.outcome} ${real.name}`);
        return result;
      },
      async close() {
        events.push(`close ${real.name}`);
        await real.close?.();
      },
    };
  };
}

describe('channel lifecycle', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('closes every channel once at shutdown, after the attempt in flight has ended', async () => {
    const hanging = await startReceiver(() => 'hang');
    const fine = await startReceiver();
    cleanup.push(() => hanging.close(), () => fine.close());
    const events: string[] = [];
    const faultline = await startPipeline(
      {
        hook: { type: 'webhook', url: hanging.url, ...FAST, timeout: '200ms' },
        slack: { type: 'slack', url: `${fine.url}/services/T0/B0/X`, ...FAST },
        discord: { type: 'discord', url: `${fine.url}/api/webhooks/1/abc`, ...FAST },
        pagerduty: { type: 'pagerduty', url: `${fine.url}/v2/enqueue`, routing_key: 'R0UT1NGKEY0000000000000000000000', ...FAST },
        mail: { type: 'email', host: '127.0.0.1', port: 1, from: 'faultline@example.org', to: ['oncall@example.org'], ...FAST },
        am: { type: 'alertmanager', urls: [fine.url], ...FAST },
      },
      { createNotifier: watched(events) },
    );
    faultline.pipeline.sink.send(firing({ channels: ['hook'] }));
    // The attempt starts once the outbox row is written.
    await eventually(() => events.length > 0);
    assert.deepEqual(events, ['notify hook'], 'the attempt is in flight when shutdown begins');

    await faultline.stop();
    await faultline.stop();

    const closes = events.filter((event) => event.startsWith('close ')).sort();
    assert.deepEqual(closes, ['close am', 'close discord', 'close hook', 'close mail', 'close pagerduty', 'close slack']);
    assert.ok(events.indexOf('retryable hook') < events.indexOf('close hook'), `closed before the attempt ended: ${events.join(', ')}`);
  });

  it("closes the kafka channel's producer once at shutdown, after it delivered to a real Kafka protocol peer", async () => {
    const kafka = await startMockKafka('faultline.alerts');
    cleanup.push(() => kafka.stop());
    const events: string[] = [];
    const stream = { type: 'kafka', brokers: [kafka.bootstrap], topic: 'faultline.alerts', producer: { idempotent: false }, ...FAST };
    const faultline = await startPipeline({ stream }, { createNotifier: watched(events) });
    faultline.pipeline.sink.send(firing({ channels: ['stream'] }));
    await kafka.waitFor('the notification', (records) => records.length === 1);
    await faultline.pipeline.idle();
    await faultline.stop();
    await faultline.stop();
    assert.deepEqual(events, ['notify stream', 'delivered stream', 'close stream']);
  });

  it('is idle once the attempt in flight has ended, while a retry waits for the clock', async () => {
    const hanging = await startReceiver(() => 'hang');
    cleanup.push(() => hanging.close());
    const events: string[] = [];
    const faultline = await startPipeline({ hook: { type: 'webhook', url: hanging.url, ...FAST, timeout: '200ms' } }, { createNotifier: watched(events) });
    cleanup.push(() => faultline.stop());
    faultline.pipeline.sink.send(firing({ channels: ['hook'] }));
    await faultline.pipeline.idle();
    assert.deepEqual(events, ['notify hook', 'retryable hook']);
    assert.equal(await faultline.metric('faultline_notification_queue_items', { channel: 'hook' }), 1, 'the retry is still queued');
    faultline.clock.advance(60_000);
    faultline.pipeline.wake();
    await faultline.pipeline.idle();
    assert.deepEqual(events, ['notify hook', 'retryable hook', 'notify hook', 'retryable hook']);
  });
});
