// Real `faultline` processes on a real PostgreSQL (test/helpers/postgres.ts): a database that is
// not reachable when Faultline starts is waited for (not ready, reports kept, no crash loop), and
// two replicas fed split traffic, as behind a load balancer, count every report once and open
// each group once between them.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { reportUrl, reportsToGroupsConfig, startFaultlineProcess, type FaultlineProcess } from '../helpers/faultline-process.js';
import { letters } from '../helpers/names.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { sumSamples } from '../helpers/prom-text.js';

let server: PostgresServer;
before(async () => {
  server = await startPostgres();
});
after(() => server?.stop());

function configFor(url: string): string {
  return reportsToGroupsConfig(`  storage:\n    postgres: { url: ${JSON.stringify(url)}, connect_timeout: 2s }`);
}

const admin = (running: FaultlineProcess) => `http://127.0.0.1:${running.addresses.admin!.port}`;

async function report(running: FaultlineProcess, group: number): Promise<number> {
  const type = `Split${letters(group)}Error`;
  const body = { service: 'shop', level: 'error', metadata: {}, error: { type, message: 'split traffic', stack: `${type}: split traffic\n    at handler (src/app.js:1:1)\n` } };
  const response = await fetch(`${reportUrl(running)}/api/v1/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

async function groups(running: FaultlineProcess): Promise<{ total: number; counts: number[] }> {
  const page = (await (await fetch(`${admin(running)}/api/v1/groups?limit=500`)).json()) as { total: number; groups: { count: number }[] };
  return { total: page.total, counts: page.groups.map((group) => group.count) };
}

async function until(check: () => Promise<boolean>, what: string, attempts = 200): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not reached after ${attempts} tries`);
}

/** A port nothing listens on now (taken from the kernel, then released). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Forwards connections on `port` to PostgreSQL's port: the database "comes up" when this starts. */
async function forward(port: number, to: number): Promise<net.Server> {
  const proxy = net.createServer((client) => {
    const upstream = net.connect(to, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return proxy;
}

describe('Faultline on PostgreSQL', () => {
  it('waits for a database that is unreachable at start: not ready, reports kept, all stored once it is up', async () => {
    const database = new URL(await server.createDatabase());
    const port = await freePort();
    const through = new URL(database);
    through.port = String(port);
    const running = await startFaultlineProcess(configFor(through.toString()));
    let proxy: net.Server | undefined;
    try {
      assert.equal((await fetch(`${admin(running)}/health/ready`)).status, 503);
      const health = (await (await fetch(`${admin(running)}/health`)).json()) as { components: Record<string, { state: string; detail?: string }> };
      assert.equal(health.components.storage?.state, 'failed');
      assert.match(health.components.storage?.detail ?? '', /ECONNREFUSED|connect/);
      for (let group = 0; group < 10; group++) assert.equal(await report(running, group), 201);
      proxy = await forward(port, Number(database.port));
      await until(async () => (await fetch(`${admin(running)}/health/ready`)).status === 200, 'ready once the database is up');
      await until(async () => (await groups(running)).total === 10, 'the ten reports accepted while it was down are stored');
      running.child.kill('SIGTERM');
      assert.equal(await running.exited, 0);
    } finally {
      running.child.kill('SIGKILL');
      proxy?.close();
    }
  });

  it('counts every report once and opens each group once across two replicas fed split traffic', async () => {
    const url = await server.createDatabase();
    const replicas = [await startFaultlineProcess(configFor(url)), await startFaultlineProcess(configFor(url))];
    try {
      const GROUPS = 40;
      const PER_GROUP = 6;
      // Round-robin, as a load balancer would: every group reaches both replicas, concurrently, in
      // waves of 40 requests (20 connections per replica, within the admin port's 64 per client).
      const statuses: number[] = [];
      for (let wave = 0; wave < GROUPS * PER_GROUP; wave += 40) {
        const sends: Promise<number>[] = [];
        for (let n = wave; n < Math.min(GROUPS * PER_GROUP, wave + 40); n++) sends.push(report(replicas[n % 2]!, n % GROUPS));
        statuses.push(...(await Promise.all(sends)));
      }
      assert.equal(statuses.length, GROUPS * PER_GROUP);
      assert.ok(statuses.every((status) => status === 201));
      await until(async () => (await groups(replicas[0]!)).counts.reduce((a, b) => a + b, 0) === GROUPS * PER_GROUP, 'every report counted');
      const seen = await groups(replicas[1]!);
      assert.equal(seen.total, GROUPS);
      assert.deepEqual(seen.counts, Array(GROUPS).fill(PER_GROUP));
      let opened = 0;
      for (const replica of replicas) opened += sumSamples(await (await fetch(`${admin(replica)}/metrics`)).text(), 'faultline_error_groups_new_total');
      assert.equal(opened, GROUPS, 'each group opened by exactly one replica');
    } finally {
      for (const replica of replicas) replica.child.kill('SIGKILL');
    }
  });
});
