// Health as the admin server reports it: each component says whether it is up. Live means the
// process answers; ready means every component has started and shutdown has not begun.

export type ComponentState = 'starting' | 'ok' | 'failed' | 'stopping' | 'stopped';

export interface Health {
  set(component: string, state: ComponentState, detail?: string): void;
  /** The state `component` last reported; undefined for one never set. */
  state(component: string): ComponentState | undefined;
  /** Every component ok. */
  ready(): boolean;
  report(): { status: 'ok' | 'unavailable'; components: Record<string, { state: ComponentState; detail?: string }> };
}

export function createHealth(): Health {
  const components = new Map<string, { state: ComponentState; detail?: string }>();
  const ready = () => components.size > 0 && [...components.values()].every((entry) => entry.state === 'ok');
  return {
    set(component, state, detail) {
      components.set(component, detail === undefined ? { state } : { state, detail });
    },
    state: (component) => components.get(component)?.state,
    ready,
    report() {
      return { status: ready() ? 'ok' : 'unavailable', components: Object.fromEntries(components) };
    },
  };
}
