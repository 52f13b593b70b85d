import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExposition, parsePrometheusText, sampleValue, seriesKey } from '../helpers/prom-text.js';

describe('the test exposition parser', () => {
  it('reads values by name and sorted labels', () => {
    const values = parsePrometheusText('# HELP x_total X.\n# TYPE x_total counter\nx_total{b="2",a="1"} 3\nup 1\n');
    assert.equal(values.get('x_total{a="1",b="2"}'), 3);
    assert.equal(sampleValue(values, 'x_total', { b: '2', a: '1' }), 3);
    assert.equal(sampleValue(values, 'up'), 1);
  });

  it('unescapes label values and keys them escaped', () => {
    const text = 'm{v="a\\"b\\\\c\\nd,e}f"} 1\n';
    assert.equal(sampleValue(text, 'm', { v: 'a"b\\c\nd,e}f' }), 1);
    assert.equal(seriesKey('m', { v: 'a"b\\c\nd,e}f' }), 'm{v="a\\"b\\\\c\\nd,e}f"}');
  });

  it('reads special values, timestamps and OpenMetrics exemplars', () => {
    const exposition = parseExposition('a +Inf\nb -Inf\nc NaN 1700000000000\nd_total 2 # {trace_id="ab"} 1 1700000000.5\n# EOF\n');
    const [a, b, c, d] = exposition.samples;
    assert.equal(a?.value, Infinity);
    assert.equal(b?.value, -Infinity);
    assert.ok(Number.isNaN(c?.value));
    assert.equal(c?.timestamp, 1700000000000);
    assert.deepEqual(d?.exemplar, { labels: { trace_id: 'ab' }, value: 1, timestamp: 1700000000.5 });
    assert.ok(exposition.eof);
  });

  it('throws on malformed lines, duplicate series and text after # EOF', () => {
    for (const bad of ['m{a="x} 1', 'm{a="x"} one', 'm{a="\\t"} 1', '1m 1', 'm 1\nm 2', '# EOF\nm 1', 'm{a="1",a="2"} 1', '# TYPE m counter\n# TYPE m gauge']) {
      assert.throws(() => parseExposition(bad), Error, bad);
    }
  });
});
