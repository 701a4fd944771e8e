// The EMIU workflow end to end in Chromium, against the real service: a dispatcher sends the
// team to a domestic-violence case; the team's phone-sized page receives it live, shows the
// address and the route, fills the risk form, places the victim in a shelter (whose free
// places drop by one) and files the report. A driver is refused the case on the page and by
// the API alike. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, postCall, row, screenshots, users } from './helpers.mjs';

const emiuUser = { username: process.env.CONSOLE_USER_EMIU, password: process.env.CONSOLE_PASS_EMIU };

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The team's phone: a small viewport, logged in. */
async function emiuPhone() {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: 'ro-RO',
    timezoneId: 'Europe/Bucharest',
    permissions: ['geolocation'],
    geolocation: { latitude: 45.7489, longitude: 21.2087 },
  });
  await context.addInitScript(() => localStorage.setItem('dispecer.lang', 'ro'));
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[emiu page error] ${e.message}`));
  await page.goto(`${base}/`);
  await page.fill('input[name=username]', emiuUser.username);
  await page.fill('input[name=password]', emiuUser.password);
  await page.click('form.login button[type=submit]');
  await page.waitForURL('**/emiu');
  return { context, page };
}

describe('EMIU', () => {
  test('dispatcher sends the team; the team assesses risk, places the victim in a shelter and files the report; a driver is refused', async () => {
    assert.ok(emiuUser.username, 'CONSOLE_USER_EMIU is set by scripts/console-test');
    // Arrange: a domestic-violence call with the victim's address, the team's phone, a dispatcher.
    const item = await postCall({
      caller_number: '+40722000777',
      category: 'domestic_violence',
      immediate_danger: true,
      location: { address: 'Strada Alba Iulia 3, Timișoara', lon: 21.227, lat: 45.753 },
      notes: 'victima s-a ascuns la vecini (date fictive)',
    });
    const team = await emiuPhone();
    const d = await loggedIn(browser, users.a);
    await consoleReady(d.page);

    // Act: the dispatcher takes the case and sends EMIU-1.
    await row(d.page, item.id).click();
    await d.page.waitForSelector(`section.detail[data-item-id="${item.id}"] [data-action=acknowledge]`);
    await d.page.click('[data-action=acknowledge]');
    await d.page.waitForSelector(`section.detail[data-item-id="${item.id}"][data-status=acknowledged]`);
    await d.page.click('[data-field=assign-panel] tr[data-resource-id="EMIU-1"] [data-action=assign-one]');
    await d.page.waitForSelector(`section.detail[data-item-id="${item.id}"][data-status=assigned]`);

    // Assert: the team's page receives the case live and shows the address and the route.
    const open = team.page.locator(`button.case-open[data-case-id="${item.id}"]`);
    await open.waitFor({ timeout: 5000 });
    await open.click();
    await team.page.waitForSelector('[data-field=address]:has-text("Alba Iulia")');
    assert.equal(await team.page.textContent('[data-field=victim-number]'), '+40722000777');
    await team.page.waitForSelector('[data-field=route-time]');
    assert.match(await team.page.textContent('[data-field=route]'), /OpenStreetMap/);
    assert.equal(await team.page.locator('.route-svg polyline').count(), 1);

    // Act: the risk form.
    for (const id of ['threat_to_kill', 'weapon', 'strangulation', 'victim_fears']) {
      await team.page.check(`input[name=risk][value=${id}]`);
    }
    await team.page.click('[data-action=risk]');

    // Assert: the items add up to a high risk.
    await team.page.waitForSelector('[data-field=risk-level][data-level=high]');
    assert.match(await team.page.textContent('[data-field=risk-level]'), /ridicat \(scor 11\)/);

    // Act: a shelter placement.
    const free = team.page.locator('[data-shelter-id="ADP-1"] .free');
    const before = Number(await free.getAttribute('data-free'));
    assert.ok(before > 0, 'the demo shelter has a free place');
    await team.page.selectOption('select[name=shelter]', 'ADP-1');
    await team.page.click('[data-action=place]');

    // Assert: its free places drop by one.
    await team.page.waitForSelector(`[data-shelter-id="ADP-1"] .free[data-free="${before - 1}"]`);
    await team.page.waitForSelector('.case-file li[data-record=measure]');

    // Act + Assert: the report is filed and shows in the case file.
    await team.page.fill('textarea[name=report]', 'Victima plasată în adăpost; poliția a cerut ordin de protecție provizoriu.');
    await team.page.click('[data-action=report]');
    await team.page.waitForSelector('.case-file li[data-record=report]');
    if (screenshots) await team.page.screenshot({ path: `${screenshots}/emiu.png`, fullPage: true });

    // The team sends its position from the phone; it reaches the resource.
    await team.page.click('[data-action=send-position]');
    let lat = null;
    for (let i = 0; i < 50 && lat === null; i++) {
      lat = await team.page.evaluate(async () => {
        const r = await fetch('/api/v1/resources', { credentials: 'same-origin' });
        const team = (await r.json()).resources.find((x) => x.id === 'EMIU-1');
        return team?.position && Math.abs(team.position.lat - 45.7489) < 1e-6 ? team.position.lat : null;
      });
      if (lat === null) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(lat, 45.7489, "the phone's position reached EMIU-1");

    // A driver: the page and the API both refuse, and nothing of the case reaches the page.
    const drv = await loggedIn(browser, users.driver);
    await drv.page.waitForURL('**/sofer');
    await drv.page.goto(`${base}/emiu/${item.id}`);
    await drv.page.waitForSelector('.refusal[data-status="403"]');
    const html = await drv.page.content();
    assert.ok(!html.includes('Alba Iulia') && !html.includes('+40722000777'), 'no victim data on the page');
    const statuses = await drv.page.evaluate(async (id) => {
      const a = await fetch(`/api/v1/emiu/cases/${id}`, { credentials: 'same-origin' });
      const b = await fetch(`/api/v1/items/${id}`, { credentials: 'same-origin' });
      const text = (await a.text()) + (await b.text());
      return { a: a.status, b: b.status, leaked: text.includes('Alba Iulia') };
    }, item.id);
    assert.deepEqual(statuses, { a: 403, b: 403, leaked: false });

    await drv.context.close();
    await team.context.close();
    await d.context.close();
  });

  test('the EMIU procedure on the case page: a hazard from an earlier case, the police request and its arrival clock, a red-flag risk, a protection order, arrival, closing (tablet and desk)', async () => {
    // Arrange: an earlier case at the same address on which a dog was noted, then today's case,
    // sent to EMIU-2 by a dispatcher. The team's tablet, with the missing-text check on.
    const address = { address: 'Strada Ion Creangă 5, Timișoara', lon: 21.232, lat: 45.76 };
    const earlier = await postCall({ caller_number: '+40722000881', category: 'domestic_violence', immediate_danger: false, location: address, notes: 'caz anterior (fictiv)' });
    const item = await postCall({ caller_number: '+40722000882', category: 'domestic_violence', immediate_danger: true, location: address, notes: 'poliția a emis ordin provizoriu (fictiv)' });
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'ro-RO', timezoneId: 'Europe/Bucharest' });
    await context.addInitScript(() => {
      localStorage.setItem('dispecer.lang', 'ro');
      localStorage.setItem('dispecer.i18n-check', '1');
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[emiu tablet page error] ${e.message}`));
    await page.goto(`${base}/`);
    await page.fill('input[name=username]', emiuUser.username);
    await page.fill('input[name=password]', emiuUser.password);
    await page.click('form.login button[type=submit]');
    await page.waitForURL('**/emiu');
    const hazard = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/emiu/cases/${id}/hazards`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hazard: 'dog', note: 'câine mare, nelegat, în curte (fictiv)' }),
      });
      return r.status;
    }, earlier.id);
    assert.equal(hazard, 200, 'the hazard is noted on the earlier case');
    const d = await loggedIn(browser, users.a);
    await consoleReady(d.page);
    const sent = await d.page.evaluate(async (id) => {
      const post = (path, body) =>
        fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
      return [await post(`/api/v1/items/${id}/acknowledge`, {}), await post(`/api/v1/items/${id}/assign`, { resources: ['EMIU-2'] })];
    }, item.id);
    assert.deepEqual(sent, [200, 200], 'the dispatcher takes the case and sends EMIU-2');

    // Act + Assert: the case page warns of the dog noted on the earlier case.
    await page.goto(`${base}/emiu/${item.id}`);
    await page.waitForSelector('[data-field=hazards] li[data-hazard=dog]');
    assert.match(await page.textContent('[data-field=hazards]'), /Câine.*nelegat/);

    // The police's request: the clock to arrival starts (90 minutes by default).
    await page.fill('input[name=opp_number]', 'OPP-TM-2026-0042');
    await page.check('input[name=accommodation_requested]');
    await page.click('[data-action=police-request]');
    await page.waitForSelector('[data-field=arrival][data-state=running]');
    assert.match(await page.textContent('[data-field=arrival-left]'), /mai sunt (89|90) min/);

    // A red flag (pregnancy) at a low score gives a high risk.
    await page.check('input[name=risk][value=pregnancy]');
    await page.click('[data-action=risk]');
    await page.waitForSelector('[data-field=risk-level][data-level=high]');
    assert.match(await page.textContent('[data-field=risk-level]'), /ridicat \(scor 2\)/);
    assert.match(await page.textContent('[data-field=red-flags]'), /steag roșu.*însărcinată/);

    // A protection order, with its expiry.
    const expires = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await page.selectOption('select[name=order]', 'opp');
    await page.fill('input[name=order_number]', 'OPP-TM-2026-0042');
    await page.fill('input[name=expires_on]', expires);
    await page.fill('input[name=people_covered]', 'Victima V. (fictiv), Copil C. (fictiv)');
    await page.fill('input[name=minors]', '1');
    await page.click('[data-action=protection-order]');
    await page.waitForSelector('.orders li[data-order="OPP-TM-2026-0042"]');
    assert.match(await page.textContent('.orders'), new RegExp(`expiră ${expires}`));

    // A second hazard, noted here: the banner shows both.
    await page.selectOption('select[name=hazard]', 'weapons');
    await page.fill('input[name=hazard_note]', 'cuțite la vedere în bucătărie (fictiv)');
    await page.click('[data-action=hazard]');
    await page.waitForSelector('[data-field=hazards] li[data-hazard=weapons]');
    await page.fill('input[name=children]', '2');
    await page.click('[data-action=children]');
    await page.waitForSelector('[data-field=places-needed]:has-text("Locuri necesare: 3")');

    // The case page as the team sees it on the tablet, and at a desk, while the clock runs.
    await page.evaluate(() => window.scrollTo(0, 0));
    if (screenshots) await page.screenshot({ path: `${screenshots}/emiu-case-tablet-1024x768.png` });
    if (screenshots) await page.screenshot({ path: `${screenshots}/emiu-case-tablet-1024x768-full.png`, fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
    if (screenshots) await page.screenshot({ path: `${screenshots}/emiu-case-1366x768.png` });
    await page.setViewportSize({ width: 1024, height: 768 });

    // On scene: the clock stops; the aggressor's accommodation the police asked for.
    await page.click('[data-action=on-scene]');
    await page.waitForSelector('[data-field=arrival][data-state=arrived]');
    await page.fill('input[name=accommodation_place]', 'Centrul de cazare temporară (fictiv)');
    await page.click('[data-action=accommodation]');
    await page.waitForSelector('[data-field=accommodation]');

    // The team closes its case with an outcome and the report.
    await page.selectOption('select[name=emiu_outcome]', 'safety_plan');
    await page.fill('textarea[name=close_report]', 'Plan de siguranță stabilit; ordin provizoriu în vigoare (fictiv).');
    await page.click('[data-action=close-case]');
    await page.waitForSelector('[data-field=closed]');
    assert.match(await page.textContent('[data-field=closed]'), /Plan de siguranță/);
    await page.waitForSelector('.case-file li[data-record=report]');
    const closed = await page.evaluate(async (id) => (await (await fetch(`/api/v1/emiu/cases/${id}`, { credentials: 'same-origin' })).json()).item, item.id);
    assert.equal(closed.status, 'closed');
    assert.equal(closed.outcome, 'safety_plan');

    // Every text on the page is Romanian: no key without its words.
    const missing = await page.evaluate(() => window.__i18nMissing ?? []);
    assert.deepEqual(missing, []);

    await d.context.close();
    await context.close();
  });
});
