// What a replica does with one alert group when it takes over the lease. While it followed, it
// evaluated every rule on the same data, so its groups' conditions (state, startsAt, value) are
// warm; but its `notified` flags say what it *would* have sent. What was actually sent is the old
// leader's state, which the leader keeps next to the lease (ha-gate.ts). So the new leader keeps
// its own condition state and takes the old leader's notification bookkeeping:
// - cooldownUntil and lastNotifiedAt come from the old leader (a re-fire inside its cooldown stays
//   quiet, as it would have on the old leader);
// - a firing incident counts as announced only when the old leader announced the same incident
//   (still firing there, or resolved there after this replica's incident started);
// - an incident the old leader announced and this replica has seen resolve still owes its resolve.
// A group the old leader does not know was never announced (or is long forgotten): it is
// announced again if it fires. When in doubt, this notifies twice rather than never.

import type { GroupState } from '../alert-state.js';

/** Updates `mine` in place. Returns 'resolved' when a resolve notification is still owed. */
export function adoptNotified(mine: GroupState, theirs: GroupState | undefined): 'resolved' | null {
  if (theirs === undefined) {
    mine.notified = false;
    mine.lastNotifiedAt = 0;
    mine.cooldownUntil = 0;
    return null;
  }
  mine.cooldownUntil = theirs.cooldownUntil;
  mine.lastNotifiedAt = theirs.lastNotifiedAt;
  const announced = theirs.notified && (theirs.state === 'firing' || theirs.state === 'resolved');
  if (mine.state === 'firing') {
    mine.notified = announced && (theirs.state === 'firing' || mine.startsAt <= theirs.endsAt);
    return null;
  }
  if (mine.state === 'resolved') {
    mine.notified = announced;
    return announced && theirs.state === 'firing' ? 'resolved' : null;
  }
  mine.notified = false;
  return null;
}
