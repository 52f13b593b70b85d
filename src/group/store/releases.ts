// Release order, for regressions. Releases that read as versions (`1.2`, `v1.3.0`, `app@2.0.1-rc1`)
// compare numerically; anything else (git SHAs, build names) has no order, only identity.

const VERSION = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/;

interface Version {
  readonly parts: readonly number[];
  readonly prerelease: string;
}

function parseVersion(release: string): Version | undefined {
  const match = VERSION.exec(release.slice(release.lastIndexOf('@') + 1));
  if (match === null) return undefined;
  return { parts: match[1]!.split('.').map(Number), prerelease: match[2] ?? '' };
}

/** < 0, 0 or > 0 as `a` is older than, the same as or newer than `b`; undefined when either is not a version. */
export function compareReleases(a: string, b: string): number | undefined {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (left === undefined || right === undefined) return undefined;
  for (let i = 0; i < Math.max(left.parts.length, right.parts.length); i++) {
    const difference = (left.parts[i] ?? 0) - (right.parts[i] ?? 0);
    if (difference !== 0) return difference;
  }
  if (left.prerelease === right.prerelease) return 0;
  if (left.prerelease === '') return 1; // 1.3.0 is newer than 1.3.0-rc1
  if (right.prerelease === '') return -1;
  return left.prerelease < right.prerelease ? -1 : 1;
}

/** The newest of `releases` (kept in the order last seen): the highest version, else the last seen. */
export function newestRelease(releases: readonly string[]): string {
  let newest = '';
  for (const release of releases) {
    if (newest === '') newest = release;
    else {
      const order = compareReleases(release, newest);
      if (order === undefined) return releases[releases.length - 1] ?? '';
      if (order > 0) newest = release;
    }
  }
  return newest;
}
