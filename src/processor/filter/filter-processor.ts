// The `filter` processor drops error events users do not want (KeyboardInterrupt, Http404, health
// checks): an event matching every field a rule gives, of any rule, is dropped, and counted in
// faultline_events_filtered_total{processor, rule} (the first matching rule counts). Span timings
// are never filtered. Regexes were validated at load and are compiled here, once. Keys: see
// config.ts and docs/config.md.

import type { BuiltProcessor, ProcessorContext } from '../../component.js';
import type { FilterProcessorConfig, FilterRuleConfig } from './config.js';
import type { ErrorEvent, Extracted } from '../../extract/error-event.js';
import type { AttributeValue } from '../../otlp/types.js';
import { createFilterMetrics } from './filter-metrics.js';
import { slashedRegex } from './regex-value.js';
import type { ProcessorFactory } from '../../component.js';
import { filterProcessorType } from './config.js';

interface CompiledRule {
  readonly levels: ReadonlySet<string> | null;
  readonly services: ReadonlySet<string> | null;
  readonly exactTypes: ReadonlySet<string>;
  readonly typePatterns: readonly RegExp[];
  readonly anyType: boolean;
  readonly message: RegExp | null;
  readonly attributeKey: string | null;
  readonly attributeValue: RegExp | null;
  readonly count: () => void;
}

export function createFilterProcessor(config: FilterProcessorConfig, context: ProcessorContext): BuiltProcessor {
  const { filtered } = createFilterMetrics(context.registry);
  const rules = config.rules.map((rule) => {
    // Each rule's series exists from the start (at 0), so a rate over it is defined.
    const child = filtered.labels({ processor: config.id, rule: rule.name });
    child.inc(0);
    return compileRule(rule, () => child.inc());
  });
  return {
    processor: {
      process(batch: Extracted): Extracted {
        if (rules.length === 0 || batch.events.length === 0) return batch;
        let kept: ErrorEvent[] | null = null;
        for (let i = 0; i < batch.events.length; i++) {
          const event = batch.events[i];
          const rule = rules.find((candidate) => matches(candidate, event));
          if (rule === undefined) {
            kept?.push(event);
            continue;
          }
          rule.count();
          kept ??= batch.events.slice(0, i);
        }
        return kept === null ? batch : { ...batch, events: kept };
      },
    },
  };
}

function compileRule(rule: FilterRuleConfig, count: () => void): CompiledRule {
  const exactTypes = new Set<string>();
  const typePatterns: RegExp[] = [];
  for (const type of rule.exceptionTypes) {
    const slashed = slashedRegex(type);
    if (slashed === null) exactTypes.add(type);
    else typePatterns.push(new RegExp(slashed.source, slashed.flags));
  }
  return {
    levels: rule.levels.length === 0 ? null : new Set(rule.levels),
    services: rule.services.length === 0 ? null : new Set(rule.services),
    exactTypes,
    typePatterns,
    anyType: rule.exceptionTypes.length === 0,
    message: rule.message === null ? null : new RegExp(rule.message),
    attributeKey: rule.attribute?.key ?? null,
    attributeValue: rule.attribute?.value == null ? null : new RegExp(rule.attribute.value),
    count,
  };
}

/** Cheapest checks first: the regexes run only on events that passed the set lookups. */
function matches(rule: CompiledRule, event: ErrorEvent): boolean {
  if (rule.levels !== null && !rule.levels.has(event.level)) return false;
  if (rule.services !== null && !rule.services.has(event.service)) return false;
  if (!rule.anyType && !rule.exactTypes.has(event.type) && !rule.typePatterns.some((re) => re.test(event.type))) {
    return false;
  }
  if (rule.attributeKey !== null) {
    if (!event.attributes.has(rule.attributeKey)) return false;
    if (rule.attributeValue !== null && !valueMatches(rule.attributeValue, event.attributes.get(rule.attributeKey)!)) {
      return false;
    }
  }
  return rule.message === null || rule.message.test(event.message);
}

/** Scalars as their text; a list matches when one of its items does; maps and bytes never match. */
function valueMatches(pattern: RegExp, value: AttributeValue): boolean {
  if (typeof value === 'string') return pattern.test(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return pattern.test(String(value));
  }
  if (Array.isArray(value)) return value.some((item) => valueMatches(pattern, item));
  return false;
}

export const filterProcessorFactory: ProcessorFactory<FilterProcessorConfig> = {
  type: 'filter',
  defaults: { rules: [] },
  schema: filterProcessorType,
  create: createFilterProcessor,
};
