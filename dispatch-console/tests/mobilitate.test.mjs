// Mobilitate runs against the real service: a meal round is created and planned with the day;
// the driver, on the tablet (/sofer), collects the meals at the canteen and taps "Nu este acasă"
// at a client's door; exactly one welfare-check item (rule transport-welfare-check, P2) reaches
// the dispatcher's console, its row saying "verificare bunăstare". Screenshots of the tablet at
// 1024×768 and 390×844. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, row, screenshots, users } from './helpers.mjs';

const driver1 = { username: process.env.CONSOLE_USER_DRIVER1, password: process.env.CONSOLE_PASS_DRIVER1 };
const zone = 'Europe/Bucharest';

/** A Sunday at least two days ahead (local): no demo trips, meal rounds or shuttles that day. */
function quietSunday() {
  const d = new Date(Date.now() + 2 * 86_400_000);
  while (new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short' }).format(d) !== 'Sun') {
    d.setTime(d.getTime() + 86_400_000);
  }
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

async function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const r = await fetch(path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

/** The driver's tablet on /sofer in its own context, in Romanian. */
async function openTablet(viewport) {
  const context = await browser.newContext({ viewport, locale: 'ro-RO', timezoneId: zone });
  await context.addInitScript(() => localStorage.setItem('dispecer.lang', 'ro'));
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[tablet page error] ${e.message}`));
  await page.goto(`${base}/sofer`);
  await page.fill('input[name=username]', driver1.username);
  await page.fill('input[name=password]', driver1.password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('main.tablet[data-busy="0"] .tb-card');
  return { context, page };
}

let browser;

before(async () => {
  assert.ok(driver1.username, 'run through scripts/console-test');
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe('Mobilitate runs', () => {
  test("a meal client not at home raises one welfare check on the dispatcher's console", async () => {
    // Arrange: the dispatcher's console is open; a meal round on a quiet day, planned.
    const disp = await loggedIn(browser, users.a);
    await disp.page.setViewportSize({ width: 1366, height: 768 });
    await consoleReady(disp.page);
    const date = quietSunday();
    const run = await api(disp.page, 'POST', '/api/v1/transport/runs', {
      kind: 'meal',
      date,
      label: 'Prânz cantina socială (test)',
      origin: { address: 'Cantina socială (demo)', lon: 21.226, lat: 45.753 },
      ready_at: '10:30:00',
      stops: [
        { label: 'Beneficiar masă T1', place: { address: 'Str. Exemplu nr. 1 (demo)', lon: 21.215, lat: 45.752 }, from: '11:00:00', to: '12:30:00' },
        { label: 'Centru de zi (demo)', place: { address: 'Str. Lidia (demo)', lon: 21.2001, lat: 45.7622 }, from: '11:30:00', to: '13:00:00' },
      ],
    });
    assert.equal(run.status, 201, JSON.stringify(run.json));
    assert.ok(run.json.trips.every((t) => t.kind === 'meal'));
    const planned = await api(disp.page, 'POST', `/api/v1/transport/plans/${date}`, { seconds: 0.5 });
    assert.equal(planned.status, 200, JSON.stringify(planned.json));
    assert.equal(planned.json.plan.feasible, true);
    const trip = run.json.trips[0];
    // Both deliveries on VAN-01: the driver's round.
    for (const t of run.json.trips) {
      const route = planned.json.plan.routes.find((r) => r.stops.some((s) => s.trip_id === t.id));
      if (route?.vehicle_id === 'VAN-01') continue;
      const moved = await api(disp.page, 'POST', `/api/v1/transport/plans/${date}/move`, { trip_id: t.id, vehicle_id: 'VAN-01' });
      assert.equal(moved.status, 200, JSON.stringify(moved.json));
    }

    // The driver of VAN-01 opens the tablet (/sofer): the round's day, the canteen and the
    // deliveries shown as deliveries ("Livrare"), with "Livrat" and "Nu este acasă".
    const tablet = await openTablet({ width: 1024, height: 768 });
    const tp = tablet.page;
    assert.match(await tp.textContent('.tablet-head'), new RegExp(`VAN-01 · ${date}`));
    const delivery = tp.locator(`.tablet-stop[data-trip="${trip.id}"][data-kind=dropoff]`);
    await delivery.waitFor();
    assert.equal(await delivery.getAttribute('data-stop-kind'), 'meal');
    assert.match(await delivery.locator('.stop-what').textContent(), /Livrare/);
    assert.equal((await delivery.locator('[data-action=dropped_off]').textContent()).trim(), 'Livrat');
    // The canteen is a collection, not a delivery: nobody is "not at home" at the canteen.
    const canteen = tp.locator(`.tablet-stop[data-trip="${trip.id}"][data-kind=pickup]`);
    await canteen.waitFor();
    assert.equal(await canteen.locator('[data-action=not_at_home]').count(), 0);
    assert.equal(await canteen.locator('[data-action=dropped_off]').count(), 0);
    if (screenshots) {
      for (const viewport of [
        { width: 1024, height: 768 },
        { width: 390, height: 844 },
      ]) {
        await tp.setViewportSize(viewport);
        await tp.evaluate(() => window.scrollTo(0, 0));
        await tp.screenshot({ path: `${screenshots}/mobilitate-tablet-${viewport.width}x${viewport.height}.png`, fullPage: true });
      }
      await tp.setViewportSize({ width: 1024, height: 768 });
    }

    // Act: collected at the canteen; nobody opens the door: "Nu este acasă", a note, confirmed.
    await canteen.locator('[data-action=picked_up]').click();
    await tp.waitForSelector(`.tb-done .tablet-stop[data-trip="${trip.id}"][data-kind=pickup][data-status=picked_up]`, { state: 'attached' });
    const card = delivery;
    await card.locator('[data-action=not_at_home]').click();
    await card.locator('input[name=reason]').fill('nu răspunde la sonerie');
    if (screenshots) await tp.screenshot({ path: `${screenshots}/mobilitate-tablet-not-at-home-1024x768.png` });
    await card.locator('[data-action=confirm-not-at-home]').click();
    await tp.waitForSelector(`.tb-done .tablet-stop[data-trip="${trip.id}"][data-kind=dropoff][data-status=not_at_home]`, { state: 'attached', timeout: 10_000 });
    // Sent: the service has the trip as not at home (the tablet's outbox empties).
    await disp.page.waitForFunction(
      async (id) => (await (await fetch(`/api/v1/transport/bookings/${id}`)).json().catch(() => ({}))).status === 'not_at_home',
      trip.id,
      { timeout: 20_000, polling: 200 },
    );
    await tp.waitForSelector('.tablet-link.online[data-pending="0"]', { timeout: 20_000 });
    const got = await api(disp.page, 'GET', `/api/v1/transport/bookings/${trip.id}`);
    assert.equal(got.json.status, 'not_at_home', JSON.stringify(got.json));
    assert.equal(got.json.no_show_reason, 'nu răspunde la sonerie', JSON.stringify(got.json));

    // Assert: exactly one welfare check for the trip, at P2, shown on the console.
    const queue = await api(disp.page, 'GET', '/api/v1/queue');
    const checks = queue.json.items
      .map((x) => x.item)
      .filter((i) => i.kind === 'incident' && i.details.description.startsWith('Verificare bunăstare') && i.details.description.includes(trip.id));
    assert.equal(checks.length, 1, JSON.stringify(checks));
    assert.equal(checks[0].priority.level, 'P2');
    assert.equal(checks[0].priority.rule, 'transport-welfare-check');
    assert.equal(checks[0].details.code, 'welfare_check');
    const line = row(disp.page, checks[0].id);
    await line.waitFor({ timeout: 10_000 });
    // The row says what it is in words: not "incident · incident".
    assert.equal((await line.locator('[data-field=what]').textContent()).trim(), 'incident · verificare bunăstare');
    // Opened, the item says what to check and where.
    await line.click();
    await disp.page.waitForFunction(() => document.body.innerText.includes('Verificare bunăstare'), null, { timeout: 10_000 });
    if (screenshots) await disp.page.screenshot({ path: `${screenshots}/mobilitate-welfare-check-1366x768.png` });
    // Leave VAN-01 with no work that day (the tablet test opens the first day with work).
    for (const t of run.json.trips) {
      const b = await api(disp.page, 'GET', `/api/v1/transport/bookings/${t.id}`);
      if (b.json?.status === 'booked') await api(disp.page, 'POST', `/api/v1/transport/bookings/${t.id}/cancel`);
    }
    await tablet.context.close();
    await disp.context.close();
  });
});
