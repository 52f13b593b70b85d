// The prom-client registry of one Faultline instance, and /metrics rendering with content
// negotiation. Every instance gets its own registry (never prom-client's global one), so two
// instances share a process and building the app twice never throws "already registered".
//
// The registry is an OpenMetrics registry because prom-client accepts exemplars only there; it is
// rendered by exposition.ts in either format (prom-client's own OpenMetrics render renames counters
// in place). Serve /metrics with renderMetrics(registry, req.headers.accept).

import { collectDefaultMetrics, Registry, type OpenMetricsContentType } from 'prom-client';
import { renderExposition, type ExpositionFormat } from './exposition.js';

const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** registry.metrics() goes through our writer too, so no caller can trigger prom-client's renaming. */
class FaultlineRegistry extends Registry<OpenMetricsContentType> {
  override metrics(): Promise<string> {
    return renderExposition(this as unknown as Registry, 'openmetrics');
  }
}

export interface RegistryOptions {
  /** process_* and nodejs_* metrics. Default true. */
  readonly defaultMetrics?: boolean;
}

export function createRegistry(options: RegistryOptions = {}): Registry {
  const registry = new FaultlineRegistry();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total fail promtool's lint; each is only the sum of its per-type twin
    // (nodejs_active_handles{type} etc.), so nothing is lost.
    for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  }
  // Typed as the plain Registry the rest of the code passes around; its content type is not used
  // for rendering (renderMetrics decides the format per request).
  return registry as unknown as Registry;
}

/**
 * OpenMetrics when the Accept header ranks `application/openmetrics-text` at least as high as any
 * text alternative (Prometheus asks for it first); text 0.0.4 otherwise, including no header.
 */
export function negotiateFormat(acceptHeader: string | undefined): ExpositionFormat {
  if (!acceptHeader) return 'text';
  let openMetricsQuality = 0;
  let textQuality = 0;
  for (const range of acceptHeader.split(',')) {
    const parts = range.split(';');
    const mediaType = parts[0]!.trim().toLowerCase();
    let quality = 1;
    for (let i = 1; i < parts.length; i++) {
      const [key, value] = parts[i]!.split('=');
      if (key?.trim().toLowerCase() === 'q') {
        const parsed = Number(value?.trim());
        quality = Number.isFinite(parsed) ? parsed : 0;
      }
    }
    if (mediaType === 'application/openmetrics-text') openMetricsQuality = Math.max(openMetricsQuality, quality);
    else if (mediaType === 'text/plain' || mediaType === 'text/*' || mediaType === '*/*') {
      textQuality = Math.max(textQuality, quality);
    }
  }
  return openMetricsQuality > 0 && openMetricsQuality >= textQuality ? 'openmetrics' : 'text';
}

export async function renderMetrics(
  registry: Registry,
  acceptHeader: string | undefined,
): Promise<{ contentType: string; body: string }> {
  const format = negotiateFormat(acceptHeader);
  const body = await renderExposition(registry, format);
  return { contentType: format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_TEXT_CONTENT_TYPE, body };
}
