// Health as the admin server reports it: each component says whether it is up. Live means the
// process answers; ready means every component has started and shutdown has not begun. A
// `degraded` component runs but its output is held up (the kafka exporter while its brokers are
// unreachable buffers events): the instance stays ready, since it still accepts and keeps data,
// and /health says `degraded` instead of `ok`.

export type ComponentState = 'starting' | 'ok' | 'degraded' | 'failed' | 'stopping' | 'stopped';

export interface Health {
  set(component: string, state: ComponentState, detail?: string): void;
  /** The state `component` last reported; undefined for one never set. */
  state(component: string): ComponentState | undefined;
  /** Every component ok or degraded. */
  ready(): boolean;
  report(): { status: 'ok' | 'degraded' | 'unavailable'; components: Record<string, { state: ComponentState; detail?: string }> };
}

export function createHealth(): Health {
  const components = new Map<string, { state: ComponentState; detail?: string }>();
  const ready = () => components.size > 0 && [...components.values()].every((entry) => entry.state === 'ok' || entry.state === 'degraded');
  const degraded = () => [...components.values()].some((entry) => entry.state === 'degraded');
  return {
    set(component, state, detail) {
      components.set(component, detail === undefined ? { state } : { state, detail });
    },
    state: (component) => components.get(component)?.state,
    ready,
    report() {
      return { status: ready() ? (degraded() ? 'degraded' : 'ok') : 'unavailable', components: Object.fromEntries(components) };
    },
  };
}
