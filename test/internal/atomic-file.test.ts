import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { coalescedWrites, removeStaleTemporaries, writeFileAtomic } from '../../src/internal/atomic-file.js';

it('replaces the file whole, creates its directory and leaves no temporary file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'faultline-atomic-'));
  const file = path.join(dir, 'nested', 'state.json');
  await writeFileAtomic(file, '{"v":1}');
  await writeFileAtomic(file, '{"v":2}');
  assert.equal(await readFile(file, 'utf8'), '{"v":2}');
  assert.deepEqual(await readdir(path.dirname(file)), ['state.json']);
});

it('rejects and cleans up when the target cannot be replaced', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'faultline-atomic-'));
  const blocker = path.join(dir, 'a-file');
  await writeFile(blocker, '');
  await assert.rejects(writeFileAtomic(path.join(blocker, 'state.json'), '{}'));
  assert.deepEqual(await readdir(dir), ['a-file']);
});

it('runs one write at a time and lets requests made meanwhile share one next write', async () => {
  let state = 0;
  const written: number[] = [];
  let release: () => void = () => {};
  const writes = coalescedWrites(async () => {
    const value = state;
    await new Promise<void>((resolve) => (release = resolve));
    written.push(value);
  });
  state = 1;
  const first = writes.request();
  state = 2;
  const second = writes.request();
  state = 3;
  const third = writes.request();
  assert.equal(second, third);
  release();
  await first;
  await new Promise((resolve) => setImmediate(resolve));
  release();
  await Promise.all([second, third, writes.settled()]);
  assert.deepEqual(written, [1, 3]);
});

it('removes the temporary files interrupted writes of a target left, and nothing else', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'faultline-atomic-'));
  const file = path.join(dir, 'state.json');
  const hourAgo = new Date(Date.now() - 3_600_000);
  const left = ['state.json.4242-0badf00d-1.tmp', 'state.json.7-deadbeef-12.tmp'];
  const kept = [
    'state.json',
    'state.json.corrupt-1700000000000',
    'other.json.4242-0badf00d-2.tmp', // another target's
    'state.json.4242-0badf00d.tmp', // not a name writeFileAtomic gives
    'notes.tmp',
  ];
  for (const name of [...left, ...kept]) {
    await writeFile(path.join(dir, name), 'x');
    await utimes(path.join(dir, name), hourAgo, hourAgo);
  }
  // A write in flight (another replica sharing the directory): recent, so kept.
  await writeFile(path.join(dir, 'state.json.99-cafebabe-3.tmp'), 'x');
  await mkdir(path.join(dir, 'state.json.5-abcdef01-4.tmp')); // a directory, never removed

  assert.deepEqual((await removeStaleTemporaries(file)).sort(), left.map((name) => path.join(dir, name)).sort());
  assert.deepEqual((await readdir(dir)).sort(), [...kept, 'state.json.99-cafebabe-3.tmp', 'state.json.5-abcdef01-4.tmp'].sort());
});

it('removes nothing and does not fail when the directory of the target does not exist', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'faultline-atomic-'));
  assert.deepEqual(await removeStaleTemporaries(path.join(dir, 'absent', 'state.json')), []);
});
