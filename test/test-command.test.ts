// README's test command is the one CI runs, and it works on a fresh machine: `npm run test:ci`
// installs the test peers (test/helpers/peers.ts) before the tests, and `npm test` names any that
// is missing, with the command that installs it, before running anything.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// dist/test → the repository root.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('the test command', () => {
  it('is the same in README and .ci/run: npm run test:ci', () => {
    const development = read('README.md').split('## Development')[1]!.split('```sh')[1]!.split('```')[0]!;
    const commands = development.split('\n').map((line) => line.replace(/#.*/, '').trim()).filter((line) => line !== '');
    assert.equal(commands[0], 'npm run test:ci', 'README names the fresh-machine command first');
    const ciCommands = read('.ci/run').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
    assert.equal(ciCommands.at(-1), commands[0]);
  });

  it('installs the peers, then runs npm test, which checks them before any test runs', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.match(scripts['test:ci']!, /node dist\/scripts\/test-peers\.js --install && npm test$/);
    assert.match(scripts.pretest!, /&& node dist\/scripts\/test-peers\.js$/);
  });

  it('names each missing peer, its Debian package and how to install it, and fails', () => {
    // A PATH with node alone: Prometheus, promtool and Alertmanager are not found on it.
    const bin = mkdtempSync(path.join(tmpdir(), 'faultline-no-peers-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const result = spawnSync(path.join(bin, 'node'), [path.join(ROOT, 'dist/scripts/test-peers.js')], {
      env: { PATH: bin },
      encoding: 'utf8',
    });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /promtool \(Debian package prometheus\)/);
    assert.match(result.stderr, /Prometheus Alertmanager \(Debian package prometheus-alertmanager\)/);
    assert.match(result.stderr, /npm run test:ci/);
    assert.match(result.stderr, /sudo apt-get install -y --no-install-recommends prometheus prometheus-alertmanager/);
  });
});
