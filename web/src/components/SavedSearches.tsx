import { useEffect, useState } from 'react';
import { localTimes } from '../format.js';
import { navigate } from '../route.js';
import { useTimeZone } from '../timezone.js';

/** A search kept in this browser: its name and the URL query that reproduces it. */
interface Kept {
  name: string;
  query: string;
  at: number;
}

const MAX_RECENT = 10;

/** The person whose searches the lists are (set by the sign-in gate); '' before anyone is known. */
let owner = '';

/**
 * The lists are kept per person: one list per browser showed the next person to sign in on a shared machine
 * the searches of the one before, with their users, addresses and tenants (another tenant's, for a person
 * scoped to one). The lists of before, kept under one key for whoever used the browser, are forgotten.
 */
export function setSearchesOwner(me: { mode: string; user: string | null }): void {
  owner = me.mode === 'open' ? 'local' : (me.user ?? '');
  localStorage.removeItem('tw.recentSearches');
  localStorage.removeItem('tw.savedSearches');
}

const RECENT = (): string => `tw.recentSearches:${owner}`;
const SAVED = (): string => `tw.savedSearches:${owner}`;

function load(key: string): Kept[] {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as Kept[]).filter((k) => typeof k?.query === 'string') : [];
  } catch {
    return []; // a bad stored value is forgotten, not fatal
  }
}

/** An instant a picker wrote with its zone's offset, as UTC (which localTimes shows in the chosen zone); other text as it is. */
function utc(value: string): string {
  const t = /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(t) ? value : new Date(t).toISOString().replace('.000Z', 'Z');
}

/** A search in words, its instants in the console's chosen zone (the URL keeps them in UTC). */
function describe(query: string): string {
  const p = new URLSearchParams(query);
  const parts = [localTimes(`${utc(p.get('start') ?? '')} → ${utc(p.get('end') ?? 'now')}`)];
  for (const k of ['user', 'operation', 'workload', 'ip', 'object', 'freeText', 'tenant', 'recordType'])
    if (p.getAll(k).length) parts.push(`${k}: ${p.getAll(k).join(', ')}`);
  return parts.join(' · ');
}

/**
 * Recent and saved searches, kept in localStorage (they are this investigator's, not shared): each run search
 * goes on top of the recent list; "Save" names the current one. A click runs it again.
 */
export function SavedSearches({ current }: { current: string | null }) {
  useTimeZone(); // re-rendered in a newly chosen zone
  const [recent, setRecent] = useState(() => load(RECENT()));
  const [saved, setSaved] = useState(() => load(SAVED()));
  useEffect(() => {
    if (!current) return;
    setRecent((old) => {
      const next = [
        { name: describe(current), query: current, at: Date.now() },
        ...old.filter((k) => k.query !== current),
      ];
      const kept = next.slice(0, MAX_RECENT);
      localStorage.setItem(RECENT(), JSON.stringify(kept));
      return kept;
    });
  }, [current]);
  const save = (): void => {
    if (!current) return;
    const name = window.prompt('Name this search', describe(current))?.trim();
    if (!name) return;
    const next = [{ name, query: current, at: Date.now() }, ...saved.filter((k) => k.name !== name)];
    localStorage.setItem(SAVED(), JSON.stringify(next));
    setSaved(next);
  };
  const remove = (name: string): void => {
    const next = saved.filter((k) => k.name !== name);
    localStorage.setItem(SAVED(), JSON.stringify(next));
    setSaved(next);
  };
  // A recent search is named by its description, written again at each render so it follows the zone;
  // a saved one keeps the name its investigator gave it.
  const list = (items: Kept[], removable: boolean) => (
    <ul>
      {items.map((k) => (
        <li key={k.name + k.query}>
          <a href={`#/search?${k.query}`} title={describe(k.query)} onClick={() => navigate('search', k.query)}>
            {removable ? k.name : describe(k.query)}
          </a>
          {removable ? (
            <button type="button" className="small" aria-label={`Forget ${k.name}`} onClick={() => remove(k.name)}>
              ×
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
  return (
    <details className="saved-searches">
      <summary>Recent &amp; saved searches ({saved.length} saved)</summary>
      <div className="saved-lists">
        <div>
          <h4>Saved</h4>
          {saved.length ? list(saved, true) : <p className="muted">None yet.</p>}
          <button type="button" className="small" disabled={!current} onClick={save}>
            Save this search…
          </button>
        </div>
        <div>
          <h4>Recent</h4>
          {recent.length ? list(recent, false) : <p className="muted">No search run in this browser yet.</p>}
        </div>
      </div>
    </details>
  );
}
