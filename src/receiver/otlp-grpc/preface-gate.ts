// The gRPC receiver's own socket listener, in front of grpc-js: connections are limited
// (internal/connection-gate.ts), and a connection reaches grpc-js (through its connection
// injector) only once the client has sent the 24-byte HTTP/2 connection preface. One that has not
// within handshake_timeout is closed and counted (reason `handshake`): an HTTP/2 session is never
// built for it, and grpc-js never holds a connection that never started its handshake.
// The bytes read are put back (socket.unshift) for grpc-js's HTTP/2 session to read first.

import net from 'node:net';
import type { ConnectionLimits } from '../../config/listener-limits.js';
import { limitConnections, type ListenerMetrics } from '../../internal/connection-gate.js';

/** "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 §3.4). */
const PREFACE_LENGTH = 24;

export interface PrefaceGate {
  readonly server: net.Server;
  /** Destroys the connections still waiting for their preface (at shutdown). */
  destroyWaiting(): void;
}

export function createPrefaceGate(options: {
  listener: string;
  limits: ConnectionLimits;
  handshakeTimeoutMs: number;
  metrics: ListenerMetrics;
  /** Where a connection goes once its preface is in. */
  inject(socket: net.Socket): void;
}): PrefaceGate {
  const { handshakeTimeoutMs, inject } = options;
  const waiting = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    // A reset before grpc-js owns the socket is this listener's to swallow; closing follows.
    socket.on('error', () => {});
    if (handshakeTimeoutMs <= 0) return inject(socket);
    waiting.add(socket);
    const received: Buffer[] = [];
    let length = 0;
    const timer = setTimeout(() => {
      done();
      gate.timedOut('handshake');
      socket.destroy();
    }, handshakeTimeoutMs);
    const onData = (chunk: Buffer): void => {
      received.push(chunk);
      length += chunk.length;
      if (length < PREFACE_LENGTH) return;
      done();
      socket.pause();
      socket.unshift(Buffer.concat(received, length));
      inject(socket);
    };
    const done = (): void => {
      clearTimeout(timer);
      waiting.delete(socket);
      socket.off('data', onData);
      socket.off('close', done);
    };
    socket.on('data', onData);
    socket.once('close', done);
  });
  const gate = limitConnections(server, options);
  options.metrics.timedOut.inc({ listener: options.listener, reason: 'handshake' }, 0);
  return {
    server,
    destroyWaiting() {
      for (const socket of waiting) socket.destroy();
    },
  };
}
