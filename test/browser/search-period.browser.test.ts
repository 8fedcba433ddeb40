import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { artifacts, searchSettled, startWorld, type World } from './harness.js';

/**
 * The search period from the keyboard, and the results bar at a phone's width. Each date had a datetime-local
 * picker beside its text field whose own fields were hidden: two more Tab stops per date where typing showed
 * nothing, and a calendar (opened with Space) that opened on today's real date and wrote the period at every
 * arrow key, a week in the future after one ArrowDown, and kept it when Escape closed it.
 */
let w: World;
before(async () => {
  w = await startWorld();
});
after(async () => {
  await w?.close();
});

const period = { start: '2026-11-13T00:00:00Z', end: '2026-11-20T12:00:00Z', workload: 'SharePoint' };

/** The focused element, as a test names it: a field's name, else its label, else its text. */
const focused = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null;
    return el?.name || el?.getAttribute('aria-label') || el?.textContent?.trim() || '';
  });

/** Waits until the calendar of a period field is open: keys pressed before went to the text field. */
const calendarOpen = (page: Page, name: 'start' | 'end'): Promise<unknown> =>
  page.waitForFunction((n) => document.querySelector(`input[aria-label^="Pick ${n} "]`)?.matches(':open'), name);

/** How many lines the browser drew an element's text on. */
const linesOf = (page: Page, selector: string): Promise<number> =>
  page.$eval(selector, (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    // A new line starts below the one before it (a bigger font on the same line overlaps it).
    let lines = 0;
    let bottom = -Infinity;
    for (const r of [...range.getClientRects()].filter((r) => r.width > 0).sort((a, b) => a.top - b.top)) {
      if (r.top >= bottom - 2) lines++;
      bottom = Math.max(bottom, r.bottom);
    }
    return lines;
  });

describe('the search period', () => {
  test('each date is one Tab stop, a text field showing what the next search uses', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/search?${new URLSearchParams(period).toString()}`);
    await searchSettled(page);
    await page.focus('input[name=start]');
    const stops: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      stops.push(await focused(page));
    }
    assert.deepEqual(stops, ['end', '24h', '7d'], 'Tab from Start goes to End, then the quick ranges');
    // The calendar behind each field opens on what the field holds (it opened on today, months away).
    assert.equal(await page.inputValue('input[aria-label="Pick start (UTC)"]'), '2026-11-13T00:00');
    assert.equal(await page.inputValue('input[aria-label="Pick end (UTC)"]'), '2026-11-20T12:00');
    await page.fill('input[name=start]', '2026-11-15T06:30:00Z');
    assert.equal(await page.inputValue('input[aria-label="Pick start (UTC)"]'), '2026-11-15T06:30');
    // A click opens the calendar on the field's date and leaves the focus in the field: one day back, then Enter.
    await page.click('input[aria-label="Pick end (UTC)"]');
    await calendarOpen(page, 'end');
    assert.equal(await focused(page), 'end');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector<HTMLInputElement>('input[name=end]')?.value !== '2026-11-20T12:00:00Z',
    );
    assert.equal(await page.inputValue('input[name=end]'), '2026-11-19T12:00:00Z');
    assert.equal(await focused(page), 'end');
  });

  test('a date typed at the keyboard is shown and searched; Alt+ArrowDown opens the calendar on it and Escape keeps it', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/search?${new URLSearchParams(period).toString()}`);
    await searchSettled(page);
    await page.focus('input[name=start]');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2026-11-16');
    assert.equal(await page.inputValue('input[name=start]'), '2026-11-16');
    // The calendar, from the keyboard, opens on the date the field holds; closed with Escape, it changed nothing.
    // (Picking in it is the click test's: keys sent to Chromium's own popup right after it opens were lost now and then.)
    await page.keyboard.press('Alt+ArrowDown');
    await calendarOpen(page, 'start');
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLInputElement>('input[aria-label="Pick start (UTC)"]')?.value === '2026-11-16T00:00',
    );
    await page.keyboard.press('Escape');
    assert.equal(await page.inputValue('input[name=start]'), '2026-11-16');
    assert.equal(await focused(page), 'start', 'the focus stays in the field that shows the date');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2026-11-15T00:00:00Z');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.includes('start=2026-11-15T00%3A00%3A00Z'));
    await searchSettled(page);
    assert.equal(await page.inputValue('input[name=start]'), '2026-11-15T00:00:00Z');
  });
});

describe('the results bar', () => {
  for (const width of [390, 1280]) {
    test(`at ${width} px each part reads on one line, within the width`, async () => {
      const page = w.page;
      await page.setViewportSize({ width, height: 800 });
      try {
        await page.goto(`${w.url}#/search?${new URLSearchParams(period).toString()}`);
        await searchSettled(page);
        await page.waitForFunction(() => /loaded/.test(document.querySelector('.count')?.textContent ?? ''));
        await page.locator('.result-bar').screenshot({ path: join(artifacts, `result-bar-${width}.png`) });
        // "9,228 matches · 500 loaded" broke after "500", "files in UTC" after "files".
        assert.equal(await linesOf(page, '.count'), 1, `the count: ${await page.textContent('.count')}`);
        assert.equal(await linesOf(page, '.export-zone'), 1, 'files in UTC');
        const parts = await page.$$eval('.result-bar > *', (els) =>
          els.filter((e) => e.getBoundingClientRect().width > 0).map((e) => e.getBoundingClientRect().right),
        );
        for (const right of parts) assert.ok(right <= width, `a part of the bar ends at ${right} px`);
        const height = await page.$eval('.result-bar', (b) => b.getBoundingClientRect().height);
        if (width === 1280) assert.ok(height <= 34, `one row at 1280 px, not ${height} px`);
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });
  }
});
