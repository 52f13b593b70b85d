import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertsConfigWarnings } from '../../src/alert/config.js';
import { parseConfig } from '../helpers/config.js';
import { alertsConfig, decodeAlerts } from './alert-fixtures.js';

const CLASSIC_RULES = {
  channels: { ops: { type: 'webhook', url: 'http://127.0.0.1:9/hooks/ops' } },
  rules: [
    { name: 'error-rate', type: 'error_ratio', threshold: 0.05, min_requests: 100, window: '5m', cooldown: '5m', channels: ['ops'] },
    { name: 'slow', type: 'latency', quantile: 'p95', threshold: '2s', window: '5m', cooldown: '10m', channels: ['ops'] },
  ],
};

/** The problems of a config with one rule, as `path: message`. */
function problemsOf(rule: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
  return decodeAlerts({ rules: [rule], ...extra }).problems.map((p) => `${p.path}: ${p.message}`);
}

describe('the alerts exporter config', () => {
  it('reads the two classic rules with their defaults', () => {
    const config = alertsConfig(CLASSIC_RULES);
    assert.equal(config.evaluationIntervalMs, 15_000);
    const [ratio, latency] = config.rules;
    assert.equal(ratio.threshold, 0.05);
    assert.equal(ratio.minRequests, 100);
    assert.deepEqual(ratio.groupBy, ['service']);
    assert.equal(ratio.cooldownMs, 300_000);
    assert.equal(ratio.repeat, 'never');
    assert.equal(ratio.notifyResolved, false);
    assert.equal(latency.threshold, 2);
    assert.equal(latency.quantile, 0.95);
    assert.equal(latency.path, 'exporters.alerts.rules[1]');
  });

  it('is found under exporters in otel-config.yaml, with every problem at its YAML path', () => {
    const yaml = `
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } } }
exporters:
  alerts/ops:
    rules:
      - { name: impossible, type: error_ratio, threshold: 1, operator: '>' }
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [alerts/ops] }
`;
    const loaded = parseConfig(yaml, {});
    assert.equal(loaded.ok, false);
    assert.deepEqual(
      !loaded.ok && loaded.problems.map((p) => p.path),
      ['exporters.alerts/ops.rules[0].threshold'],
    );
  });

  describe('names the groups exporter it follows (exporters.alerts.groups)', () => {
    const yamlWith = (exporters: string) => `
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } } }
exporters:
${exporters}
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [alerts] }
`;
    const alertsOf = (exporters: string) => {
      const loaded = parseConfig(yamlWith(exporters), {});
      assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
      const alerts = loaded.config.exporters.get('alerts');
      return alerts?.type === 'alerts' ? alerts.groups : undefined;
    };
    const problemsWith = (exporters: string) => {
      const loaded = parseConfig(yamlWith(exporters), {});
      return loaded.ok ? [] : loaded.problems.map((p) => `${p.path}: ${p.message}`);
    };

    it('follows the only groups exporter when it names none', () => {
      assert.equal(alertsOf('  groups/main: {}\n  alerts: {}'), 'groups/main');
    });

    it('follows none when no groups exporter is configured', () => {
      assert.equal(alertsOf('  alerts: {}'), '');
    });

    it('follows the one it names among several', () => {
      assert.equal(alertsOf('  groups: {}\n  groups/b: {}\n  alerts: { groups: groups/b }'), 'groups/b');
    });

    it('refuses a name that is not a configured groups exporter', () => {
      assert.deepEqual(problemsWith('  groups: {}\n  alerts: { groups: groups/typo }'), [
        'exporters.alerts.groups: groups exporter "groups/typo" is not configured; configured: groups',
      ]);
    });

    it('asks which one to follow when there are several', () => {
      assert.deepEqual(problemsWith('  groups: {}\n  groups/b: {}\n  alerts: {}'), [
        'exporters.alerts.groups: expected the id of the groups exporter to follow, one of groups, groups/b',
      ]);
    });
  });

  describe('refuses rules that could never fire, or always would, since they look fine and never help', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['an error ratio above 100%', { type: 'error_ratio', threshold: 1 }, 'rules[0].threshold: a ratio can never exceed 1'],
      ['an error ratio written as a percentage', { type: 'error_ratio', threshold: 5 }, 'rules[0].threshold: expected a ratio from 0 to 1'],
      ['a count of ">= 0"', { type: 'threshold', threshold: 0, operator: '>=' }, 'rules[0].threshold: ">= 0" is always true'],
      ['min_requests on a count rule', { type: 'threshold', threshold: 5, min_requests: 100 }, 'rules[0].min_requests: applies to error_ratio rules only'],
      ['a latency threshold without a unit', { type: 'latency', threshold: 2 }, 'rules[0].threshold: expected a duration like 2s'],
      ['no threshold', { type: 'threshold' }, 'rules[0].threshold: a threshold rule needs a threshold'],
      ['an environment filter on spans', { type: 'latency', threshold: '1s', filter: { environment: 'prod' } }, 'rules[0].filter.environment: latency rules read span timings'],
      ['grouping spans by exception type', { type: 'error_ratio', threshold: 0.1, group_by: ['exception_type'] }, 'rules[0].group_by[0]: error_ratio rules can group by service, span_name only'],
      ['for on a new_group rule', { type: 'new_group', for: '1m' }, 'rules[0].for: new_group rules fire at once'],
      ['a template naming an unknown label', { type: 'threshold', threshold: 1, annotations: { summary: '{{ team }} is on fire' } }, 'rules[0].annotations.summary: {{ team }} is not known here'],
      ['a regex that does not compile', { type: 'threshold', threshold: 1, filter: { exception_type: '/Timeout(/' } }, 'rules[0].filter.exception_type: invalid regular expression'],
      ['an unknown channel', { type: 'threshold', threshold: 1, channels: ['pager'] }, 'rules[0].channels[0]: channel "pager" is not configured; configured: none'],
    ];
    for (const [what, rule, expected] of cases) {
      it(`refuses ${what}`, () => {
        const problems = problemsOf({ name: 'r', ...rule });
        assert.ok(problems.some((p) => p.startsWith(`exporters.alerts.${expected}`)), problems.join('\n'));
      });
    }

    it('knows {{ group_id }} and {{ group_url }} only where the alert is about one error group', () => {
      const annotations = { summary: 'see {{ group_url }} ({{ group_id }})' };
      assert.deepEqual(problemsOf({ name: 'r', type: 'new_group', annotations }), []);
      assert.deepEqual(problemsOf({ name: 'r', type: 'regression', group_by: ['service'], annotations }), []);
      assert.deepEqual(problemsOf({ name: 'r', type: 'threshold', threshold: 10, group_by: ['service', 'fingerprint'], annotations }), []);
      const many = problemsOf({ name: 'r', type: 'threshold', threshold: 10, annotations });
      assert.equal(many.length, 2, many.join('\n'));
      assert.match(many[0], /^exporters\.alerts\.rules\[0\]\.annotations\.summary: \{\{ group_url \}\} is not known here/);
      assert.equal(problemsOf({ name: 'r', type: 'error_ratio', threshold: 0.1, annotations }).length, 2);
    });

    it('refuses two rules with the same name', () => {
      const rule = { name: 'twice', type: 'threshold', threshold: 1 };
      const { problems } = decodeAlerts({ rules: [rule, rule] });
      assert.deepEqual(problems.map((p) => p.path), ['exporters.alerts.rules[1].name']);
    });
  });

  it('warns, with the rule path, when a cooldown is shorter than the evaluation interval (it cannot be honoured more finely)', () => {
    const config = alertsConfig({ evaluation_interval: '1m', rules: [{ name: 'r', type: 'threshold', threshold: 1, cooldown: '30s', window: '5m' }] });
    const warnings = alertsConfigWarnings(config);
    assert.deepEqual(warnings.map((w) => w.path), ['exporters.alerts.rules[0].cooldown']);
    assert.match(warnings[0].message, /in effect 60000ms/);
    assert.deepEqual(alertsConfigWarnings(alertsConfig(CLASSIC_RULES)), []);
  });
});
