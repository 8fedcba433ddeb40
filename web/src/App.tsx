import { SignInGate, UserBadge, type Me } from './auth/SignInGate.js';
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

const PAGES = [
  { id: 'tenants', label: 'Tenants' },
  { id: 'search', label: 'Search' },
  { id: 'reports', label: 'Reports' },
  { id: 'alerts', label: 'Alerts' },
  { id: 'coverage', label: 'Coverage' },
] as const;

export function App() {
  return <SignInGate>{(me, signOut) => <Console me={me} signOut={signOut} />}</SignInGate>;
}

function Console({ me, signOut }: { me: Me; signOut: () => void }) {
  const route = useRoute();
  // Every page re-renders in the chosen zone (their times come from fmtTime, which reads it).
  useTimeZone();
  // The sinks, the audit trail and the accounts are an administrator of every tenant's (they speak of every
  // tenant): an admin of some customers had tabs that could only ever answer "needs an administrator of every
  // tenant", and an Admin page that said "No accounts yet" under that refusal.
  const everyTenant = me.tenants === '*';
  const pages =
    me.role === 'admin'
      ? [
          ...PAGES,
          { id: 'audit-config', label: 'Audit settings' },
          ...(everyTenant
            ? [
                { id: 'sinks', label: 'Sinks' },
                { id: 'audit', label: 'Audit trail' },
              ]
            : []),
          { id: 'admin', label: 'Admin' },
        ]
      : me.role === 'viewer'
        ? // Search and reports read records, an investigator's right: a viewer's tabs would only ever be refused.
          PAGES.filter((p) => p.id !== 'search' && p.id !== 'reports')
        : PAGES;
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">tenantwatch</span>
        <nav aria-label="Pages">
          {pages.map((p) => (
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
        {route.page === 'search' ? (
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
          <AuditConfigPage params={route.params} />
        ) : route.page === 'posture' ? (
          <PosturePage params={route.params} />
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
