// `{{ name }}` templating for annotations: group labels, rule labels, `rule`, `value`,
// `threshold`, `severity`, `window`; `title` and `message` (threshold, new_group, regression);
// `group_id` and `group_url` for alerts about one error group (new_group, regression, group_by
// with fingerprint). Values are inserted as they are; unknown names are refused at config load
// (alert/config.ts), so an empty string here means a value the alert does not have (an
// environment never sent, a group no groups store holds).

import type { RuleType } from './rule-types.js';

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The variable names a template uses, in order. */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(VARIABLE)].map((match) => match[1]);
}

export function renderTemplate(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(VARIABLE, (_whole, name: string) => variables[name] ?? '');
}

/** How a measured value reads in a message: 12 (events), 7.5% (ratio), 2.31s (latency, absent). */
export function formatValue(type: RuleType, value: number): string {
  switch (type) {
    case 'error_ratio':
      return `${round(value * 100)}%`;
    case 'latency':
    case 'absent':
      return formatSeconds(value);
    default:
      return String(round(value));
  }
}

export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${round(seconds * 1000)}ms`;
  if (seconds < 120) return `${round(seconds)}s`;
  if (seconds < 7200) return `${round(seconds / 60)}m`;
  return `${round(seconds / 3600)}h`;
}

function round(value: number): number {
  return Number.isInteger(value) ? value : Number(value.toPrecision(3));
}
