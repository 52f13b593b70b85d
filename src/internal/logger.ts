// Faultline's own logs: structured JSON lines (pino) on stdout. Errors carry `err` with type,
// message and stack. Values under keys that usually hold secrets are redacted wherever they
// appear in a log object, so a config or header dump can never leak them.

import { pino, type Logger, type DestinationStream } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

const SECRET_KEYS = ['password', 'secret', 'token', 'authorization', 'cookie', 'api_key', 'apiKey', 'routing_key'];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const paths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `headers["${key}"]`]);
  return pino(
    {
      level,
      base: { service: 'faultline' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
      redact: { paths, censor: '[redacted]' },
    },
    destination,
  );
}
