import type { ApiRoute } from './api.js';
import { may } from './auth/roles.js';
import { SignInGate, UserBadge, type Me } from './auth/SignInGate.js';
import { EmptyState } from './components/EmptyState.js';
import { AdminPage } from './pages/AdminPage.js';
import { AuditConfigPage } from './pages/AuditConfigPage.js';
import { AuditPage } from './pages/AuditPage.js';
import { AlertsPage } from './pages/AlertsPage.js';
import { CoveragePage } from './pages/CoveragePage.js';
import { ReportsPage } from './pages/ReportsPage.js';
import { PosturePage } from './pages/PosturePage.js';
import { SearchPage } from './pages/SearchPage.js';
import { SinksPage } from './pages/SinksPage.js';
import { TenantsPage } from './pages/TenantsPage.js';
import { useRoute } from './route.js';
import { TimeZoneChooser } from './components/TimeZoneChooser.js';
import { useTimeZone } from './timezone.js';

interface Page {
  id: string;
  label: string;
  /** The route the page is for: offered only to a role that may call it (its page could only be refused). */
  needs?: ApiRoute;
  /** Speaks of every tenant: offered only to an account of every tenant. */
  everyTenant?: true;
  /** Opened from other pages, never a tab. */
  tab?: false;
}

/**
 * The console's pages in tab order. Search and reports read records, an investigator's right. The sinks, the
 * audit trail and the accounts speak of every tenant: an admin of some customers had tabs that could only ever
 * answer "needs an administrator of every tenant", and an Admin page that said "No accounts yet" under that
 * refusal (the Admin page shows such an admin only their tenants' connection tests).
 */
const PAGES: readonly Page[] = [
  { id: 'tenants', label: 'Tenants' },
  { id: 'search', label: 'Search', needs: 'GET /api/search' },
  { id: 'reports', label: 'Reports', needs: 'POST /api/reports/:id/run' },
  { id: 'alerts', label: 'Alerts' },
  { id: 'coverage', label: 'Coverage' },
  { id: 'audit-config', label: 'Audit settings', needs: 'POST /api/audit-config/:tenant/check' },
  { id: 'sinks', label: 'Sinks', needs: 'GET /api/sinks', everyTenant: true },
  { id: 'audit', label: 'Audit trail', needs: 'GET /api/audit', everyTenant: true },
  { id: 'admin', label: 'Admin', needs: 'POST /api/tenants/:tenant/test' },
  { id: 'posture', label: 'Audit posture', tab: false },
];

export function App() {
  return <SignInGate>{(me, signOut) => <Console me={me} signOut={signOut} />}</SignInGate>;
}

function Console({ me, signOut }: { me: Me; signOut: () => void }) {
  const route = useRoute();
  // Every page re-renders in the chosen zone (their times come from fmtTime, which reads it).
  useTimeZone();
  const everyTenant = me.tenants === '*';
  const offered = PAGES.filter((p) => (!p.needs || may(me, p.needs)) && (!p.everyTenant || everyTenant));
  // A page's address opened by an account that may not use it (a shared link) shows no page of refusals.
  const refused = PAGES.some((p) => p.id === route.page) && !offered.some((p) => p.id === route.page);
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">tenantwatch</span>
        <nav aria-label="Pages">
          {offered
            .filter((p) => p.tab !== false)
            .map((p) => (
              <a
                key={p.id}
                href={`#/${p.id}`}
                className={route.page === p.id ? 'tab active' : 'tab'}
                aria-current={route.page === p.id ? 'page' : undefined}
              >
                {p.label}
              </a>
            ))}
        </nav>
        <TimeZoneChooser />
        <UserBadge me={me} onSignOut={signOut} />
      </header>
      <main className="content">
        {refused ? (
          <NotOffered me={me} />
        ) : route.page === 'search' ? (
          <SearchPage params={route.params} />
        ) : route.page === 'reports' ? (
          <ReportsPage params={route.params} />
        ) : route.page === 'alerts' ? (
          <AlertsPage params={route.params} />
        ) : route.page === 'coverage' ? (
          <CoveragePage params={route.params} />
        ) : route.page === 'audit' ? (
          <AuditPage params={route.params} />
        ) : route.page === 'audit-config' ? (
          <AuditConfigPage params={route.params} me={me} />
        ) : route.page === 'posture' ? (
          <PosturePage params={route.params} me={me} />
        ) : route.page === 'sinks' ? (
          <SinksPage />
        ) : route.page === 'admin' ? (
          <AdminPage everyTenant={everyTenant} />
        ) : (
          <TenantsPage />
        )}
      </main>
    </div>
  );
}

/** Said where a page the account may not use would be: the tabs are the pages it may. */
function NotOffered({ me }: { me: Me }) {
  const account = `${me.role ?? 'no role'}${me.tenants === '*' ? '' : ', some tenants'}`;
  return (
    <section className="page">
      <EmptyState title="Not available to your account">
        This page needs a role or a tenant scope your account ({account}) does not have; the tabs above are the pages it
        can use.
      </EmptyState>
    </section>
  );
}
