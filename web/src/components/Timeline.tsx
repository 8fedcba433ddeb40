import { fmtCount, fmtTime } from '../format.js';
import type { CountRow } from '../api.js';
import { UTC, useTimeZone } from '../timezone.js';
import { timelineBars } from '../timeline.js';

interface Props {
  rows: CountRow[] | null;
  bucket: 'day' | 'hour';
  start: number;
  end: number;
  /** Click a bar: search that bucket alone (zoom in); a day bar becomes hourly bars. */
  onZoom?: (start: number, end: number) => void;
}

const H = 70;

/**
 * Matches over time as bars (SVG); empty buckets drawn as gaps, so quiet periods are visible. A period of more
 * buckets than bars groups them (timeline.ts): the axis says "per 3 days".
 */
export function Timeline({ rows, bucket, start, end, onZoom }: Props) {
  const zone = useTimeZone();
  const { bars, per } = timelineBars(rows ?? [], bucket, start, end);
  const n = bars.length;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const w = 1000 / n;
  return (
    <div className="timeline" aria-label="Matches over time">
      <svg viewBox={`0 0 1000 ${H + 14}`} preserveAspectRatio="none" role="img">
        {bars.map((bar, i) => {
          const c = bar.count;
          const h = (c / max) * H;
          return (
            <g key={i} className={onZoom && c > 0 ? 'zoomable' : undefined}>
              {/* A full-height hit area, so a short bar is as easy to click as a tall one. */}
              <rect
                x={i * w}
                y={0}
                width={w}
                height={H}
                className="bar-hit"
                onClick={onZoom && c > 0 ? () => onZoom(Math.max(bar.start, start), Math.min(bar.end, end)) : undefined}
              >
                <title>
                  {`${fmtTime(bar.start)}${per > 1 ? ` → ${fmtTime(Math.min(bar.end, end))}` : ''} ${zone}  ${fmtCount(c)}${onZoom && c > 0 ? ' — click to zoom in' : ''}`}
                </title>
              </rect>
              <rect x={i * w + 0.5} y={H - h} width={Math.max(0.5, w - 1)} height={h} className="bar" />
            </g>
          );
        })}
        <line x1="0" y1={H + 0.5} x2="1000" y2={H + 0.5} className="axis" />
      </svg>
      <div className="timeline-axis">
        <span>
          {fmtTime(bars[0]!.start)} {zone}
        </span>
        <span className="muted">
          {/* The counts are bucketed by the server in UTC days and hours (whatever zone is shown). */}
          per {per > 1 ? `${per.toLocaleString('en-US')} ` : ''}
          {bucket === 'day' && zone !== UTC ? 'UTC day' : bucket}
          {per > 1 ? 's' : ''} · peak {fmtCount(rows ? max : null)}
        </span>
        <span>
          {fmtTime(end)} {zone}
        </span>
      </div>
    </div>
  );
}
