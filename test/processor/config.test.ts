import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, type LoadResult } from '../helpers/config.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../test/fixtures/config/${name}`, import.meta.url));

function problemsOf(result: LoadResult): Record<string, string> {
  assert.equal(result.ok, false, 'expected problems, got a valid config');
  return result.ok ? {} : Object.fromEntries(result.problems.map((problem) => [problem.path, problem.message]));
}

describe('the filter, scrub and sample config', () => {
  it('reads every key of a full example, filling the defaults', async () => {
    const result = await loadConfigFile(fixture('good-processors.yaml'), {});
    if (!result.ok) assert.fail(JSON.stringify(result.problems));
    const processors = result.config.processors;
    assert.deepEqual(processors.get('filter'), {
      type: 'filter',
      id: 'filter',
      rules: [
        {
          name: 'interrupts',
          exceptionTypes: ['KeyboardInterrupt', '/^django\\.http\\.Http404$/i'],
          message: null,
          attribute: null,
          services: [],
          levels: [],
        },
        {
          name: 'health-checks',
          exceptionTypes: [],
          message: null,
          attribute: { key: 'url.path', value: '^/health' },
          services: [],
          levels: [],
        },
        {
          name: 'legacy-warnings',
          exceptionTypes: [],
          message: 'deprecated',
          attribute: null,
          services: ['legacy'],
          levels: ['warning', 'info'],
        },
      ],
    });
    const scrub = processors.get('scrub');
    assert.ok(scrub?.type === 'scrub');
    assert.equal(scrub.enabled, true);
    assert.equal(scrub.emails, false);
    assert.equal(scrub.ipAddresses, true);
    assert.ok(scrub.keys.includes('password') && scrub.keys.includes('ssn'));
    assert.deepEqual(scrub.patterns, ['\\bCUST-\\d{6}\\b']);
    assert.deepEqual(processors.get('sample'), { type: 'sample', id: 'sample', samplesPerMinute: 5, maxGroups: 10000 });
  });

  it('reports each invalid regex at its path, with the reason', async () => {
    const problems = problemsOf(await loadConfigFile(fixture('bad-filter-regex.yaml'), {}));
    assert.deepEqual(Object.keys(problems).sort(), [
      'processors.filter.rules[0].message',
      'processors.filter.rules[1].exception_type[1]',
      'processors.filter.rules[2].attribute.value',
    ]);
    assert.match(problems['processors.filter.rules[0].message'], /^invalid regular expression: .*Unterminated group/);
    assert.match(problems['processors.filter.rules[2].attribute.value'], /Nothing to repeat/);
  });

  it('reports rules without a condition, names used twice, unknown keys and levels, missing names', async () => {
    const problems = problemsOf(await loadConfigFile(fixture('bad-filter-rules.yaml'), {}));
    const at = 'processors.filter/noise.rules';
    assert.deepEqual(problems, {
      [`${at}[0]`]: 'expected at least one of exception_type, message, attribute, service, level',
      [`${at}[2].level[1]`]: 'expected one of debug, info, warning, error, fatal, critical, got "verbose"',
      [`${at}[3].servce`]: 'unknown key "servce"; did you mean "service"?',
      [`${at}[3].name`]: 'expected a non-empty string, got nothing',
      [`${at}[4].attribute.key`]: 'expected a non-empty string, got nothing',
    });
  });

  it('reports rule names used twice once the rules are otherwise valid', async () => {
    const { parseConfig } = await import('../helpers/config.js');
    const yaml =
      'receivers: { otlp: { protocols: { http: } } }\nexporters: { prometheus: }\n' +
      'processors: { filter: { rules: [{ name: a, level: info }, { name: a, level: debug }] } }\n' +
      'service: { pipelines: { traces: { receivers: [otlp], processors: [filter], exporters: [prometheus] } } }\n';
    assert.deepEqual(problemsOf(parseConfig(yaml, {})), {
      'processors.filter.rules[1].name': 'rule name "a" is used twice',
    });
  });

  it('reports bad scrub values and patterns at their paths', async () => {
    const problems = problemsOf(await loadConfigFile(fixture('bad-scrub-values.yaml'), {}));
    assert.deepEqual(Object.keys(problems).sort(), [
      'processors.scrub.emails',
      'processors.scrub.enabled',
      'processors.scrub.keys[1]',
      'processors.scrub.mask',
      'processors.scrub.patterns[0]',
    ]);
    assert.equal(problems['processors.scrub.keys[1]'], 'expected a key of at least 3 letters or digits, got "x"');
    assert.match(problems['processors.scrub.patterns[0]'], /^invalid regular expression: /);
  });

  it('reports negative and zero limits of the sample processor', async () => {
    assert.deepEqual(problemsOf(await loadConfigFile(fixture('bad-sample-values.yaml'), {})), {
      'processors.sample.samples_per_minute': 'expected an integer >= 0, got -1',
      'processors.sample.max_groups': 'expected an integer >= 1, got 0',
      'processors.sample.window': 'unknown key "window"; known: samples_per_minute, max_groups',
    });
  });
});
