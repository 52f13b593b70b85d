// Small pieces every page uses: client-side navigation, times with their full form on hover, the
// charts (plain SVG with a fixed size, so nothing moves when data arrives), state badges and a
// hook that loads from the API.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { fullTime, relativeTime } from './format.js';

/** Moves to `href` (under /ui/) without a page load; the app re-renders from location. */
export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** A link that navigates in the app (a modified click still opens a new tab). */
export function Link(props: { href: string; class?: string; children: ComponentChildren; current?: boolean }) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

export function Time(props: { iso: string | null | undefined }) {
  if (!props.iso) return <span class="muted">—</span>;
  return (
    <time dateTime={props.iso} title={fullTime(props.iso)}>
      {relativeTime(props.iso)}
    </time>
  );
}

export function StateBadge(props: { state: string; regressed?: boolean }) {
  const shown = props.regressed && props.state === 'unresolved' ? 'regressed' : props.state;
  return <span class={`badge state-${shown}`}>{shown}</span>;
}

/** Events per bucket as bars; `labels` (bucket start times) become each bar's tooltip. */
export function Sparkline(props: { counts: readonly number[]; width?: number; height?: number; label: string }) {
  const width = props.width ?? 120;
  const height = props.height ?? 28;
  const max = Math.max(1, ...props.counts);
  const step = width / Math.max(1, props.counts.length);
  return (
    <svg class="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.label}>
      <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} class="axis" />
      {props.counts.map((value, index) => {
        const barHeight = value === 0 ? 0 : Math.max(2, (value / max) * (height - 2));
        return <rect x={index * step + 0.5} y={height - barHeight} width={Math.max(1, step - 1)} height={barHeight} />;
      })}
    </svg>
  );
}

const SERIES = 6;

/** Stacked bars per release, with a legend; the newest releases keep their own colour. */
export function ReleaseChart(props: { buckets: readonly { start: string; count: number; releases: Readonly<Record<string, number>> }[]; releases: readonly string[] }) {
  const width = 640;
  const height = 140;
  const max = Math.max(1, ...props.buckets.map((bucket) => bucket.count));
  const step = width / Math.max(1, props.buckets.length);
  const colour = (release: string) => {
    const index = props.releases.indexOf(release);
    return index < 0 || index >= SERIES ? 'series-other' : `series-${index}`;
  };
  return (
    <figure class="release-chart">
      <svg width="100%" height={height} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label="Events over time by release">
        <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} class="axis" />
        {props.buckets.map((bucket, index) => {
          let y = height;
          return Object.entries(bucket.releases).map(([release, value]) => {
            const barHeight = (value / max) * (height - 4);
            y -= barHeight;
            return (
              <rect class={colour(release)} x={index * step + 1} y={y} width={Math.max(1, step - 2)} height={barHeight}>
                <title>{`${fullTime(bucket.start)}: ${value} in ${release || '(no release)'}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      <figcaption class="legend">
        {props.releases.slice(0, SERIES).map((release) => (
          <span>
            <i class={colour(release)} /> {release || '(no release)'}
          </span>
        ))}
        {props.releases.length > SERIES && (
          <span>
            <i class="series-other" /> older releases
          </span>
        )}
      </figcaption>
    </figure>
  );
}

export type Loaded<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; message: string };

/** Loads `load()` whenever `key` changes; keeps the last value while a new one loads (no flicker). */
export function useLoad<T>(key: string, load: () => Promise<T>): [Loaded<T>, (value: T) => void, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setLoaded({ state: 'ok', value }),
      (error: unknown) => current && setLoaded({ state: 'error', message: (error as Error).message }),
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  return [loaded, (value) => setLoaded({ state: 'ok', value }), () => setRound((n) => n + 1)];
}

export function Problem(props: { message: string }) {
  return (
    <p class="problem" role="alert">
      {props.message}
    </p>
  );
}
