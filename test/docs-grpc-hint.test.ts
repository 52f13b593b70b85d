// The docs must not send readers to the gRPC port with an endpoint alone: OpenTelemetry SDKs
// default to OTLP/HTTP (http/protobuf), so `OTEL_EXPORTER_OTLP_ENDPOINT=http://…:4317` without
// `OTEL_EXPORTER_OTLP_PROTOCOL=grpc` posts HTTP to the gRPC server and every export is lost.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';

// dist/test → the repository.
const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const FILES = [
  'README.md',
  ...readdirSync(new URL('docs/', ROOT)).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`),
  ...readdirSync(new URL('deploy/', ROOT), { recursive: true })
    .map((name) => `deploy/${name}`)
    .filter((path) => statSync(new URL(path, ROOT)).isFile()),
];

/** Lines that point an application at port 4317, as `file:line: text`, lacking the protocol within three lines. */
function grpcHintsWithoutProtocol(path: string): string[] {
  const lines = read(path).split('\n');
  const found: string[] = [];
  lines.forEach((line, i) => {
    if (!line.includes('4317') || !/OTEL_EXPORTER_OTLP_ENDPOINT|\bexports? to\b/i.test(line)) return;
    const around = lines.slice(Math.max(0, i - 3), i + 4).join('\n');
    if (!around.includes('OTEL_EXPORTER_OTLP_PROTOCOL=grpc')) found.push(`${path}:${i + 1}: ${line.trim()}`);
  });
  return found;
}

describe('the OTLP endpoint hints in README.md, docs/ and deploy/', () => {
  it('never point an SDK at 4317 without OTEL_EXPORTER_OTLP_PROTOCOL=grpc', () => {
    assert.deepEqual(FILES.flatMap(grpcHintsWithoutProtocol), []);
  });

  it('show the gRPC protocol and the 4317 endpoint together in the README quick start', () => {
    assert.match(read('README.md'), /OTEL_EXPORTER_OTLP_PROTOCOL=grpc\s*\n\s*export OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/localhost:4317/);
  });
});
