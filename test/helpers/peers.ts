// The real programs some tests run against, each with the Debian package that provides it: the one
// table behind the tests' "not installed" failures and scripts/test-peers.ts (which `npm test`
// runs first to name what is missing, and `npm run test:ci` runs to install it). Tests fail, never
// skip, when a peer is missing.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Peer {
  /** What the tests call it. */
  readonly name: string;
  /** The Debian package that installs it. */
  readonly debianPackage: string;
  /** Which tests need it. */
  readonly neededBy: string;
  /** Where it is: a program path, or undefined when it is not installed. */
  locate(): string | undefined;
}

/** The OpenMetrics parser is imported by this Python, the one Debian's package installs into. */
export const PYTHON = '/usr/bin/python3';

export const PEERS = {
  prometheus: onPath('prometheus', ['prometheus'], 'prometheus', 'test/prometheus/ (rules, dashboards and deploy checks against a real Prometheus)'),
  promtool: onPath('promtool', ['promtool'], 'prometheus', 'test/prometheus/ and test/metrics/registry (promtool check metrics)'),
  alertmanager: onPath(
    'Prometheus Alertmanager',
    ['prometheus-alertmanager', 'alertmanager'],
    'prometheus-alertmanager',
    'test/notify/alertmanager (the alertmanager channel against two real Alertmanagers)',
  ),
  openMetricsParser: {
    name: "the reference OpenMetrics parser (Python's prometheus_client)",
    debianPackage: 'python3-prometheus-client',
    neededBy: 'test/metrics/registry (exemplars checked by the reference parser)',
    locate: () => (spawnSync(PYTHON, ['-c', 'import prometheus_client'], { stdio: 'ignore' }).status === 0 ? PYTHON : undefined),
  },
  kcat: onPath(
    'kcat (librdkafka mock cluster)',
    ['kcat', 'kafkacat'],
    'kcat',
    'test/kafka/ and test/e2e/kafka (the kafka exporter and channel against a real Kafka protocol peer, test/helpers/kafka.ts)',
  ),
  sentryPython: {
    name: 'sentry-python (the Sentry SDK for Python, 1.x)',
    debianPackage: 'python3-sentry-sdk',
    neededBy: 'test/e2e/sentry-sdks (the sentry receiver with the real Python SDK as client)',
    locate: () => (spawnSync(PYTHON, ['-c', 'import sentry_sdk'], { stdio: 'ignore' }).status === 0 ? PYTHON : undefined),
  },
  chromium: onPath(
    'Chromium',
    ['chromium', 'chromium-browser'],
    'chromium',
    'test/e2e/ui-browser (the web UI in a real browser, driven by playwright-core)',
  ),
  postgres: {
    name: 'PostgreSQL',
    debianPackage: 'postgresql',
    neededBy: 'test/storage/ (the PostgreSQL store against a real server, test/helpers/postgres.ts)',
    // Debian keeps initdb and postgres out of PATH, in /usr/lib/postgresql/<major>/bin: the newest
    // major there, else an initdb on PATH (other systems), resolved so its siblings are found.
    locate() {
      const debian = newestDebianPostgres();
      if (debian !== undefined) return debian;
      const initdb = onPath('initdb', ['initdb'], 'postgresql', '').locate();
      return initdb === undefined ? undefined : realpathSync(initdb);
    },
  },
} satisfies Record<string, Peer>;

/** How to install `peers`, in one sentence a failing test or `npm test` can print. */
export function installAdvice(peers: readonly Peer[]): string {
  const packages = [...new Set(peers.map((peer) => peer.debianPackage))].join(' ');
  return `run \`npm run test:ci\` (installs every test peer, then runs the tests), or install the Debian package(s) yourself: sudo apt-get install -y --no-install-recommends ${packages}`;
}

/** The program of `peer`; throws, naming the package to install, when it is missing. */
export function requirePeer(peer: Peer): string {
  const found = peer.locate();
  if (found !== undefined) return found;
  throw new Error(`${peer.name} is not installed; ${peer.neededBy} needs it. To install it, ${installAdvice([peer])}.`);
}

const DEBIAN_POSTGRES = '/usr/lib/postgresql';

function newestDebianPostgres(): string | undefined {
  let majors: string[];
  try {
    majors = readdirSync(DEBIAN_POSTGRES).filter((entry) => /^\d+(\.\d+)?$/.test(entry));
  } catch {
    return undefined;
  }
  majors.sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const initdb = join(DEBIAN_POSTGRES, major, 'bin', 'initdb');
    try {
      accessSync(initdb, constants.X_OK);
      return initdb;
    } catch {
      // a major with its client alone
    }
  }
  return undefined;
}

function onPath(name: string, programs: readonly string[], debianPackage: string, neededBy: string): Peer {
  return {
    name,
    debianPackage,
    neededBy,
    locate() {
      for (const program of programs) {
        for (const directory of (process.env.PATH ?? '').split(delimiter)) {
          if (directory === '') continue;
          const candidate = join(directory, program);
          try {
            accessSync(candidate, constants.X_OK);
            return candidate;
          } catch {
            // not in this directory
          }
        }
      }
      return undefined;
    },
  };
}
