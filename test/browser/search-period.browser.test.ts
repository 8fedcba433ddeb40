import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { searchSettled, startWorld, type World } from './harness.js';

/**
 * The search period from the keyboard. Each date had a datetime-local
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

  test('a date typed at the keyboard is shown and searched; Alt+ArrowDown opens the calendar on it', async () => {
    const page = w.page;
    await page.goto(`${w.url}#/search?${new URLSearchParams(period).toString()}`);
    await searchSettled(page);
    await page.focus('input[name=start]');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2026-11-16');
    assert.equal(await page.inputValue('input[name=start]'), '2026-11-16');
    // The calendar, from the keyboard, on the date the field holds: one day back, then Enter.
    await page.keyboard.press('Alt+ArrowDown');
    await calendarOpen(page, 'start');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector<HTMLInputElement>('input[name=start]')?.value !== '2026-11-16',
    );
    assert.equal(await page.inputValue('input[name=start]'), '2026-11-15T00:00:00Z');
    assert.equal(await focused(page), 'start', 'the focus stays in the field that shows the date');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.includes('start=2026-11-15T00%3A00%3A00Z'));
    await searchSettled(page);
    assert.equal(await page.inputValue('input[name=start]'), '2026-11-15T00:00:00Z');
  });
});
