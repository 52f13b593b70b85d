// kill -9 at random moments while reports pour in, eight times on one data_dir: the store must
// open every time, keep every group and count the API had shown before the kill (what the API
// shows is committed), keep every resolve the API had acknowledged, and pass SQLite's integrity
// check at the end. Events accepted in the last flush_interval before a kill may be lost; that is
// the documented window, so counts are checked as "at least what was committed".

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { letters } from '../helpers/names.js';
import { reportUrl, startFaultlineProcess, type FaultlineProcess } from '../helpers/faultline-process.js';

const ROUNDS = 8;

function configFor(dataDir: string): string {
  return `
receivers:
  report: { endpoint: 127.0.0.1:0 }
exporters:
  groups: { flush_interval: 100ms, write_batch: 64 }
service:
  pipelines:
    logs: { receivers: [report], exporters: [groups] }
  data_dir: ${JSON.stringify(dataDir)}
  telemetry:
    metrics: { address: 127.0.0.1:0 }
`;
}

const admin = (running: FaultlineProcess) => `http://127.0.0.1:${running.addresses.admin!.port}`;

/** A report whose group is named by `name` (its exception type: the frames are the same for all). */
async function report(running: FaultlineProcess, name: string): Promise<void> {
  const type = `${name}Error`;
  const body = { service: 'shop', level: 'error', metadata: {}, error: { type, message: 'crash test', stack: `${type}: crash test\n${'    at frame (src/app.js:1:1)\n'.repeat(40)}` } };
  const response = await fetch(`${reportUrl(running)}/api/v1/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
}

interface Snapshot {
  readonly total: number;
  readonly counts: Map<string, number>;
  readonly states: Map<string, string>;
}

async function snapshot(running: FaultlineProcess): Promise<Snapshot> {
  const counts = new Map<string, number>();
  const states = new Map<string, string>();
  let total = 0;
  for (let offset = 0; ; offset += 500) {
    const page = (await (await fetch(`${admin(running)}/api/v1/groups?limit=500&offset=${offset}`)).json()) as {
      total: number;
      groups: { id: string; count: number; state: string }[];
      next_offset: number | null;
    };
    total = page.total;
    for (const group of page.groups) {
      counts.set(group.id, group.count);
      states.set(group.id, group.state);
    }
    if (page.next_offset === null) break;
  }
  return { total, counts, states };
}

describe('kill -9 during heavy writes', () => {
  it(`never loses what the API showed or a resolve it acknowledged, over ${ROUNDS} kills, and leaves a sound database`, async (t) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'faultline-crash-'));
    const resolved = new Set<string>();
    let committed: Snapshot | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const running = await startFaultlineProcess(configFor(dataDir));
      try {
        const now = await snapshot(running);
        if (committed !== undefined) {
          assert.ok(now.total >= committed.total, `round ${round}: ${now.total} groups after the kill, ${committed.total} shown before it`);
          for (const [id, count] of committed.counts) assert.ok((now.counts.get(id) ?? 0) >= count, `round ${round}: group ${id} lost counts`);
        }
        for (const id of resolved) assert.equal(now.states.get(id), 'resolved', `round ${round}: the resolve of ${id} was lost`);

        // The group to resolve gets one event, and never another (a new event would regress it).
        await report(running, `Resolve${letters(round)}`);
        let sending = true;
        const noise = (async () => {
          for (let i = 0; sending && i < 5000; i++) await report(running, `Noise${letters(i % 300)}`);
        })();
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1200));
        const target = await (async () => {
          for (let attempt = 0; attempt < 50; attempt++) {
            const page = (await (await fetch(`${admin(running)}/api/v1/groups?limit=500&sort=count`)).json()) as { groups: { id: string; title: string }[] };
            const found = page.groups.find((group) => group.title.startsWith(`Resolve${letters(round)}Error`));
            if (found !== undefined) return found.id;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          throw new Error(`round ${round}: the group to resolve never appeared`);
        })();
        const patched = await fetch(`${admin(running)}/api/v1/groups/${target}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"state":"resolved"}' });
        assert.equal(patched.status, 200);
        resolved.add(target);
        committed = await snapshot(running);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
        running.child.kill('SIGKILL');
        sending = false;
        await noise.catch(() => undefined);
        await running.exited;
      } finally {
        running.child.kill('SIGKILL');
      }
    }
    const db = new Database(path.join(dataDir, 'faultline.db'), { readonly: true });
    try {
      assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      t.diagnostic(`${committed!.total} groups after ${ROUNDS} kills`);
    } finally {
      db.close();
    }
  });
});
