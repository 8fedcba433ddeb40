import { useMemo } from 'react';
import { setTimeZone, useTimeZone, zoneChoices, zoneLabel } from '../timezone.js';

/** The top bar's "Times in …" chooser: UTC by default, the browser's zone next, then every IANA zone. */
export function TimeZoneChooser() {
  const zone = useTimeZone();
  const choices = useMemo(zoneChoices, []);
  return (
    <label className="zone-chooser" title={`Times are shown in ${zoneLabel(zone)}; exports stay in UTC`}>
      <span>Times in</span>
      <select aria-label="Time zone" value={zone} onChange={(e) => setTimeZone(e.target.value)}>
        {choices.map((z) => (
          <option key={z} value={z}>
            {z}
          </option>
        ))}
      </select>
    </label>
  );
}
