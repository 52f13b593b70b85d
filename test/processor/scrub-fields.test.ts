// The short fields that become labels, titles and sample fields (exception type, span name, route,
// method, service, release, environment), the span timings behind the span metrics and the SERVER
// spans the identity processor copies onto events: scrubbed by the scrub processor with the same
// rules as messages, before any later stage sees them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScrubProcessorConfig } from '../../src/processor/scrub/config.js';
import type { ErrorEvent, Extracted } from '../../src/extract/error-event.js';
import { extractFromTraces } from '../../src/extract/from-spans.js';
import { IMPLICIT_GROUP_PROCESSOR } from '../../src/group/config.js';
import { createGroupProcessor } from '../../src/group/group-processor.js';
import { chainStages } from '../../src/pipeline/processor.js';
import { IMPLICIT_IDENTITY } from '../../src/processor/identity/config.js';
import { createIdentityProcessor } from '../../src/processor/identity/identity-processor.js';
import { IMPLICIT_SCRUB } from '../../src/processor/scrub/config.js';
import { createScrubProcessor } from '../../src/processor/scrub/scrub-processor.js';
import { attributes, decodeTraces, errorStatus, exceptionEvent, extractOptions, span } from '../extract/fixtures.js';
import { errorEvent, spanTiming } from '../metrics/metric-fixtures.js';
import { buildContext, metricValue } from './build-context.js';

const GITHUB = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const OTHER_GITHUB = 'ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';
const SLACK_HOOK = 'https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/cCcCcCcCcCcCcCcCcCcCcCcC';

function scrub(overrides: Partial<ScrubProcessorConfig> = {}) {
  const context = buildContext();
  const config: ScrubProcessorConfig = { ...IMPLICIT_SCRUB, id: 'scrub', ...overrides };
  return { context, processor: createScrubProcessor(config, context).processor };
}

const batch = (events: ErrorEvent[], timings = [spanTiming()]): Extracted => ({ events, timings, skippedExceptions: 0 });

describe('the scrub processor on the fields that become labels', () => {
  it('masks secrets in the exception type, span name, route, method, service, release and environment', () => {
    const { processor } = scrub();
    const [event] = processor.process(
      batch([
        errorEvent({
          type: `InvalidTokenError[${GITHUB}]`,
          spanName: `GET /login?token=${GITHUB}`,
          httpRoute: `/hooks/${SLACK_HOOK}`,
          httpMethod: `GET ${GITHUB}`,
          service: `checkout ${SLACK_HOOK}`,
          serviceVersion: `https://ci:hunter2@git.example.com/shop.git#1.2.3`,
          environment: `prod-${GITHUB}`,
        }),
      ]),
    ).events;
    assert.equal(event!.type, 'InvalidTokenError[[redacted]]');
    assert.equal(event!.spanName, 'GET /login?token=[redacted]');
    assert.equal(event!.httpRoute, '/hooks/https://[redacted]');
    assert.equal(event!.httpMethod, 'GET [redacted]');
    assert.equal(event!.service, 'checkout https://[redacted]');
    assert.equal(event!.serviceVersion, 'https://[redacted]@git.example.com/shop.git#1.2.3');
    assert.equal(event!.environment, 'prod-[redacted]');
  });

  it('keeps class names, routes and service names that carry no secret', () => {
    const { processor } = scrub();
    const event = errorEvent({ type: 'Token.Error', spanName: 'GET /users/:id', httpRoute: '/users/:id' });
    const input = batch([event]);
    assert.equal(processor.process(input), input);
  });

  it('masks span timings, so a span name with a token reaches the span metrics as one scrubbed label value', () => {
    const { processor } = scrub();
    const timings = [
      spanTiming({ spanName: `GET /login?token=${GITHUB}` }),
      spanTiming({ spanName: `GET /login?token=${OTHER_GITHUB}` }),
      spanTiming({ spanName: 'GET /health' }),
      spanTiming({ service: `svc ${SLACK_HOOK}` }),
    ];
    const out = processor.process(batch([], timings)).timings;
    assert.deepEqual(
      out.map((timing) => [timing.service, timing.spanName]),
      [
        ['checkout', 'GET /login?token=[redacted]'],
        ['checkout', 'GET /login?token=[redacted]'],
        ['checkout', 'GET /health'],
        ['svc https://[redacted]', 'POST /checkout'],
      ],
    );
    assert.equal(out[2], timings[2], 'a timing without findings is handed on as it was');
    assert.equal(new Set(out.map((timing) => timing.spanName)).size, 3, 'two tokens, one label value');
  });

  it('counts a secret in a repeated span name once per span, with the cache on or off', async () => {
    for (const cacheSize of [2048, 0]) {
      const { processor, context } = scrub({ cacheSize });
      const timings = Array.from({ length: 5 }, () => spanTiming({ spanName: `GET /repos/${GITHUB}` }));
      for (let round = 0; round < 3; round++) {
        const out = processor.process(batch([], timings)).timings;
        assert.ok(out.every((timing) => timing.spanName === 'GET /repos/[redacted]'), `cache_size ${cacheSize}`);
      }
      assert.equal(await metricValue(context, 'faultline_scrubbed_values_total', { kind: 'known_token' }), 15, `cache_size ${cacheSize}`);
    }
  });

  it('gives the identity processor SERVER spans whose name and route are scrubbed, and no made-up method', () => {
    const context = buildContext();
    const scrubStage = createScrubProcessor({ ...IMPLICIT_SCRUB, id: 'scrub' }, context);
    const group = createGroupProcessor(IMPLICIT_GROUP_PROCESSOR, context);
    const identity = createIdentityProcessor({ ...IMPLICIT_IDENTITY, settleTimeMs: 5_000 }, context);
    const out: ErrorEvent[] = [];
    const timingNames: string[] = [];
    const pipeline = chainStages(
      [
        { name: 'processor.scrub', ...scrubStage },
        { name: 'processor.group', ...group },
        { name: 'processor.identity', ...identity },
      ],
      { consume: (b) => (out.push(...b.events), timingNames.push(...b.timings.map((t) => t.spanName))) },
      { includeHandledExceptions: true },
      (stage, error) => {
        throw new Error(`${stage} failed`, { cause: error });
      },
    );
    const server = span({
      spanId: '1000000000000001',
      name: `GET /login?token=${GITHUB}`,
      ...errorStatus(),
      attributes: attributes({ 'http.route': `/login/${OTHER_GITHUB}`, 'http.request.method': `X-${GITHUB}`, 'http.response.status_code': 500 }),
    });
    const layer = span({
      spanId: '1000000000000002',
      parentSpanId: '1000000000000001',
      kind: 'SPAN_KIND_INTERNAL',
      name: 'layer',
      events: [exceptionEvent({ 'exception.type': 'TypeError', 'exception.message': 'boom' })],
    });
    pipeline.consume(extractFromTraces(decodeTraces([layer, server]), extractOptions()));
    context.clock.advance(5_000);
    identity.holding.settleDue();
    assert.equal(out.length, 1);
    assert.equal(out[0]!.spanName, 'GET /login?token=[redacted]');
    assert.equal(out[0]!.httpRoute, '/login/[redacted]');
    assert.equal(out[0]!.httpMethod, '_OTHER');
    assert.equal(out[0]!.httpStatusCode, 500);
    assert.ok(timingNames.length > 0 && timingNames.every((name) => !name.includes('ghp_')), timingNames.join());
  });
});
