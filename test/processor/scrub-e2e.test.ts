import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { post } from '../helpers/http.js';
import { sampleValue, sumSamples } from '../helpers/prom-text.js';

const SECRETS = ['hunter2-Xq9', 'alice.leak@example.com', '4111 1111 1111 1111', 'ghp_1234567890abcdefghijklmnopqrstuvwxyzAB', '198.51.100.23'];

/** A filter that drops any event still carrying the password: it only sees what scrubbing left. */
function config(scrub: string): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  errors: {}
  identity: { settle_time: 100ms }
  ${scrub}
  filter:
    rules:
      - name: leaked-password
        message: hunter2
exporters:
  prometheus: {}
service:
  pipelines:
    traces: { receivers: [otlp], processors: [errors, identity, ${scrub === '' ? '' : 'scrub, '}filter], exporters: [prometheus] }
    logs: { receivers: [otlp], processors: [errors, identity, ${scrub === '' ? '' : 'scrub, '}filter], exporters: [prometheus] }
  telemetry:
    logs: { level: debug }
    metrics: { address: 127.0.0.1:0 }
`;
}

const string = (value: string) => ({ stringValue: value });
const resource = { attributes: [{ key: 'service.name', value: string('shop') }] };

const spans = {
  resourceSpans: [
    {
      resource,
      scopeSpans: [
        {
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              name: 'POST /login',
              kind: 2,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000300000000',
              status: { code: 2 },
              attributes: [
                { key: 'http.request.header.authorization', value: { arrayValue: { values: [string(`token ${SECRETS[3]}`)] } } },
                { key: 'client.address', value: string(SECRETS[4]) },
              ],
              events: [
                {
                  name: 'exception',
                  attributes: [
                    { key: 'exception.type', value: string('LoginError') },
                    { key: 'exception.message', value: string(`bad login password=${SECRETS[0]} for ${SECRETS[1]}`) },
                    { key: 'exception.stacktrace', value: string(`LoginError: card ${SECRETS[2]}\n    at login (/app/a.js:1:1)`) },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  ],
};

const logs = {
  resourceLogs: [
    {
      resource,
      scopeLogs: [
        {
          logRecords: [
            {
              timeUnixNano: '1700000000000000000',
              severityNumber: 17,
              body: string('login failed'),
              attributes: [
                { key: 'exception.type', value: string('LoginError') },
                { key: 'exception.message', value: string(`retry with password=${SECRETS[0]}`) },
                { key: 'user.email', value: string(SECRETS[1]) },
              ],
            },
          ],
        },
      ],
    },
  ],
};

async function send(faultline: RunningFaultline): Promise<void> {
  const json = { 'content-type': 'application/json' };
  assert.equal((await post(`${faultline.httpUrl}/v1/traces`, JSON.stringify(spans), json)).status, 200);
  assert.equal((await post(`${faultline.httpUrl}/v1/logs`, JSON.stringify(logs), json)).status, 200);
}

const seen = (text: string) => sumSamples(text, 'faultline_errors_total', { exception_type: 'LoginError' });
const dropped = (text: string) => sumSamples(text, 'faultline_events_filtered_total', { rule: 'leaked-password' });

describe('scrubbing in a running Faultline', () => {
  it('scrubs by default before any listed processor, and no secret reaches /metrics or the logs', async (t) => {
    const faultline = await startFaultline(config(''));
    t.after(() => faultline.stop());
    await send(faultline);
    await eventually(async () => seen(await faultline.scrape()) === 2);
    const metrics = await faultline.scrape();
    assert.equal(dropped(metrics), 0, 'the filter never saw the password');
    assert.ok(sumSamples(metrics, 'faultline_scrubbed_values_total', { processor: 'implicit.scrub' }) >= 5);
    assert.ok((sampleValue(metrics, 'faultline_scrubbed_values_total', { processor: 'implicit.scrub', kind: 'attribute_key' }) ?? 0) >= 1);
    await faultline.stop();
    const logText = JSON.stringify(faultline.logs);
    for (const secret of SECRETS) {
      assert.ok(!metrics.includes(secret), `${secret} in /metrics`);
      assert.ok(!logText.includes(secret), `${secret} in the logs`);
    }
  });

  it('lets a pipeline opt out with an explicit scrub that is disabled', async (t) => {
    const faultline = await startFaultline(config('scrub: { enabled: false }'));
    t.after(() => faultline.stop());
    await send(faultline);
    await eventually(async () => dropped(await faultline.scrape()) === 2);
    const metrics = await faultline.scrape();
    assert.equal(seen(metrics), 0);
    assert.equal(sumSamples(metrics, 'faultline_scrubbed_values_total'), 0);
  });
});
