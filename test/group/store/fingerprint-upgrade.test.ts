// Groups keep their ids across a Faultline upgrade that changes how fingerprints are computed: an
// event is filed into the group its version-1 fingerprint opened. The version-1 fingerprints here
// are the ones Faultline 1 really stored for the stack-trace fixtures (their golden files at the
// commit before version 2, kept in test/fixtures/stacktraces/fingerprints-v1.json).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { computeGrouping, createGroupingOptions, FINGERPRINT_VERSION } from '../../../src/group/fingerprint.js';
import { createInAppClassifier } from '../../../src/group/stack/in-app.js';
import { parseStacktrace } from '../../../src/group/stack/parse-stacktrace.js';
import { errorEvent } from '../event-fixtures.js';
import { allGroups, grouping, storeUnderTest } from './store-fixtures.js';

const FIXTURES = new URL('../../../../test/fixtures/stacktraces/', import.meta.url);
const VERSION_1 = JSON.parse(readFileSync(new URL('fingerprints-v1.json', FIXTURES), 'utf8')) as Record<string, string>;
const options = createGroupingOptions({ inAppInclude: [], inAppExclude: [], fingerprintRules: [] });
const inApp = createInAppClassifier({ include: [], exclude: [] });

/** The fixture's event as the golden test builds it, grouped by today's version. */
function eventOfFixture(name: string, overrides: Parameters<typeof errorEvent>[0] = {}) {
  const stacktrace = readFileSync(new URL(`${name}.txt`, FIXTURES), 'utf8');
  const top = parseStacktrace(stacktrace, inApp).exceptions[0];
  const event = errorEvent({ type: top?.type || 'Error', message: top?.message ?? '', stacktrace, ...overrides });
  return { ...event, grouping: computeGrouping(event, options) };
}

describe('fingerprint versions', () => {
  it('computes, beside each new fingerprint, the very fingerprint version 1 stored for every fixture trace', () => {
    assert.equal(FINGERPRINT_VERSION, 2);
    for (const [name, stored] of Object.entries(VERSION_1)) {
      const { grouping: computed } = eventOfFixture(name);
      const previous = computed.previousFingerprints?.[0] ?? computed.fingerprint;
      assert.equal(previous, stored, `${name}: version 1's fingerprint`);
    }
  });

  it('files an event of the new version into the group version 1 opened: same id, state and count, no new-group announcement', async () => {
    const { store, emitted } = await storeUnderTest();
    const name = 'python/key-error';
    const upgraded = eventOfFixture(name, { serviceVersion: '1.0.0' });
    assert.notEqual(upgraded.grouping.fingerprint, VERSION_1[name], 'the fixture must be one whose fingerprint changed');
    const before = errorEvent({ serviceVersion: '1.0.0', grouping: grouping(VERSION_1[name]!, { version: 1 }) });
    await store.record([before]);
    const [opened] = await allGroups(store);
    await store.setState(opened!.id, 'resolved', '1.0.0');

    await store.record([upgraded]);
    const groups = await allGroups(store);
    assert.equal(groups.length, 1);
    assert.equal(groups[0]!.id, opened!.id);
    assert.equal(groups[0]!.count, 2);
    assert.equal(groups[0]!.state, 'resolved', 'seen again in the release it was resolved in: stays resolved');
    assert.equal(groups[0]!.fingerprintVersion, 2);
    assert.deepEqual(emitted.map((signal) => signal.kind), ['new_group']);
    assert.equal((await store.groupOf('shop', upgraded.grouping.fingerprint))?.id, opened!.id, 'the new fingerprint routes to the old group');
    assert.equal((await store.groupOf('shop', VERSION_1[name]!))?.id, opened!.id, 'and so does the old one');

    await store.record([eventOfFixture(name)]);
    assert.equal((await allGroups(store))[0]!.count, 3, 'later events find the group by their own fingerprint');
  });

  it('opens a new group for an event whose old fingerprint no group has', async () => {
    const { store, emitted } = await storeUnderTest();
    await store.record([errorEvent({ grouping: grouping(VERSION_1['java/null-pointer']!, { version: 1 }) })]);
    await store.record([eventOfFixture('python/key-error')]);
    assert.equal((await allGroups(store)).length, 2);
    assert.deepEqual(emitted.map((signal) => signal.kind), ['new_group', 'new_group']);
  });
});
