import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INVALID, type ConfigProblem } from '../../src/config/schema.js';
import { CHANNELS } from '../../src/components.js';
import { channelsSchema, DELIVERY_DEFAULTS, type ChannelConfig, type ChannelsConfig } from '../../src/notify/config.js';
import type { EmailSettings } from '../../src/notify/email/config.js';
import type { PagerDutySettings } from '../../src/notify/pagerduty/config.js';

function decode(value: unknown) {
  const problems: ConfigProblem[] = [];
  const decoded = channelsSchema(CHANNELS).decode(value, 'exporters.alerts.channels', problems);
  return { decoded, problems };
}

describe('the channels schema', () => {
  it('decodes each channel type with every delivery default filled', () => {
    const { decoded, problems } = decode({
      ops: { type: 'webhook', url: 'https://hooks.example.com/x', secrets: ['s3cret-value'] },
      pd: { type: 'pagerduty', routing_key: 'R0UTINGKEY' },
      mail: { type: 'email', host: 'smtp.example.com', from: 'a@example.com', to: ['b@example.com'] },
      am: { type: 'alertmanager', urls: ['http://am-0:9093', 'http://am-1:9093'] },
    });
    assert.deepEqual(problems, []);
    assert.notEqual(decoded, INVALID);
    const channels = decoded as ChannelsConfig;
    assert.deepEqual([...channels.keys()], ['ops', 'pd', 'mail', 'am']);
    const pd = channels.get('pd') as ChannelConfig<PagerDutySettings>;
    assert.equal(pd.type === 'pagerduty' && pd.url, 'https://events.pagerduty.com/v2/enqueue');
    assert.deepEqual(channels.get('ops')!.delivery, DELIVERY_DEFAULTS);
    const mail = channels.get('mail') as ChannelConfig<EmailSettings>;
    assert.equal(mail.type === 'email' && mail.port, 587);
  });

  it('names the path of every problem and suggests the type meant', () => {
    const { decoded, problems } = decode({
      a: { type: 'slak', url: 'https://hooks.slack.com/x' },
      b: { type: 'email', host: 'h', from: 'f', to: [] },
      c: { url: 'https://x' },
      d: { type: 'webhook', url: 'https://x', retry: { max_attempts: 0 }, colour: 'red' },
    });
    assert.equal(decoded, INVALID);
    assert.deepEqual(
      problems.map((problem) => problem.path),
      [
        'exporters.alerts.channels.a.type',
        'exporters.alerts.channels.b.to',
        'exporters.alerts.channels.c.type',
        'exporters.alerts.channels.d.colour',
        'exporters.alerts.channels.d.retry.max_attempts',
      ],
    );
    assert.match(problems[0].message, /did you mean "slack"/);
  });

  it('never repeats a bad URL or secret in a problem', () => {
    const { problems } = decode({ hook: { type: 'slack', url: 'hooks.slack.com/services/T0/B0/SECRETTOKEN' } });
    assert.equal(problems.length, 1);
    assert.doesNotMatch(problems[0].message, /SECRETTOKEN/);
  });

  it('lists key paths per channel type, as components are listed', () => {
    const paths = channelsSchema(CHANNELS).keyPaths('exporters.alerts.channels');
    assert.ok(paths.includes('exporters.alerts.channels.webhook.secrets'));
    assert.ok(paths.includes('exporters.alerts.channels.alertmanager.urls'));
    assert.ok(paths.includes('exporters.alerts.channels.email.circuit_breaker.open_duration'));
  });
});
