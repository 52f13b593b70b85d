// Optional self-tracing (service.telemetry.traces.endpoint): Faultline traces its own export
// requests with the OpenTelemetry Node SDK and sends them over OTLP/HTTP to another collector.
// Off by default; config validation refuses an endpoint that points back into Faultline's own
// receiver, which would loop forever. With it off, the API's no-op tracer costs next to nothing,
// and the SDK is not even loaded: it is imported when self-tracing starts (loading it took about
// a second of every start, more than the rest of Faultline's modules together).

import { trace, type Tracer } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { Component } from '../component.js';
import type { SelfTracesConfig } from '../config/types.js';

export const TRACER_NAME = 'faultline';

export function selfTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export function createSelfTracing(config: SelfTracesConfig): Component {
  let sdk: NodeSDK | undefined;
  return {
    async start() {
      if (config.endpoint === '') return;
      const [{ NodeSDK }, { OTLPTraceExporter }, { ParentBasedSampler, TraceIdRatioBasedSampler }] = await Promise.all([
        import('@opentelemetry/sdk-node'),
        import('@opentelemetry/exporter-trace-otlp-http'),
        import('@opentelemetry/sdk-trace'),
      ]);
      sdk = new NodeSDK({
        serviceName: 'faultline',
        autoDetectResources: false,
        traceExporter: new OTLPTraceExporter({ url: config.endpoint }),
        sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
        instrumentations: [],
        metricReaders: [],
        logRecordProcessors: [],
      });
      sdk.start();
    },
    async shutdown() {
      const running = sdk;
      sdk = undefined;
      await running?.shutdown();
    },
  };
}
