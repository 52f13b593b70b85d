// The colour of each severity (and green for resolved) in channels that colour a message: Slack's
// attachment bar, Discord's embed. One table, so the two chat channels agree.

import type { AlertNotification, AlertSeverity } from './notification.js';

export const SEVERITY_COLOURS: Readonly<Record<AlertSeverity | 'resolved', string>> = {
  low: '#439FE0',
  medium: '#DAA038',
  high: '#E8590C',
  critical: '#D00000',
  resolved: '#2EB886',
};

/** `#RRGGBB` for a notification: its severity's colour while firing, green once resolved. */
export function colourOf(notification: Pick<AlertNotification, 'state' | 'severity'>): string {
  return SEVERITY_COLOURS[notification.state === 'resolved' ? 'resolved' : notification.severity];
}
