import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import { groupKeyOf } from '../../src/alert/build-notification.js';
import { eventOf } from '../group/store/store-fixtures.js';
import {
  errorEvent,
  groupSignal,
  harness,
  harnessWithGroups,
  PUBLIC_URL,
  HOUR,
  metricValue,
  MINUTE,
  SECOND,
  sendErrors,
  sendSpans,
  extracted,
} from './alert-fixtures.js';

const errorRatioRule = {
  name: 'checkout-error-ratio',
  type: 'error_ratio',
  threshold: 0.05,
  min_requests: 100,
  window: '5m',
  cooldown: '5m',
  severity: 'high',
  annotations: { summary: '{{ service }} fails {{ value }} of requests (threshold {{ threshold }})' },
};

describe('threshold rules', () => {
  const rule = { name: 'many-errors', type: 'threshold', threshold: 50, window: '1m', notify_resolved: true };

  it('fires once when more than 50 errors arrive within a minute, with the group and the value', () => {
    const h = harness({ rules: [rule] });
    sendErrors(h, 51);
    const transitions = h.tickAfter(SECOND);
    assert.equal(h.sink.sent.length, 1);
    const [sent] = h.sink.sent;
    assert.equal(sent.state, 'firing');
    assert.equal(sent.value, 51);
    assert.deepEqual(sent.labels, { service: 'checkout', environment: 'production' });
    assert.equal(sent.sample?.type, 'TypeError');
    assert.equal(sent.groupKey, groupKeyOf('many-errors', { service: 'checkout', environment: 'production' }));
    assert.deepEqual(transitions.map((t) => [t.from, t.to]), [['inactive', 'firing']]);
  });

  it('stays quiet at exactly 50 errors with ">", and fires with ">="', () => {
    const strict = harness({ rules: [rule] });
    sendErrors(strict, 50);
    strict.tickAfter(SECOND);
    assert.equal(strict.sink.sent.length, 0);
    const inclusive = harness({ rules: [{ ...rule, operator: '>=' }] });
    sendErrors(inclusive, 50);
    inclusive.tickAfter(SECOND);
    assert.equal(inclusive.sink.sent.length, 1);
  });

  it('resolves when the errors slide out of the window, with start and end times', () => {
    const h = harness({ rules: [rule] });
    sendErrors(h, 60);
    h.tickAfter(SECOND);
    const startsAt = h.clock.now();
    h.tickAfter(30 * SECOND);
    assert.equal(h.sink.sent.length, 1, 'still inside the window');
    h.tickAfter(31 * SECOND);
    const resolved = h.sink.resolved();
    assert.equal(resolved.length, 1);
    assert.equal(resolved[0].startsAt, startsAt);
    assert.equal(resolved[0].endsAt, h.clock.now());
  });

  it('counts only the events its filter matches, exact or by regex', () => {
    const h = harness({
      rules: [{ ...rule, threshold: 2, filter: { service: ['/check.*/'], level: ['error', 'fatal'], exception_type: 'TimeoutError' } }],
    });
    sendErrors(h, 3, { type: 'TimeoutError' });
    sendErrors(h, 3, { type: 'TypeError' });
    sendErrors(h, 3, { type: 'TimeoutError', level: 'warning' });
    sendErrors(h, 3, { type: 'TimeoutError', service: 'payments' });
    h.tickAfter(SECOND);
    assert.equal(h.sink.sent.length, 1);
    assert.equal(h.sink.sent[0].value, 3);
  });

  it('sends no resolve when notify_resolved is off', () => {
    const h = harness({ rules: [{ ...rule, notify_resolved: false }] });
    sendErrors(h, 60);
    h.tickAfter(SECOND);
    h.tickAfter(2 * MINUTE);
    assert.deepEqual(h.sink.sent.map((n) => n.state), ['firing']);
  });
});

describe('the sample error of an alert', () => {
  const rule = { name: 'any-error', type: 'threshold', threshold: 0, window: '1m' };
  const exception = { source: 'span', type: 'KeyError', message: 'cart 42' } as const;
  const spanStatus = { source: 'span_status', type: 'SpanError', message: 'GET /cart failed', stacktrace: '' } as const;

  it('is the exception, not the span that only ended in ERROR after it', () => {
    const h = harness({ rules: [rule] });
    h.evaluator.consume(extracted([errorEvent(exception), errorEvent(spanStatus)]));
    h.tickAfter(SECOND);
    assert.equal(h.sink.sent[0].sample?.type, 'KeyError');
    assert.equal(h.sink.sent[0].sample?.message, 'cart 42');
  });

  it('prefers an exception with a stack trace, and the latest among equals', () => {
    const h = harness({ rules: [rule] });
    h.evaluator.consume(extracted([errorEvent({ ...exception, message: 'first' }), errorEvent({ ...exception, message: 'bare', stacktrace: '' }), errorEvent({ ...exception, message: 'latest' })]));
    h.tickAfter(SECOND);
    assert.equal(h.sink.sent[0].sample?.message, 'latest');
  });

  it('is the failed span when no exception came within the window', () => {
    const h = harness({ rules: [{ ...rule, repeat: 'cooldown', cooldown: '1m' }] });
    h.evaluator.consume(extracted([errorEvent(spanStatus)]));
    h.tickAfter(SECOND);
    assert.equal(h.sink.sent[0].sample?.type, 'SpanError');
    h.evaluator.consume(extracted([errorEvent(exception)]));
    h.clock.advance(2 * MINUTE);
    h.evaluator.consume(extracted([errorEvent({ ...spanStatus, message: 'newer' })]));
    h.tickAfter(SECOND);
    assert.equal(h.sink.sent.at(-1)?.sample?.message, 'newer', 'an exception older than the window gives way');
  });
});

describe('error_ratio rules', () => {
  it('fire above 5% once at least 100 requests were seen, with the value templated', () => {
    const h = harness({ rules: [errorRatioRule] });
    sendSpans(h, 100, { errors: 6 });
    h.tickAfter(SECOND);
    assert.equal(h.sink.sent.length, 1);
    assert.equal(h.sink.sent[0].value, 0.06);
    assert.equal(h.sink.sent[0].annotations.summary, 'checkout fails 6% of requests (threshold 5%)');
    assert.equal(h.sink.sent[0].severity, 'high');
  });

  it('stay quiet below min_requests however high the ratio', () => {
    const h = harness({ rules: [errorRatioRule] });
    sendSpans(h, 99, { errors: 50 });
    h.tickAfter(SECOND);
    assert.equal(h.sink.sent.length, 0);
    sendSpans(h, 1);
    h.tickAfter(SECOND);
    assert.equal(h.sink.sent.length, 1, 'the hundredth request makes the ratio count');
  });

  it('keep one alert per service', () => {
    const h = harness({ rules: [errorRatioRule] });
    sendSpans(h, 100, { errors: 10, service: 'checkout' });
    sendSpans(h, 100, { errors: 10, service: 'payments' });
    sendSpans(h, 100, { errors: 1, service: 'search' });
    h.tickAfter(SECOND);
    assert.deepEqual(h.sink.sent.map((n) => n.labels.service).sort(), ['checkout', 'payments']);
  });
});

describe('latency rules', () => {
  const rule = { name: 'slow-checkout', type: 'latency', quantile: 'p95', threshold: '2s', window: '5m', cooldown: '10m' };

  it('fire when p95 of span durations is above 2s, measured within 5%', () => {
    const h = harness({ rules: [rule] });
    sendSpans(h, 90, { seconds: 0.2 });
    sendSpans(h, 10, { seconds: 3 });
    h.tickAfter(SECOND);
    assert.equal(h.sink.sent.length, 1);
    assert.ok(Math.abs(h.sink.sent[0].value - 3) / 3 < 0.05, `p95 ${h.sink.sent[0].value}`);
    assert.equal(h.sink.sent[0].threshold, 2);
  });

  it('stay quiet when only the slowest 4% are slow', () => {
    const h = harness({ rules: [rule] });
    sendSpans(h, 96, { seconds: 0.2 });
    sendSpans(h, 4, { seconds: 3 });
    h.tickAfter(SECOND);
    assert.equal(h.sink.sent.length, 0);
  });
});

describe('absent rules', () => {
  it('fire for an expected service that sends nothing for the window, and resolve when it returns', () => {
    const h = harness({ rules: [{ name: 'checkout-silent', type: 'absent', window: '5m', filter: { service: 'checkout' }, notify_resolved: true }] });
    h.tickAfter(4 * MINUTE);
    assert.equal(h.sink.sent.length, 0);
    h.tickAfter(MINUTE);
    assert.deepEqual(h.sink.sent.map((n) => [n.state, n.labels.service]), [['firing', 'checkout']]);
    sendSpans(h, 1);
    h.tickAfter(SECOND);
    assert.deepEqual(h.sink.sent.map((n) => n.state), ['firing', 'resolved']);
  });

  it('fire for a service that was seen and then went quiet', () => {
    const h = harness({ rules: [{ name: 'any-silent', type: 'absent', window: '2m' }] });
    sendErrors(h, 1, { service: 'payments' });
    h.tickAfter(MINUTE);
    sendErrors(h, 1, { service: 'search' });
    h.tickAfter(MINUTE);
    assert.deepEqual(h.sink.sent.map((n) => n.labels.service), ['payments']);
  });
});

describe('new_group and regression rules', () => {
  it('notify on the first event of a new group at once, without waiting for an evaluation', () => {
    const h = harness({ rules: [{ name: 'new-errors', type: 'new_group', annotations: { summary: 'New: {{ title }}' } }] });
    const transitions = h.evaluator.signal(groupSignal('new_group', 'f1', { message: 'cart 42 is empty' }));
    assert.equal(transitions.length, 1);
    assert.equal(h.sink.sent.length, 1);
    assert.equal(h.sink.sent[0].annotations.summary, 'New: TypeError: cart 42 is empty');
    assert.equal(h.sink.sent[0].labels.fingerprint, 'f1');
    h.evaluator.signal(groupSignal('new_group', 'f2'));
    assert.equal(h.sink.sent.length, 2, 'another group is another alert');
  });

  it('treat the first event of a service and exception type as new when events carry no grouping', () => {
    const h = harness({ rules: [{ name: 'new-errors', type: 'new_group' }] });
    sendErrors(h, 3, { type: 'KeyError' });
    sendErrors(h, 1, { type: 'ValueError' });
    assert.deepEqual(h.sink.sent.map((n) => n.labels.exception_type), ['KeyError', 'ValueError']);
  });

  it('alert a regression with the latest message, and ignore it in new_group rules (the group is not new)', () => {
    const h = harness({ rules: [{ name: 'new-errors', type: 'new_group' }, { name: 'regressions', type: 'regression' }] });
    h.evaluator.signal(groupSignal('regression', 'f1', { message: 'seen again in 1.3', serviceVersion: '1.3' }));
    assert.equal(h.sink.sent.length, 1);
    assert.equal(h.sink.sent[0].rule, 'regressions');
    assert.equal(h.sink.sent[0].sample?.message, 'seen again in 1.3');
    assert.match(h.sink.sent[0].annotations.summary, /latest: seen again in 1\.3/);
  });

  it('resolve a new group alert a window after its last signal', () => {
    const h = harness({ rules: [{ name: 'new-errors', type: 'new_group', window: '10m', notify_resolved: true }] });
    h.evaluator.signal(groupSignal('new_group', 'f1'));
    h.tickAfter(9 * MINUTE);
    assert.equal(h.sink.resolved().length, 0);
    h.tickAfter(MINUTE);
    assert.equal(h.sink.resolved().length, 1);
  });
});

describe('links to the error group', () => {
  it('give a new group alert the id and link of the group the store opened, in its templates too', async () => {
    const h = await harnessWithGroups({
      rules: [{ name: 'new-errors', type: 'new_group', annotations: { summary: 'new group {{ group_id }}', runbook: 'open {{ group_url }}' } }],
    });
    await h.record([eventOf('f1')]);
    const id = (await h.store.list({ sort: 'last_seen', limit: 10, offset: 0 })).groups[0]!.id;
    const [sent] = h.sink.sent;
    assert.deepEqual(sent.group, { id, url: `${PUBLIC_URL}/api/v1/groups/${id}` });
    assert.equal(sent.annotations.summary, `new group ${id}`);
    assert.equal(sent.annotations.runbook, `open ${PUBLIC_URL}/api/v1/groups/${id}`);
  });

  it('give a regression alert its group, and a threshold alert per fingerprint its group, but not one per service', async () => {
    const h = await harnessWithGroups({
      rules: [
        { name: 'regressions', type: 'regression' },
        { name: 'per-fingerprint', type: 'threshold', threshold: 1, group_by: ['service', 'fingerprint'] },
        { name: 'per-service', type: 'threshold', threshold: 1 },
      ],
    });
    await h.record([eventOf('f1', { serviceVersion: '1.2' }), eventOf('f1', { serviceVersion: '1.2' })]);
    const group = (await h.store.list({ sort: 'last_seen', limit: 10, offset: 0 })).groups[0]!;
    await h.store.setState(group.id, 'resolved');
    await h.record([eventOf('f1', { serviceVersion: '1.3' })]);
    h.tickAfter(SECOND);
    const byRule = new Map(h.sink.sent.map((n) => [n.rule, n]));
    assert.deepEqual([...byRule.keys()].sort(), ['per-fingerprint', 'per-service', 'regressions']);
    assert.equal(byRule.get('regressions')?.group?.id, group.id);
    assert.equal(byRule.get('per-fingerprint')?.group?.url, `${PUBLIC_URL}/api/v1/groups/${group.id}`);
    assert.equal(byRule.get('per-service')?.group, undefined);
  });

  it('point a resolve sent after a merge to the group it went into', async () => {
    const h = await harnessWithGroups({ rules: [{ name: 'new-errors', type: 'new_group', window: '10m', notify_resolved: true }] });
    await h.record([eventOf('f1')]);
    await h.record([eventOf('f2')]);
    const idOf = async (fingerprint: string) => (await h.store.groupOf('checkout', fingerprint))!.id;
    const [first, second] = [await idOf('f1'), await idOf('f2')];
    assert.deepEqual(h.sink.sent.map((n) => n.group?.id), [first, second]);
    await h.store.merge(first!, second!);
    h.tickAfter(10 * MINUTE);
    assert.deepEqual(h.sink.resolved().map((n) => n.group?.id), [second, second]);
  });

  it('are absent, and their templates empty, when no group store holds the group', () => {
    const h = harness({ rules: [{ name: 'new-errors', type: 'new_group', annotations: { summary: '[{{ group_id }}]' } }] });
    sendErrors(h, 1, { type: 'KeyError' });
    assert.equal(h.sink.sent[0].group, undefined);
    assert.equal(h.sink.sent[0].annotations.summary, '[]');
  });
});

describe('for', () => {
  const rule = { name: 'sustained', type: 'threshold', threshold: 0, window: '1m', for: '2m' };

  it('holds a group pending until the condition has lasted for, then fires', async () => {
    const h = harness({ rules: [rule] });
    for (let elapsed = 0; elapsed <= 2 * MINUTE; elapsed += 30 * SECOND) {
      sendErrors(h, 1);
      h.tickAfter(30 * SECOND);
      if (elapsed === 0) assert.equal(await metricValue(h.registry, 'faultline_alerts', { rule: 'sustained', state: 'pending' }), 1);
      if (elapsed < 2 * MINUTE) assert.equal(h.sink.sent.length, 0, `quiet at ${elapsed / 1000}s`);
    }
    assert.equal(h.sink.sent.length, 1);
    assert.equal(await metricValue(h.registry, 'faultline_alerts', { rule: 'sustained', state: 'firing' }), 1);
    assert.equal(await metricValue(h.registry, 'faultline_alerts', { rule: 'sustained', state: 'pending' }), 0);
  });

  it('drops a pending group whose condition clears before for has passed', () => {
    const h = harness({ rules: [rule] });
    sendErrors(h, 1);
    h.tickAfter(SECOND);
    h.tickAfter(2 * MINUTE);
    h.tickAfter(2 * MINUTE);
    assert.equal(h.sink.sent.length, 0);
  });
});

describe('notification ids (the idempotency key receivers and the outbox dedup on)', () => {
  const RULE = { rules: [{ name: 'busy', type: 'threshold', threshold: 10, window: '5m', cooldown: '1h', notify_resolved: true }] };
  /** One incident: it fires, then resolves once the errors stop. */
  function incident() {
    const h = harness(RULE, new ManualClock(1_700_000_000_000));
    sendErrors(h, 20);
    h.tickAfter(SECOND);
    h.tickAfter(10 * MINUTE);
    return h.sink.sent;
  }

  it('gives the same incident’s notifications the same ids wherever they are built (two replicas on the same data)', () => {
    const [one, two] = [incident(), incident()];
    assert.deepEqual(one.map((n) => n.state), ['firing', 'resolved']);
    assert.deepEqual(one.map((n) => n.id), two.map((n) => n.id));
  });

  it('names the incident’s start in both ids, so a firing and its resolve differ and the next incident gets new ones', () => {
    const [fired, resolvedOne] = incident();
    assert.notEqual(fired!.id, resolvedOne!.id);
    assert.equal(resolvedOne!.id, `${resolvedOne!.groupKey}-resolved-${fired!.startsAt}`);
  });
});

describe('cooldown and repeat', () => {
  /** Evaluates every minute for `hours` with the condition always true. */
  function fireContinuously(repeat: string, hours: number) {
    const h = harness({
      evaluation_interval: '1m',
      rules: [{ name: 'always', type: 'threshold', threshold: 0, window: '2m', cooldown: '1h', repeat }],
    });
    for (let minute = 0; minute < hours * 60; minute++) {
      sendErrors(h, 1);
      h.tickAfter(MINUTE);
    }
    return h;
  }

  it('with repeat: cooldown, notifies exactly once per hour while firing, though evaluated every minute', () => {
    const h = fireContinuously('cooldown', 5);
    // The id is <group key>-firing-<incident start>-<sent at>: one incident, reminders an hour apart.
    const times = h.sink.sent.map((n) => n.id.split('-')[3]).map(Number);
    assert.equal(h.sink.sent.length, 5);
    assert.equal(new Set(h.sink.sent.map((n) => n.id.split('-')[2])).size, 1, 'every reminder names the same incident start');
    for (let i = 1; i < times.length; i++) assert.equal(times[i] - times[i - 1], HOUR);
  });

  it('with repeat: never, notifies once per incident however long it fires', () => {
    const h = fireContinuously('never', 5);
    assert.equal(h.sink.sent.length, 1);
  });

  it('refreshes the sink after every evaluation with every announced firing alert', () => {
    const h = fireContinuously('never', 1);
    assert.equal(h.sink.refreshes.length, 60);
    assert.ok(h.sink.refreshes.every((firing) => firing.length === 1 && firing[0].rule === 'always'));
  });
});

describe('flapping: a condition that toggles must not page on every toggle, nor lose a real re-fire', () => {
  /** The condition toggles every 30s for 10 minutes; evaluation every 15s. */
  function flap(rule: Record<string, unknown>) {
    const h = harness({ rules: [{ name: 'flappy', type: 'threshold', threshold: 0, window: '30s', cooldown: '5m', ...rule }] });
    for (let elapsed = 0; elapsed < 10 * MINUTE; elapsed += 15 * SECOND) {
      if (Math.floor(elapsed / (30 * SECOND)) % 2 === 0) sendErrors(h, 1);
      h.tickAfter(15 * SECOND);
    }
    return h;
  }

  it('bounds notifications by the cooldown: a re-fire inside it is silent', () => {
    const h = flap({ notify_resolved: true });
    // The first incident, its resolve, then one re-fire once the cooldown allows, and its resolve.
    assert.ok(h.sink.firing().length <= 2, `${h.sink.firing().length} firing notifications`);
    assert.ok(h.sink.resolved().length <= h.sink.firing().length);
  });

  it('still notifies a re-fire after a resolve once the cooldown allows, even with resolves off', () => {
    const h = flap({ notify_resolved: false });
    assert.equal(h.sink.firing().length, 2);
    const [first, second] = h.sink.firing();
    assert.ok(second.startsAt - first.startsAt >= 5 * MINUTE);
  });

  it('with keep_firing_for, is one incident with one resolve carrying its start and end', () => {
    const h = flap({ notify_resolved: true, keep_firing_for: '1m' });
    h.tickAfter(2 * MINUTE);
    assert.equal(h.sink.firing().length, 1);
    assert.equal(h.sink.resolved().length, 1);
    const resolved = h.sink.resolved()[0];
    assert.equal(resolved.startsAt, h.sink.firing()[0].startsAt);
    assert.ok(resolved.endsAt! - resolved.startsAt >= 9 * MINUTE);
  });
});

describe('count thresholds per fingerprint and environment: each series alerts on its own count', () => {
  it('alerts once per rule, fingerprint and environment per cooldown; events 101 and 102 do not re-alert', () => {
    const h = harness({
      evaluation_interval: '1m',
      rules: [{ name: 'busy', type: 'threshold', threshold: 100, window: '1h', cooldown: '3h', repeat: 'cooldown', group_by: ['fingerprint', 'environment'] }],
    });
    sendErrors(h, 101, { environment: 'prod' });
    h.tickAfter(MINUTE);
    assert.equal(h.sink.sent.length, 1);
    sendErrors(h, 1, { environment: 'prod' });
    h.tickAfter(MINUTE);
    sendErrors(h, 1, { environment: 'prod' });
    h.tickAfter(MINUTE);
    assert.equal(h.sink.sent.length, 1, 'events 101 and 102 do not re-alert');
    sendErrors(h, 101, { environment: 'staging' });
    h.tickAfter(MINUTE);
    assert.deepEqual(h.sink.sent.map((n) => n.labels.environment), ['prod', 'staging']);
    for (let minute = 0; minute < 3 * 60; minute++) {
      sendErrors(h, 2, { environment: 'prod' });
      h.tickAfter(MINUTE);
    }
    assert.equal(h.sink.sent.filter((n) => n.labels.environment === 'prod').length, 2, 'once more after the 3h cooldown');
  });
});

describe('bounds', () => {
  it('tracks at most max_groups groups per rule and counts the refusals', async () => {
    const h = harness({ max_groups: 2, rules: [{ name: 'per-service', type: 'threshold', threshold: 0, group_by: ['service'] }] });
    for (const service of ['a', 'b', 'c', 'c']) sendErrors(h, 1, { service });
    h.tickAfter(SECOND);
    assert.deepEqual(h.sink.sent.map((n) => n.labels.service), ['a', 'b']);
    assert.equal(await metricValue(h.registry, 'faultline_alert_limit_hits_total', { rule: 'per-service', limit: 'max_groups' }), 2);
  });

  it('gives each group a stable groupKey of its rule and labels, different per group', () => {
    const a = groupKeyOf('rule', { service: 'a', environment: 'prod' });
    assert.equal(a, groupKeyOf('rule', { environment: 'prod', service: 'a' }));
    assert.notEqual(a, groupKeyOf('rule', { service: 'b', environment: 'prod' }));
    assert.notEqual(a, groupKeyOf('other', { service: 'a', environment: 'prod' }));
  });
});
