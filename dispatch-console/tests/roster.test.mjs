// The duty roster and the handover note in Chromium, against the real service: a supervisor
// keeps the roster on `/tura` (a phone, a shift added through the form, a refused empty shift
// with its reason in Romanian); the lead of the shift on duty writes the handover note from the
// console; the next shift's dispatcher sees it at the top of the console with the generated
// summary until they acknowledge it; the supervisor's history shows who acknowledged it.
// Run through scripts/console-test (CONSOLE_USER_SUP is a supervisor).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, postCall, screenshots } from './helpers.mjs';

// Dispatchers of this file only (scripts/console-test makes them): the shift on duty now and the
// handover note written here must not show in the consoles the other files drive.
function account(name) {
  const username = process.env[`CONSOLE_USER_${name}`];
  const password = process.env[`CONSOLE_PASS_${name}`];
  if (!username || !password) throw new Error(`CONSOLE_USER_${name} is not set: run the tests through scripts/console-test`);
  return { username, password };
}
const users = { a: account('ROSTER_A'), b: account('ROSTER_B') };

const sup = { username: process.env.CONSOLE_USER_SUP, password: process.env.CONSOLE_PASS_SUP };

/** Codes and English words that must not show on the Romanian screen. */
const RAW = /(?<![\p{L}_])(members|lead|ends_at|starts_at|shift|Shift|handover|Handover|summary|on duty|phone|undefined|null)(?![\p{L}_])/u;

let browser;

before(async () => {
  assert.ok(sup.username && sup.password, 'CONSOLE_USER_SUP / CONSOLE_PASS_SUP are set by scripts/console-test');
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

async function inPage(page, method, path, body) {
  return page.evaluate(
    async ([m, p, bd]) => {
      const r = await fetch(p, { method: m, headers: bd ? { 'content-type': 'application/json' } : {}, body: bd ? JSON.stringify(bd) : undefined });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    },
    [method, path, body],
  );
}

async function shots(page, name) {
  if (!screenshots) return;
  for (const [w, hgt] of [[1920, 1080], [1366, 768]]) {
    await page.setViewportSize({ width: w, height: hgt });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `${screenshots}/${name}-${w}x${hgt}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

describe('duty roster and handover', () => {
  test('a supervisor keeps the roster, the lead hands over, the next shift acknowledges', async () => {
    // Arrange: the supervisor on /tura, reached from the supervisor screen's link.
    const s = await loggedIn(browser, sup);
    await s.page.waitForSelector('[data-action=roster]');
    await s.page.click('[data-action=roster]');
    await s.page.waitForURL(/\/tura$/);
    const page = s.page;
    await page.waitForSelector(`section[data-panel=phones] tr[data-username="${users.a.username}"]`);

    // A phone for dispatcher A, entered on the page.
    const phoneRow = `section[data-panel=phones] tr[data-username="${users.a.username}"]`;
    await page.fill(`${phoneRow} input[name=phone]`, 'nu e număr');
    await page.click(`${phoneRow} [data-action=save-phone]`);
    await page.waitForSelector(`${phoneRow} .row-msg.error`);
    assert.match(await page.textContent(`${phoneRow} .row-msg`), /format internațional/);
    await page.fill(`${phoneRow} input[name=phone]`, '+40256000701');
    await page.fill(`${phoneRow} input[name=extension]`, '21');
    await page.click(`${phoneRow} [data-action=save-phone]`);
    await page.waitForFunction((sel) => document.querySelector(sel)?.value === '+40256000701', `${phoneRow} input[name=phone]`);

    // An empty shift is refused in Romanian; a shift in three days through the form is saved.
    const day = new Date(Date.now() + 3 * 86_400_000);
    const dayValue = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    const form = 'section[data-panel=shift-form] form';
    await page.$eval(`${form} input[name=day]`, (el, v) => { el.value = v; }, dayValue);
    await page.fill(`${form} input[name=starts]`, '08:00');
    await page.fill(`${form} input[name=ends]`, '16:00');
    await page.click(`${form} [data-action=save-shift]`);
    await page.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '') !== '', `${form} [data-field=form-error]`);
    assert.match(await page.textContent(`${form} [data-field=form-error]`), /Șeful de tură trebuie/);
    await page.check(`${form} input[name=member][value="${users.b.username}"]`);
    await page.selectOption(`${form} select[name=lead]`, users.b.username);
    await page.click(`${form} [data-action=save-shift]`);
    await page.waitForSelector('section[data-panel=shifts] .flash');
    const rows = await page.$$eval('section[data-panel=shifts] tbody tr', (trs) => trs.map((t) => t.textContent));
    assert.ok(rows.some((r) => r.includes('08:00') && r.includes('16:00') && r.includes('Bogdan')), rows.join('\n'));

    // The shift on duty now (A leads it) and the next one (B), as the API takes them.
    const now = Date.now();
    const iso = (ms) => new Date(ms).toISOString();
    const current = await inPage(page, 'POST', '/api/v1/roster/shifts', { starts_at: iso(now - 3_600_000), ends_at: iso(now + 180_000), lead: users.a.username, members: [users.a.username] });
    assert.equal(current.status, 201, JSON.stringify(current.json));
    const next = await inPage(page, 'POST', '/api/v1/roster/shifts', { starts_at: iso(now + 180_000), ends_at: iso(now + 2 * 3_600_000), lead: users.b.username, members: [users.b.username] });
    assert.equal(next.status, 201, JSON.stringify(next.json));
    await page.reload();
    await page.waitForSelector(`section[data-panel=on-duty] [data-shift-id="${current.json.id}"]`);
    assert.match(await page.textContent('section[data-panel=on-duty] [data-field=phones]'), /un singur telefon/);
    assert.doesNotMatch(await page.textContent('main.roster-page'), RAW);

    // Act: A (the lead) writes the handover note from the console.
    await postCall({ caller_number: '+40256000702', category: 'neglect', immediate_danger: false, notes: 'predare tură' });
    const a = await loggedIn(browser, users.a);
    await consoleReady(a.page);
    await a.page.waitForSelector('[data-action=write-handover]');
    await a.page.click('[data-action=write-handover]');
    await a.page.waitForSelector('dialog[data-dialog=handover] textarea');
    await a.page.fill('dialog[data-dialog=handover] textarea', 'Cazul de neglijare din Fabric trebuie sunat din nou după ora 18.');
    await a.page.click('[data-action=send-handover]');
    await a.page.waitForSelector('.handover-message');
    assert.match(await a.page.textContent('.handover-message'), /trimisă turei următoare/);

    // Assert: B sees it at the top of the console with the summary, until acknowledged.
    const b = await loggedIn(browser, users.b);
    await consoleReady(b.page);
    await b.page.waitForSelector('section[data-panel=handover] .handover-note');
    const banner = await b.page.textContent('section[data-panel=handover]');
    assert.match(banner, /Notă de predare de la/);
    assert.match(banner, /Fabric trebuie sunat/);
    assert.match(banner, /Deschise: P1 \d+ · P2 \d+/);
    assert.match(banner, /Intervenții EMIU deschise: \d+/);
    assert.doesNotMatch(banner, /\+40256000702/, 'no caller number in the summary');
    assert.doesNotMatch(banner, RAW);
    await shots(b.page, 'handover');
    await b.page.click('[data-action=acknowledge-handover]');
    await b.page.waitForSelector('section[data-panel=handover]', { state: 'hidden' });
    await b.page.reload();
    await consoleReady(b.page);
    assert.equal(await b.page.$('section[data-panel=handover] .handover-note'), null, 'acknowledged: not shown again');

    // The supervisor's history says who acknowledged it.
    await page.reload();
    await page.waitForSelector('section[data-panel=handover-history] .handover-note');
    assert.match(await page.textContent('section[data-panel=handover-history]'), /Confirmată de: Bogdan/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shots(page, 'roster');

    await a.context.close();
    await b.context.close();
    await s.context.close();
  });
});
