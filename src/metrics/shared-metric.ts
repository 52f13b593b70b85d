// A metric that several components may create on one registry (two exporters of a type, a
// component built again in tests): the first creates and registers it, later ones get that same
// metric back instead of prom-client's "already registered" error. The name is written once.

import { Counter, Gauge, Histogram, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Registry } from 'prom-client';

type Unregistered<C> = Omit<C, 'registers'>;

export function sharedCounter<T extends string>(registry: Registry, config: Unregistered<CounterConfiguration<T>>): Counter<T> {
  return (registry.getSingleMetric(config.name) as Counter<T> | undefined) ?? new Counter({ ...config, registers: [registry] });
}

export function sharedGauge<T extends string>(registry: Registry, config: Unregistered<GaugeConfiguration<T>>): Gauge<T> {
  return (registry.getSingleMetric(config.name) as Gauge<T> | undefined) ?? new Gauge({ ...config, registers: [registry] });
}

export function sharedHistogram<T extends string>(registry: Registry, config: Unregistered<HistogramConfiguration<T>>): Histogram<T> {
  return (registry.getSingleMetric(config.name) as Histogram<T> | undefined) ?? new Histogram({ ...config, registers: [registry] });
}
