import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { coalescedWrites, writeFileAtomic } from '../../src/internal/atomic-file.js';

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
