// POST /api/v1/releases/:release/sourcemaps?file=<bundle file name>: stores one source map (the
// body, JSON) as `<source_maps_directory>/<release>/<file>.map`, where the `group` processor reads
// it (source-maps.ts). `file` may be left out when the map names its bundle (`"file"`). The map
// is parsed first: a body that is not a source map is 400; over MAX_MAP_BYTES 413; past
// MAX_RELEASES releases or MAX_MAPS_PER_RELEASE maps of one release 507 (delete old releases'
// directories to make room). Written to a temporary file and renamed, so a reader never sees half
// a map. Answers 201 {release, file, bytes}.

import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TraceMap } from '@jridgewell/trace-mapping';
import { json, type AdminRoutes } from '../../admin/admin-server.js';
import { FaultlineError } from '../../errors.js';
import { readRawBody } from '../../internal/read-body.js';
import { isSafeName, MAX_MAP_BYTES, type SourceMaps } from './source-maps.js';

export const MAX_RELEASES = 1000;
export const MAX_MAPS_PER_RELEASE = 1000;

export function registerSourceMapUpload(admin: AdminRoutes, sourceMaps: SourceMaps, onStored: () => void = () => {}): void {
  admin.route('POST', '/api/v1/releases/:release/sourcemaps', async (request, response, params) => {
    const release = params.release!;
    if (!isSafeName(release)) return json(response, 400, { error: 'release: expected 1 to 128 letters, digits or . _ + @ -' });
    let body: Buffer;
    try {
      body = await readRawBody(request, MAX_MAP_BYTES);
    } catch (error) {
      if (error instanceof FaultlineError && error.code === 'FL_TOO_LARGE') return json(response, 413, { error: `body: larger than ${MAX_MAP_BYTES} bytes` });
      return json(response, 400, { error: 'body: could not be read' });
    }
    let map: TraceMap;
    try {
      map = new TraceMap(body.toString('utf8'));
    } catch {
      return json(response, 400, { error: 'body: expected a source map (JSON, version 3)' });
    }
    const named = new URL(request.url ?? '/', 'http://localhost').searchParams.get('file') ?? (map.file ? path.posix.basename(map.file) : '');
    if (!isSafeName(named)) return json(response, 400, { error: 'file: expected the bundle file name (e.g. main.9f8e7d6c.js), as ?file= or the map\'s "file"' });
    const directory = path.join(sourceMaps.directory, release);
    const releases = listing(sourceMaps.directory);
    if (!releases.includes(release) && releases.length >= MAX_RELEASES) return json(response, 507, { error: `releases: ${MAX_RELEASES} stored already` });
    const maps = listing(directory);
    if (!maps.includes(`${named}.map`) && maps.length >= MAX_MAPS_PER_RELEASE) return json(response, 507, { error: `maps: ${MAX_MAPS_PER_RELEASE} stored for ${release} already` });
    try {
      mkdirSync(directory, { recursive: true });
      const temporary = path.join(directory, `.${named}.map.${process.pid}.tmp`);
      writeFileSync(temporary, body);
      renameSync(temporary, path.join(directory, `${named}.map`));
    } catch {
      return json(response, 503, { error: 'source maps directory: could not be written' });
    }
    sourceMaps.forget(release, named);
    onStored();
    json(response, 201, { release, file: named, bytes: body.length });
  });
}

function listing(directory: string): string[] {
  try {
    return readdirSync(directory).filter((name) => !name.startsWith('.'));
  } catch {
    return [];
  }
}
