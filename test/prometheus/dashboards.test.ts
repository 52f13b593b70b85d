// The Grafana dashboards in dashboards/ are well formed: current schema, unique panel ids, every
// panel titled and querying through the ${datasource} variable, every declared variable used.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { allPanels, DASHBOARDS_DIR, loadDashboards, panelQueries, variableQuery } from '../helpers/prometheus.js';

const dashboards = loadDashboards();
const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' };

describe('the Grafana dashboards', () => {
  it('are the three the issue asks for', () => {
    assert.deepEqual([...dashboards.keys()], ['faultline-errors.json', 'faultline-latency.json', 'faultline-self.json']);
  });

  for (const [file, dashboard] of dashboards) {
    describe(file, () => {
      it('has a uid, a title, the faultline tag and a current schema version', () => {
        assert.match(dashboard.uid, /^faultline-[a-z]+$/);
        assert.ok(dashboard.title.startsWith('Faultline / '));
        assert.ok((dashboard.tags as string[]).includes('faultline'));
        assert.ok(dashboard.schemaVersion >= 39, `schemaVersion ${dashboard.schemaVersion}`);
        assert.equal(dashboard.id ?? null, null, 'no instance-specific id');
      });

      it('gives every panel a unique id, a title and a place on the grid', () => {
        const ids = allPanels(dashboard).map((panel) => panel.id);
        assert.equal(new Set(ids).size, ids.length, `duplicate panel ids in ${ids.join(', ')}`);
        for (const panel of allPanels(dashboard)) {
          assert.ok(Number.isInteger(panel.id) && panel.id > 0, `panel id ${panel.id}`);
          assert.ok(panel.title && panel.title.trim() !== '', `panel ${panel.id} has a title`);
          assert.ok(panel.gridPos && panel.gridPos.w > 0 && panel.gridPos.h > 0 && panel.gridPos.x + panel.gridPos.w <= 24, `panel ${panel.id} gridPos`);
        }
      });

      it('gives every panel at least one PromQL query through the ${datasource} variable', () => {
        for (const panel of allPanels(dashboard).filter((panel) => panel.type !== 'row')) {
          assert.ok(panel.targets && panel.targets.length > 0, `panel ${panel.id} "${panel.title}" has no query`);
          assert.deepEqual(panel.datasource, PROMETHEUS, `panel ${panel.id} datasource`);
          const refIds = panel.targets.map((target) => target.refId);
          assert.equal(new Set(refIds).size, refIds.length, `panel ${panel.id} refIds are unique`);
          for (const target of panel.targets) {
            assert.ok(typeof target.expr === 'string' && target.expr.trim() !== '', `panel ${panel.id} ${target.refId} has an expr`);
            assert.deepEqual(target.datasource, PROMETHEUS, `panel ${panel.id} ${target.refId} datasource`);
          }
        }
      });

      it('declares the datasource, trace datasource and label variables, and uses every one', () => {
        const variables = dashboard.templating.list;
        const byName = new Map(variables.map((variable) => [variable.name, variable]));
        assert.equal(byName.get('datasource')?.type, 'datasource');
        assert.equal(byName.get('datasource')?.query, 'prometheus');
        if (file !== 'faultline-self.json') {
          // Error and latency panels carry trace-id exemplars: they link to a trace datasource.
          assert.equal(byName.get('traces')?.type, 'datasource');
          assert.match(String(byName.get('traces')?.query), /^(tempo|jaeger)$/);
          assert.ok(byName.has('service'));
        } else {
          assert.ok(byName.has('instance'));
        }
        if (file === 'faultline-errors.json') assert.ok(byName.has('environment'));

        const text = JSON.stringify({ ...dashboard, templating: undefined });
        const queryTexts = variables.map((variable) => variableQuery(variable) ?? '').join('\n');
        for (const variable of variables) {
          const used = new RegExp(`\\$(\\{${variable.name}(:[^}]*)?\\}|${variable.name}\\b)`);
          assert.ok(used.test(`${text}\n${queryTexts}`), `variable ${variable.name} is declared but never used`);
          if (variable.type === 'query') {
            assert.deepEqual(variable.datasource, PROMETHEUS, `variable ${variable.name} datasource`);
            assert.match(variableQuery(variable) ?? '', /^label_values\(/, `variable ${variable.name} query`);
          }
        }
        const panelsText = JSON.stringify(dashboard.panels);
        for (const name of ['service', 'environment', 'instance', 'job', 'route']) {
          if (byName.has(name)) assert.ok(new RegExp(`\\$${name}\\b`).test(panelsText), `no panel filters on $${name}`);
        }
      });

      it('queries only metrics Faultline exports (or Prometheus and prom-client give)', () => {
        for (const { expr, panelTitle } of panelQueries(dashboard)) {
          for (const [name] of expr.matchAll(/\b[a-z_:]+_(?:total|seconds|bytes|bucket|sum|count|items|capacity|info)\b/g)) {
            assert.match(name, /^(faultline_|process_|nodejs_)/, `"${panelTitle}" uses ${name}`);
          }
        }
      });
    });
  }

  it('are provisioned from the folder the provider names, with exemplars linked to the trace datasource', () => {
    const provider = parse(readFileSync(join(DASHBOARDS_DIR, 'provisioning', 'dashboards', 'faultline.yaml'), 'utf8'));
    assert.equal(provider.apiVersion, 1);
    assert.equal(provider.providers[0].type, 'file');
    assert.ok(provider.providers[0].options.path);
    const datasources = parse(readFileSync(join(DASHBOARDS_DIR, 'provisioning', 'datasources', 'faultline.yaml'), 'utf8'));
    const prometheus = datasources.datasources.find((source: { type: string }) => source.type === 'prometheus');
    const tempo = datasources.datasources.find((source: { type: string }) => source.type === 'tempo');
    assert.deepEqual(prometheus.jsonData.exemplarTraceIdDestinations, [{ name: 'trace_id', datasourceUid: tempo.uid }]);
  });
});
