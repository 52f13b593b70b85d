// The one function that decides whether an event announces something: `new_group` for a group
// key never seen (or evicted since), `regression` for a resolved group seen in a newer release.
//
// A resolved group records the release it was resolved in (the newest release it had seen, or the
// one given when resolving). An event of that group then regresses it when its release is:
//   - newer, when both read as versions (resolved in 1.2: 1.3 regresses; 1.1 and 1.2 do not —
//     old deployments still running are not news);
//   - otherwise, not that release and not one the group has seen before (a new git SHA regresses,
//     an old known one does not).
// With no release to compare (the group was resolved with none, or the event carries none) every
// new event regresses: silence would hide a real return. Ignored and unresolved groups never signal.

import type { ErrorEvent } from '../../extract/error-event.js';
import { compareReleases } from './releases.js';

export type SignalKind = 'new_group' | 'regression';

export interface GroupHistory {
  readonly state: 'unresolved' | 'resolved' | 'ignored';
  readonly resolvedInRelease: string;
  /** Releases the group has seen, most recent last. */
  readonly releases: readonly string[];
}

export function decideSignal(group: GroupHistory | undefined, event: Pick<ErrorEvent, 'serviceVersion'>): SignalKind | undefined {
  if (group === undefined) return 'new_group';
  if (group.state !== 'resolved') return undefined;
  return isNewerRelease(event.serviceVersion, group.resolvedInRelease, group.releases) ? 'regression' : undefined;
}

export function isNewerRelease(release: string, resolvedIn: string, known: readonly string[]): boolean {
  if (release === '' || resolvedIn === '') return true;
  const order = compareReleases(release, resolvedIn);
  if (order !== undefined) return order > 0;
  return release !== resolvedIn && !known.includes(release);
}
