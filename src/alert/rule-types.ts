// The alert rule types: a leaf both the config (alert/config.ts) and the message formatting
// (template.ts) read, so neither imports the other.

export const RULE_TYPES = ['threshold', 'error_ratio', 'latency', 'new_group', 'regression', 'absent'] as const;
export type RuleType = (typeof RULE_TYPES)[number];
