// The web UI's entry: a Preact app bundled by esbuild (scripts/build-ui.ts) and served by the
// admin endpoint (src/ui/ui-routes.ts). Routes: /ui/ (issues, filters in the query),
// /ui/issues/:id, /ui/alerts, /ui/status. The shell passes settings in #faultline-ui (JSON).

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { sessionAccess, type Access } from './api.js';
import { AlertsPage } from './alerts-page.js';
import { IssuePage } from './issue-page.js';
import { IssuesPage } from './issues-page.js';
import { Link } from './parts.js';
import { StatusPage } from './status-page.js';
import './style.css';

interface Settings {
  readonly traceUrl: string;
}

const settings: Settings = { traceUrl: '', ...(JSON.parse(document.getElementById('faultline-ui')?.textContent || '{}') as Partial<Settings>) };

function useLocation(): { path: string; search: string } {
  const read = () => ({ path: location.pathname, search: location.search });
  const [where, setWhere] = useState(read);
  useEffect(() => {
    const changed = () => {
      setWhere(read());
      window.scrollTo(0, 0);
    };
    addEventListener('popstate', changed);
    return () => removeEventListener('popstate', changed);
  }, []);
  return where;
}

function App() {
  const { path, search } = useLocation();
  const [access, setAccess] = useState<Access>('write');
  useEffect(() => {
    sessionAccess().then(setAccess, () => setAccess('read'));
  }, []);
  const issue = /^\/ui\/issues\/([^/]+)$/.exec(path);
  const section = issue ? 'issues' : path === '/ui/alerts' ? 'alerts' : path === '/ui/status' ? 'status' : 'issues';
  useEffect(() => {
    document.title = `${section === 'issues' ? (issue ? 'Issue' : 'Issues') : section === 'alerts' ? 'Alerts' : 'Status'} · Faultline`;
  }, [path]);
  let page;
  if (issue) page = <IssuePage id={decodeURIComponent(issue[1]!)} access={access} traceUrl={settings.traceUrl} />;
  else if (section === 'alerts') page = <AlertsPage access={access} />;
  else if (section === 'status') page = <StatusPage />;
  else page = <IssuesPage search={search} />;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <nav aria-label="Faultline">
          <span class="brand">Faultline</span>
          <Link href="/ui/" current={section === 'issues'}>
            Issues
          </Link>
          <Link href="/ui/alerts" current={section === 'alerts'}>
            Alerts
          </Link>
          <Link href="/ui/status" current={section === 'status'}>
            Status
          </Link>
        </nav>
        {access === 'read' && <span class="badge">read-only</span>}
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);

// `/` puts the cursor in the search box, as in most issue trackers.
addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target as HTMLElement;
  if (target.closest('input, textarea, select, [contenteditable]')) return;
  const search = document.querySelector<HTMLInputElement>('input[type="search"]');
  if (search) {
    event.preventDefault();
    search.focus();
  }
});
