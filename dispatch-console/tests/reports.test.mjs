// The activity report on /rapoarte in Chromium, against the real service: a supervisor picks a
// month and a quarter, sees one section per part of the report with its SVG chart, downloads
// the CSV, and the print view hides the navigation and the picker. A dispatcher's /rapoarte has
// no activity report (the service refuses it too). Run through scripts/console-test
// (CONSOLE_USER_SUP is a supervisor).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, launch, postAlert, postCall, screenshots, users } from './helpers.mjs';

const sup = { username: process.env.CONSOLE_USER_SUP, password: process.env.CONSOLE_PASS_SUP };

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

function thisMonth() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Bucharest', year: 'numeric', month: '2-digit' }).formatToParts(new Date());
  return `${parts.find((p) => p.type === 'year').value}-${parts.find((p) => p.type === 'month').value}`;
}

describe('activity report', () => {
  test('a supervisor picks a period, sees the charts, downloads the CSV and prints', async () => {
    assert.ok(sup.username, 'CONSOLE_USER_SUP is set by scripts/console-test');
    // Arrange: work of this month (other files add theirs: counts are at least ours).
    await postCall({ caller_number: '+40722000991', category: 'neglect', immediate_danger: false, notes: 'raport (date fictive)' });
    await postAlert('fall');
    const { context, page } = await loggedIn(browser, sup);
    await page.waitForURL((u) => !u.pathname.endsWith('/login'));

    // Act: the reports page, this month, with the missing-text check on: every code other
    // files' work put in the tables (outcomes of EMIU cases among them) has a Romanian name.
    await page.evaluate(() => localStorage.setItem('dispecer.i18n-check', '1'));
    await page.goto(page.url().replace(/\/[^/]*$/, '/rapoarte'));
    await page.waitForSelector('.activity-report .activity-section[data-section=calls] svg.activity-chart rect[data-key=neglect]');

    // Assert: the picker, the six sections, charts with our work, the CSV link.
    assert.equal(await page.inputValue('select[name=month]'), thisMonth());
    for (const s of ['calls', 'alarms', 'referrals', 'emiu', 'transport', 'beds']) {
      await page.waitForSelector(`.activity-section[data-section=${s}]`);
    }
    assert.ok(Number(await page.getAttribute('.activity-section[data-section=calls] rect[data-key=neglect]', 'data-count')) >= 1);
    assert.ok(Number(await page.getAttribute('.activity-section[data-section=alarms] rect[data-key=fall]', 'data-count')) >= 1);
    const href = await page.getAttribute('a.csv-link', 'href');
    assert.equal(href, `/api/v1/reports/activity?month=${thisMonth()}&format=csv`);
    const csv = await page.evaluate(async (u) => {
      const r = await fetch(u, { credentials: 'same-origin' });
      return { type: r.headers.get('content-type'), text: await r.text() };
    }, href);
    assert.equal(csv.type, 'text/csv; charset=utf-8');
    assert.match(csv.text, /Apeluri\r\nCategorie;Rezultat;Număr\r\n/);
    const main = await page.locator('main').innerText();
    assert.match(main, /Raport de activitate/);
    assert.match(main, /neglijare/);
    assert.doesNotMatch(main, /⟦|undefined|null/);
    assert.deepEqual(await page.evaluate(() => window.__i18nMissing ?? []), []);

    // A quarter.
    await page.selectOption('select[name=period-kind]', 'quarter');
    await page.waitForFunction(() => document.querySelector('a.csv-link')?.getAttribute('href')?.includes('quarter='));
    await page.waitForSelector('.activity-status:not(:empty)');
    assert.match(await page.getAttribute('a.csv-link', 'href'), /quarter=\d{4}-Q[1-4]&format=csv/);
    await page.waitForSelector('.activity-section[data-section=calls] rect[data-key=neglect]');
    await page.selectOption('select[name=period-kind]', 'month');
    await page.waitForSelector('.activity-section[data-section=calls] rect[data-key=neglect]');

    if (screenshots) {
      for (const [w, hgt] of [[1920, 1080], [1366, 768]]) {
        await page.setViewportSize({ width: w, height: hgt });
        await page.screenshot({ path: `${screenshots}/report-${w}.png` });
      }
    }
    // The fall alarm posted above is a P1 nobody has taken: its strip is on the screen.
    assert.equal(await page.locator('[data-field=p1-strip]').isVisible(), true);
    // The print view: no navigation, no picker, each section on its own page.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.topbar').isVisible(), false);
    assert.equal(await page.locator('[data-field=p1-strip]').isVisible(), false);
    assert.equal(await page.locator('.activity-picker').isVisible(), false);
    assert.equal(
      await page.evaluate(() => getComputedStyle(document.querySelectorAll('.activity-section')[1]).breakBefore),
      'page',
    );
    if (screenshots) {
      await page.setViewportSize({ width: 794, height: 1123 });
      await page.screenshot({ path: `${screenshots}/report-print.png`, fullPage: true });
    }
    await page.emulateMedia({ media: 'screen' });
    await context.close();
  });

  test("a dispatcher's reports page has no activity report", async () => {
    const { context, page } = await loggedIn(browser, users.a);
    await page.waitForURL((u) => !u.pathname.endsWith('/login'));
    await page.goto(page.url().replace(/\/[^/]*$/, '/rapoarte'));
    await page.waitForSelector('.answer-times');
    assert.equal(await page.locator('.activity-report').count(), 0);
    const status = await page.evaluate(async () => (await fetch('/api/v1/reports/activity?month=2026-11', { credentials: 'same-origin' })).status);
    assert.equal(status, 403);
    await context.close();
  });
});
