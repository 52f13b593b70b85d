// Source maps on a real bundle: esbuild minifies a small app with a source map, Node runs it and
// throws, and the grouping of that real `error.stack` names the original file, line and function.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { buildSync } from 'esbuild';
import { computeGrouping, createGroupingOptions } from '../../../src/group/fingerprint.js';
import { errorEvent } from '../event-fixtures.js';

const CART = `export function checkoutCart(items) {
  const total = computeTotal(items);
  return total;
}

function computeTotal(items) {
  if (items.length === 0) throw new TypeError('cart is empty');
  return items.reduce((sum, item) => sum + item.price, 0);
}
`;
const MAIN = `import { checkoutCart } from './cart.js';
export function handleRequest(items) {
  return checkoutCart(items);
}
`;

let work: string;
let maps: string;

/** Builds the app minified, with its map, as release `release`; resolves with the stack it throws. */
async function thrownBy(release: string, bundleName: string): Promise<string> {
  const out = path.join(work, 'static', release);
  buildSync({ entryPoints: [path.join(work, 'src', 'main.js')], bundle: true, minify: true, sourcemap: 'external', format: 'esm', outfile: path.join(out, bundleName) });
  mkdirSync(path.join(maps, release), { recursive: true });
  writeFileSync(path.join(maps, release, `${bundleName}.map`), (await import('node:fs')).readFileSync(path.join(out, `${bundleName}.map`)));
  const bundle = (await import(pathToFileURL(path.join(out, bundleName)).href)) as { handleRequest(items: unknown[]): unknown };
  try {
    bundle.handleRequest([]);
  } catch (error) {
    return (error as Error).stack!;
  }
  throw new Error('the bundle did not throw');
}

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'faultline-sourcemaps-'));
  maps = path.join(work, 'maps');
  mkdirSync(path.join(work, 'src'));
  writeFileSync(path.join(work, 'src', 'cart.js'), CART);
  writeFileSync(path.join(work, 'src', 'main.js'), MAIN);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('source maps', () => {
  it('groups a minified bundle\'s error by the original file, line and function, keeping the minified frame', async () => {
    const stack = await thrownBy('1.0.0', 'app.a1b2c3d4.mjs');
    assert.doesNotMatch(stack, /computeTotal/, 'the bundle really is minified');
    const options = createGroupingOptions({ inAppInclude: [], inAppExclude: [], fingerprintRules: [], sourceMapsDirectory: maps });
    const grouping = computeGrouping(errorEvent({ type: 'TypeError', message: 'cart is empty', stacktrace: stack, serviceVersion: '1.0.0' }), options);
    assert.match(grouping.culprit, /^computeTotal \(.*src\/cart\.js\)$/);
    const throwSite = grouping.frames.at(-1)!;
    assert.equal(throwSite.line, 7);
    assert.equal(throwSite.sourceMap, 'resolved');
    assert.match(throwSite.minified!.module, /app\.a1b2c3d4\.mjs$/);
    // Each name comes from its caller's call site; the bundle's outermost frame has no caller in it.
    assert.deepEqual(grouping.frames.filter((f) => f.sourceMap === 'resolved').map((f) => f.function).slice(-2), ['checkoutCart', 'computeTotal']);
  });

  it('keeps one group across two builds whose minified names and hashes differ', async () => {
    const options = createGroupingOptions({ inAppInclude: [], inAppExclude: [], fingerprintRules: [], sourceMapsDirectory: maps });
    const group = async (release: string, bundle: string) =>
      computeGrouping(errorEvent({ type: 'TypeError', message: 'cart is empty', stacktrace: await thrownBy(release, bundle), serviceVersion: release }), options).fingerprint;
    assert.equal(await group('1.0.1', 'app.e5f6a7b8.mjs'), await group('1.0.2', 'app.c9d0e1f2.mjs'));
  });

  it('keeps the minified frame and says the map is missing when the release has none', async () => {
    const stack = await thrownBy('2.0.0', 'app.0badf00d.mjs');
    const options = createGroupingOptions({ inAppInclude: [], inAppExclude: [], fingerprintRules: [], sourceMapsDirectory: maps });
    const grouping = computeGrouping(errorEvent({ type: 'TypeError', message: 'cart is empty', stacktrace: stack, serviceVersion: '9.9.9' }), options);
    const bundleFrames = grouping.frames.filter((f) => f.module.endsWith('.mjs'));
    assert.ok(bundleFrames.length > 0);
    assert.ok(bundleFrames.every((f) => f.sourceMap === 'missing' && f.minified === undefined));
  });
});
