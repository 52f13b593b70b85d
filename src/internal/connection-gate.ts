// Connection limits on a listening server (any net.Server: http.Server, or the one the gRPC
// receiver accepts on). Past max_connections Node closes the new connection before it becomes a
// socket object (net.Server.maxConnections, its 'drop' event); past max_connections_per_client a
// connection is destroyed as it arrives, before the server's own 'connection' listeners see it.
// Either way the refusal is counted, so one client holding idle connections costs the others
// nothing but a refused connection of its own, and the process keeps file descriptors for its
// other listeners and its files. Clients are told apart by address (an IPv6 client is one address,
// not its /64). Metrics: faultline_listener_connections{listener}, faultline_listener_max_connections,
// faultline_listener_connections_refused_total{listener, reason} (reason max_connections or
// max_connections_per_client) and faultline_listener_connections_timed_out_total{listener, reason}
// (counted by the listeners that time connections out: handshake on gRPC, read on HTTP).

import type net from 'node:net';
import type { Counter, Gauge } from 'prom-client';
import type { ConnectionLimits } from '../config/listener-limits.js';

export interface ListenerMetrics {
  readonly connections: Gauge<'listener'>;
  readonly maxConnections: Gauge<'listener'>;
  readonly refused: Counter<'listener' | 'reason'>;
  readonly timedOut: Counter<'listener' | 'reason'>;
}

/** Why a listener closed a connection the client had not finished with: see the listeners. */
export type TimeoutReason = 'handshake' | 'read';

export interface ConnectionGate {
  /** Counts a connection the listener closed because the client did not say enough in time. */
  timedOut(reason: TimeoutReason): void;
  /** Connections open now. */
  readonly open: number;
}

/**
 * Limits `server` by `limits`: the 'connection' listeners it has now (and only those) see admitted
 * connections only. Call after the server's own listeners are registered and before it listens.
 */
export function limitConnections(
  server: net.Server,
  options: { listener: string; limits: ConnectionLimits; metrics: ListenerMetrics },
): ConnectionGate {
  const { listener, limits, metrics } = options;
  const perClient = new Map<string, number>();
  let open = 0;
  metrics.connections.set({ listener }, 0);
  metrics.maxConnections.set({ listener }, limits.maxConnections);
  metrics.refused.inc({ listener, reason: 'max_connections' }, 0);
  metrics.refused.inc({ listener, reason: 'max_connections_per_client' }, 0);

  if (limits.maxConnections > 0) {
    server.maxConnections = limits.maxConnections;
    server.on('drop', () => metrics.refused.inc({ listener, reason: 'max_connections' }));
  }

  const admitted = server.listeners('connection') as ((socket: net.Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: net.Socket) => {
    const client = socket.remoteAddress;
    if (client === undefined) {
      // Already gone (the peer reset it while it waited to be accepted).
      socket.destroy();
      return;
    }
    const fromClient = (perClient.get(client) ?? 0) + 1;
    if (limits.maxConnectionsPerClient > 0 && fromClient > limits.maxConnectionsPerClient) {
      metrics.refused.inc({ listener, reason: 'max_connections_per_client' });
      socket.destroy();
      return;
    }
    perClient.set(client, fromClient);
    open++;
    metrics.connections.set({ listener }, open);
    socket.once('close', () => {
      open--;
      metrics.connections.set({ listener }, open);
      const left = perClient.get(client)! - 1;
      if (left === 0) perClient.delete(client);
      else perClient.set(client, left);
    });
    for (const handle of admitted) handle.call(server, socket);
  });

  return {
    timedOut: (reason) => metrics.timedOut.inc({ listener, reason }),
    get open() {
      return open;
    },
  };
}
