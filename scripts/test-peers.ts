// Checks that the real programs the tests run against are installed (test/helpers/peers.ts).
//   node dist/scripts/test-peers.js            names each missing peer and how to install it; exit 1
//   node dist/scripts/test-peers.js --install  installs the missing ones with apt-get (as root, or
//                                              through sudo), then checks again
// `npm test` runs the first before any test; `npm run test:ci` (README, .ci/run) the second.

import { spawnSync } from 'node:child_process';
import { installAdvice, PEERS, type Peer } from '../test/helpers/peers.js';

const missing = (): Peer[] => Object.values(PEERS).filter((peer) => peer.locate() === undefined);

function install(peers: readonly Peer[]): void {
  const packages = [...new Set(peers.map((peer) => peer.debianPackage))];
  const asRoot = process.getuid?.() === 0;
  const run = (args: readonly string[]) => {
    const [command, ...rest] = asRoot ? args : ['sudo', ...args];
    console.log(`test peers: ${[command, ...rest].join(' ')}`);
    const result = spawnSync(command!, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) throw new Error(`${[command, ...rest].join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
  };
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
}

function report(peers: readonly Peer[]): void {
  console.error('Some tests run against real programs that are not installed:');
  for (const peer of peers) console.error(`  - ${peer.name} (Debian package ${peer.debianPackage}), for ${peer.neededBy}`);
  console.error(`To install them, ${installAdvice(peers)}.`);
}

let absent = missing();
if (absent.length > 0 && process.argv.includes('--install')) {
  try {
    install(absent);
  } catch (error) {
    console.error(`test peers: ${(error as Error).message}`);
  }
  absent = missing();
}
if (absent.length > 0) {
  report(absent);
  process.exitCode = 1;
} else {
  console.log(`test peers: ${Object.values(PEERS).map((peer) => peer.name).join(', ')} are installed`);
}
