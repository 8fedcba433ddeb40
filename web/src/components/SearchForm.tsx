import { useRef, useState } from 'react';
import { ActivityPicker } from './ActivityPicker.js';
import { api, type TenantOverview } from '../api.js';
import { useApi } from './useApi.js';
import { useSettled } from './useSettled.js';
import { looksLikeTime } from '../format.js';
import { isoToWallClock, useTimeZone, wallClockToIso } from '../timezone.js';
import { useEveryTenant } from '../auth/SignInGate.js';

/** The Purview filters; names match the API's query parameters, so the URL is the search. */
export interface Filters {
  start: string;
  end: string;
  operation: string[];
  user: string;
  /**
   * One box per value: objects and free text are never split on commas (a URL or a phrase may hold one), so
   * two values of a link joined into one box ("a, b") were searched, on the next Search, as the one text "a, b".
   */
  object: string[];
  recordType: string;
  workload: string;
  ip: string;
  freeText: string[];
  tenant: string[];
}

/** The values of a filter that is never split, at least one (empty) box. */
const boxes = (values: string[]): string[] => (values.length ? values : ['']);

export function filtersFrom(params: URLSearchParams): Filters {
  return {
    start: params.get('start') ?? '7d',
    end: params.get('end') ?? 'now',
    operation: params.getAll('operation'),
    user: params.getAll('user').join(', '),
    object: boxes(params.getAll('object')),
    recordType: params.getAll('recordType').join(', '),
    workload: params.getAll('workload').join(', '),
    ip: params.getAll('ip').join(', '),
    freeText: boxes(params.getAll('freeText')),
    tenant: params.getAll('tenant'),
  };
}

export function filtersToParams(f: Filters): Record<string, string | string[]> {
  return { ...f };
}

const QUICK = [
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'],
] as const;

/** A labelled control; `group` for composite controls (a label may not contain other labels). */
function Field({
  label,
  hint,
  group,
  children,
}: {
  label: string;
  hint?: string;
  group?: boolean;
  children: React.ReactNode;
}) {
  const caption = (
    <span className="label" title={hint}>
      {label}
    </span>
  );
  return group ? (
    <div className="field" role="group" aria-label={label}>
      {caption}
      {children}
    </div>
  ) : (
    <label className="field">
      {caption}
      {children}
    </label>
  );
}

function TenantChooser({
  tenants,
  selected,
  onChange,
}: {
  tenants: TenantOverview[];
  selected: string[];
  onChange: (names: string[]) => void;
}) {
  // None chosen searches every tenant the account may see: for an account scoped to some, "All tenants" read
  // as every customer of the deployment.
  const everyTenant = useEveryTenant();
  const none = everyTenant ? 'All tenants' : 'All your tenants';
  return (
    <details className="dropdown tenant-chooser">
      <summary className="select-like">{selected.length === 0 ? none : selected.join(', ')}</summary>
      <div className="dropdown-panel">
        {tenants.map((t) => (
          <label key={t.tenantId}>
            <input
              type="checkbox"
              name="tenant"
              value={t.name}
              checked={selected.includes(t.name)}
              onChange={(e) =>
                onChange(e.target.checked ? [...selected, t.name] : selected.filter((n) => n !== t.name))
              }
            />{' '}
            {t.name}
          </label>
        ))}
        {tenants.length === 0 ? (
          <span className="muted">{everyTenant ? 'No tenants registered' : 'Your account is given no tenant'}</span>
        ) : null}
      </div>
    </details>
  );
}

/**
 * One end of the period: the text field is the one control, and what it shows is what the next search uses. The
 * calendar beside it is for the mouse (and Alt+ArrowDown in the field): a datetime-local input whose own fields
 * stay hidden, so it is no Tab stop and never takes the focus — it had two Tab stops per date where typed keys
 * went nowhere to be seen, and its calendar opened on today, not on the date in the field.
 */
function TimeField({
  name,
  label,
  hint,
  placeholder,
  value,
  onChange,
}: {
  name: 'start' | 'end';
  label: string;
  hint: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const zone = useTimeZone();
  const text = useRef<HTMLInputElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const open = (): void => {
    text.current?.focus();
    picker.current?.showPicker();
  };
  return (
    <Field label={label} hint={`${hint}; Alt+ArrowDown opens a calendar (${zone})`}>
      <span className="time-field">
        <input
          ref={text}
          name={name}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => {
            if (e.altKey && e.key === 'ArrowDown') {
              e.preventDefault();
              open();
            }
          }}
          aria-keyshortcuts="Alt+ArrowDown"
          placeholder={placeholder}
          className="time"
        />
        <input
          ref={picker}
          type="datetime-local"
          className="time-pick"
          tabIndex={-1}
          aria-label={`Pick ${name} (${zone})`}
          title={`Pick a date and time (${zone})`}
          value={isoToWallClock(value, zone)}
          // The focus stays in the text field: in this input, keys went to its hidden fields.
          onMouseDown={(e) => e.preventDefault()}
          onClick={(e) => {
            e.preventDefault();
            open();
          }}
          onChange={(e) => e.target.value && onChange(wallClockToIso(e.target.value, zone))}
        />
      </span>
    </Field>
  );
}

/** How long typing in the period or tenants pauses before the user suggestions follow it. */
const SUGGESTIONS_AFTER_MS = 400;

type Period = { start: string; end: string; tenant: string[] };
const samePeriod = (a: Period, b: Period): boolean =>
  a.start === b.start && a.end === b.end && a.tenant.join('\n') === b.tenant.join('\n');

export function SearchForm({
  initial,
  onSearch,
  busy,
  tenants,
}: {
  initial: Filters;
  onSearch: (f: Filters) => void;
  busy: boolean;
  tenants: TenantOverview[];
}) {
  const [f, setF] = useState(initial);
  // The users seen in the chosen period and tenants feed the Users field's suggestions (asked once idle), from
  // the route that is no search: opening the page recorded a search (`search.counts`) nobody had run.
  // They follow the period once typing has paused and it reads as times: a date typed key by key asked once per
  // key, most of them refused as half a date.
  const period = useSettled(
    { start: f.start || '7d', end: f.end || 'now', tenant: f.tenant },
    SUGGESTIONS_AFTER_MS,
    samePeriod,
  );
  const seen = useApi(
    busy || !looksLikeTime(period.start) || !looksLikeTime(period.end)
      ? null
      : api.userSuggestions({
          start: period.start,
          end: period.end,
          ...(period.tenant.length ? { tenant: period.tenant } : {}),
        }),
    0,
    { keepPrevious: true },
  ).data?.users;
  const set = <K extends keyof Filters>(k: K, v: Filters[K]): void => setF((old) => ({ ...old, [k]: v }));
  /** A filter of several values, each in its own box (any of them matches); an emptied box is dropped. */
  const many = (k: 'object' | 'freeText', label: string, placeholder: string, hint?: string) =>
    f[k].length === 1 ? (
      <Field label={label} hint={hint}>
        <input name={k} value={f[k][0]} placeholder={placeholder} onChange={(e) => set(k, [e.target.value])} />
      </Field>
    ) : (
      <Field label={label} hint={hint} group>
        {f[k].map((v, i) => (
          <input
            key={i}
            name={k}
            value={v}
            aria-label={i === 0 ? label : `${label}, or`}
            placeholder={placeholder}
            onChange={(e) =>
              set(
                k,
                f[k].map((old, j) => (j === i ? e.target.value : old)),
              )
            }
          />
        ))}
      </Field>
    );
  const text = (k: 'user' | 'recordType' | 'workload' | 'ip', label: string, placeholder: string, hint?: string) => (
    <Field label={label} hint={hint}>
      <input
        name={k}
        value={f[k]}
        placeholder={placeholder}
        onChange={(e) => set(k, e.target.value)}
        {...(k === 'user' ? { list: 'tw-users-seen' } : {})}
      />
    </Field>
  );
  return (
    <form
      className="search-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(f);
      }}
    >
      <datalist id="tw-users-seen">
        {(seen ?? []).map((r) => (
          <option key={String(r.key)} value={String(r.key ?? '')}>
            {r.count.toLocaleString('en-US')} records
          </option>
        ))}
      </datalist>
      <div className="row">
        <TimeField
          name="start"
          label="Start"
          hint="ISO date or time (UTC unless an offset is given), or a span back from now such as 7d"
          placeholder="2026-11-01 or 7d"
          value={f.start}
          onChange={(v) => set('start', v)}
        />
        <TimeField
          name="end"
          label="End"
          hint="ISO date or time, or now"
          placeholder="now"
          value={f.end}
          onChange={(v) => set('end', v)}
        />
        <div className="quick" role="group" aria-label="Quick ranges">
          {QUICK.map(([v, label]) => (
            <button
              key={v}
              type="button"
              className={f.start === v && f.end === 'now' ? 'small on' : 'small'}
              onClick={() => setF((o) => ({ ...o, start: v, end: 'now' }))}
              title={label}
            >
              {v}
            </button>
          ))}
        </div>
        <Field label="Tenants" group>
          <TenantChooser tenants={tenants} selected={f.tenant} onChange={(names) => set('tenant', names)} />
        </Field>
      </div>
      <div className="row">
        <Field label="Activities" group>
          <ActivityPicker selected={f.operation} onChange={(ops) => set('operation', ops)} />
        </Field>
      </div>
      <div className="row">
        {text('user', 'Users', 'alice@contoso.com, bob@…', 'UserId, any case; comma-separated')}
        {many('object', 'File, folder or site', 'part of a URL or name', 'Substring of ObjectId')}
        {text('recordType', 'Record types', 'SharePointFileOperation, 6', 'Name or number')}
        {text('workload', 'Workloads', 'SharePoint, Exchange')}
        {text('ip', 'IP addresses', '203.0.113.7, 10.0.0.0/8', 'Addresses or CIDR blocks')}
        {many('freeText', 'Free text', 'anywhere in the record')}
        <button type="submit" className="primary" disabled={busy}>
          Search
        </button>
      </div>
    </form>
  );
}
