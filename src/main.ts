#!/usr/bin/env node
// The faultline command, and the only place that calls process.exit.
//   faultline [run] --config otel-config.yaml    run until SIGTERM/SIGINT, then shut down gracefully
//   faultline validate --config FILE             print every problem; exit 0 (valid) or 2 (invalid);
//                                                warnings are printed and still exit 0
//   faultline hash-password                      read a password from stdin, print its hash for
//                                                service.telemetry.metrics.auth.basic_auth
// Exit codes: 0 clean exit, 1 failed to start or to shut down cleanly (a final write failed),
// 2 invalid configuration or usage.

import { parseArgs } from 'node:util';
import { loadConfigFile } from './config/load.js';
import { formatProblems } from './config/format-problems.js';
import { configWarnings } from './config/warnings.js';
import { connectionBudget } from './config/listener-limits.js';
import { openFilesLimit } from './internal/open-files.js';
import { createLogger } from './internal/logger.js';
import { COMPONENTS } from './components.js';
import { createFaultline } from './service.js';
import { hashPasswordCommand } from './admin/hash-password-command.js';

const USAGE = `usage: faultline [run] --config FILE
       faultline validate --config FILE
       faultline hash-password < password-file`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const command = parsed.positionals[0] ?? 'run';
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ((command !== 'run' && command !== 'validate' && command !== 'hash-password') || parsed.positionals.length > 1) {
    process.stderr.write(`unknown command ${parsed.positionals.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  if (command === 'hash-password') return hashPasswordCommand(process.stdin, process.stdout, process.stderr);
  const path = parsed.values.config ?? 'otel-config.yaml';
  const loaded = await loadConfigFile(path, COMPONENTS);
  if (!loaded.ok) {
    process.stderr.write(`${path} is invalid:\n${formatProblems(loaded.problems)}\n`);
    return 2;
  }
  if (command === 'validate') {
    const warnings = configWarnings(loaded.config, COMPONENTS);
    if (warnings.length > 0) process.stderr.write(`warnings:\n${formatProblems(warnings)}\n`);
    process.stdout.write(`${path} is valid\n`);
    return 0;
  }

  const logger = createLogger(loaded.config.service.telemetry.logs.level);
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  const faultline = createFaultline(loaded.config, COMPONENTS, { logger });
  try {
    await faultline.start();
  } catch (error) {
    logger.fatal({ err: error }, 'Faultline could not start');
    return 1;
  }
  logger.info({ addresses: faultline.addresses() }, 'Faultline started');
  warnIfListenersOutgrowOpenFiles(loaded.config, logger);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  const { failed } = await faultline.shutdown();
  if (failed.length > 0) {
    logger.error({ failed }, 'Faultline stopped, but some components failed to shut down; what they held may be lost');
    return 1;
  }
  logger.info('Faultline stopped');
  return 0;
}

/** Files, the database and outgoing connections need descriptors beyond the listeners' connections. */
const OTHER_OPEN_FILES = 256;

function warnIfListenersOutgrowOpenFiles(config: Parameters<typeof connectionBudget>[0], logger: ReturnType<typeof createLogger>): void {
  const limit = openFilesLimit();
  const connections = connectionBudget(config);
  if (limit === undefined || connections + OTHER_OPEN_FILES <= limit) return;
  logger.warn(
    { open_files_limit: limit, max_connections_total: Number.isFinite(connections) ? connections : 'unlimited' },
    'the listeners may hold more connections than the open-files limit leaves room for: raise it (ulimit -n, LimitNOFILE=) or lower max_connections',
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'Faultline failed', err: String(error) })}\n`);
    process.exit(1);
  },
);
