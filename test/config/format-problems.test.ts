import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProblems } from '../../src/config/format-problems.js';

describe('formatProblems', () => {
  it('prints one line per problem as path: message, and a pathless problem as its message', () => {
    assert.equal(
      formatProblems([
        { path: '', message: 'line 3, column 1: Map keys must be unique' },
        { path: 'receivers.otlp.protocols.http.endpoint', message: 'expected host:port, got "4318"' },
      ]),
      'line 3, column 1: Map keys must be unique\nreceivers.otlp.protocols.http.endpoint: expected host:port, got "4318"',
    );
  });

  it('prints nothing for no problems', () => {
    assert.equal(formatProblems([]), '');
  });
});
