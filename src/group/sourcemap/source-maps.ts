// Source maps for minified JavaScript: frames of a release's bundle resolved to the original file,
// line and function before grouping, so a group reads `computeTotal (src/cart.js)` instead of
// `o (app.min.js)` and survives a rebuild that renames everything. Maps are files in the
// `group` processor's `source_maps_directory`: `<directory>/<release>/<bundle file name>.map`
// (the release is the event's service.version). A frame's function is the name the map gives its
// caller's call site (a V8 position points inside the function, at the call it was making); with
// no caller in the bundle, the printed name if the map lists it as an original name (an export),
// else ''.
// Bounds: a map over MAX_MAP_BYTES is not read; MAX_CACHED_MAPS parsed maps (or their absence)
// are kept, least recently used dropped first, so a map added later is seen once its entry goes.
// Never throws: a missing or broken map keeps the minified frame, marked `source_map: missing|broken`.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { LruCache } from '../../internal/lru-cache.js';
import type { Frame } from '../grouping.js';

export const MAX_MAP_BYTES = 32 * 1024 * 1024;
export const MAX_CACHED_MAPS = 64;
const SAFE_NAME = /^[\w.+@-]{1,128}$/;

export interface SourceMaps {
  readonly directory: string;
  /** The frames (outermost first) with those of a bundle that has a map resolved; the rest as they were. */
  resolve(frames: readonly Frame[], release: string): readonly Frame[];
  /** Forgets what is cached of one map (after an upload). */
  forget(release: string, file: string): void;
}

/** Whether `name` can be a release or bundle file name in the maps directory (no path, no dot-file). */
export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name) && !name.startsWith('.');
}

export function createSourceMaps(directory: string): SourceMaps {
  const maps = new LruCache<string, TraceMap | 'missing' | 'broken'>(MAX_CACHED_MAPS);

  function mapOf(release: string, module: string): TraceMap | 'missing' | 'broken' {
    const file = path.posix.basename(module.replace(/[?#].*$/, ''));
    if (!isSafeName(release) || !isSafeName(file)) return 'missing';
    const key = `${release}/${file}`;
    const cached = maps.get(key);
    if (cached !== undefined) return cached;
    const loaded = load(path.join(directory, release, `${file}.map`));
    maps.set(key, loaded);
    return loaded;
  }

  return {
    directory,
    forget: (release, file) => maps.delete(`${release}/${file}`),
    resolve(frames, release) {
      if (release === '') return frames;
      const positions = frames.map((frame) => {
        if (frame.module === '' || frame.line === 0) return null;
        const map = mapOf(release, frame.module);
        if (typeof map === 'string') return map;
        try {
          const position = originalPositionFor(map, { line: frame.line, column: Math.max(0, frame.column - 1) });
          return position.source === null ? ('missing' as const) : { ...position, originalNames: map.names };
        } catch {
          return 'broken' as const;
        }
      });
      if (positions.every((position) => position === null || position === 'missing')) {
        return positions.some((position) => position === 'missing') ? frames.map((frame, i) => (positions[i] === 'missing' ? { ...frame, sourceMap: 'missing' as const } : frame)) : frames;
      }
      return frames.map((frame, i) => {
        const position = positions[i];
        if (position === null || position === undefined) return frame;
        if (typeof position === 'string') return { ...frame, sourceMap: position };
        const caller = i > 0 ? positions[i - 1] : null;
        const callerName = caller !== null && caller !== undefined && typeof caller !== 'string' ? caller.name : null;
        const name = callerName ?? (position.originalNames.includes(frame.function) ? frame.function : null);
        return {
          function: name ?? '',
          module: position.source!,
          line: position.line ?? 0,
          column: (position.column ?? 0) + 1,
          inApp: frame.inApp,
          sourceMap: 'resolved' as const,
          minified: { function: frame.function, module: frame.module, line: frame.line, column: frame.column },
        };
      });
    },
  };
}

function load(file: string): TraceMap | 'missing' | 'broken' {
  try {
    if (statSync(file).size > MAX_MAP_BYTES) return 'broken';
  } catch {
    return 'missing';
  }
  try {
    return new TraceMap(readFileSync(file, 'utf8'));
  } catch {
    return 'broken';
  }
}
