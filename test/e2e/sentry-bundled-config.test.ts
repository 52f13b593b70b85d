// `npm start` accepts Sentry SDKs as it accepts OTLP: the bundled otel-config.yaml, run as a real
// process with its listeners moved to free loopback ports and its data in a temporary directory,
// takes a recorded @sentry/node envelope with any key on the OTLP/HTTP port, and its error becomes
// a group of service sentry-<project id>.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/faultline.js';
import { REPO, startFaultlineProcess, type FaultlineProcess } from '../helpers/faultline-process.js';

let faultline: FaultlineProcess;
before(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'faultline-bundled-'));
  const bundled = readFileSync(path.join(REPO, 'otel-config.yaml'), 'utf8')
    .replaceAll(/\$\{env:FAULTLINE_(?:GRPC|HTTP|ADMIN)_ENDPOINT:-[^}]*\}/g, '127.0.0.1:0')
    .replace('${env:FAULTLINE_DATA_DIR:-./data}', dataDir);
  faultline = await startFaultlineProcess(bundled);
});
after(async () => {
  faultline.child.kill('SIGTERM');
  assert.equal(await faultline.exited, 0);
});

describe('the bundled otel-config.yaml', () => {
  it('takes a Sentry envelope with any key on the OTLP/HTTP port, as service sentry-<project id>', async () => {
    const ingest = `http://127.0.0.1:${faultline.addresses['otlp.http']!.port}`;
    const body = readFileSync(path.join(REPO, 'test/fixtures/sentry-sdk/node-006-event+attachment.raw'));
    const response = await fetch(`${ingest}/api/12/envelope/?sentry_key=anything-at-all`, { method: 'POST', body });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: 'b03b85f647c84405b97bed975ee8e10d' });
    const admin = `http://127.0.0.1:${faultline.addresses.admin!.port}`;
    let titles: string[] = [];
    // identity's settle_time (6 s in the bundled config) passes before the group is opened.
    await eventually(async () => {
      const reply = (await (await fetch(`${admin}/api/v1/groups?service=sentry-12`)).json()) as { groups: { title: string }[] };
      titles = reply.groups.map((group) => group.title);
      return titles.length > 0;
    }, 600);
    assert.deepEqual(titles, ['TypeError: user <num> could not be loaded']);
  });
});
