// Mobilitate runs against the real service: a meal round is created and planned with the day;
// the driver, on the tablet (/sofer), collects the meals at the canteen with one "Preluate toate"
// and taps "Nu este acasă" at a client's door; exactly one welfare-check item (rule
// transport-welfare-check, P2) reaches the dispatcher's console, its row saying "verificare
// bunăstare". Then a round is created in the planner's panel (canteen and deliveries by address
// search, its validation messages in Romanian), the day planned from the page, its stops on the
// timeline; on the tablet the canteen is one card, "Preluate toate (3)" tapped in a dead zone,
// the tablet reloaded there, and back online each pick-up applied once. Screenshots of the panel
// at 1366×768 and 1920×1080 and of the tablet at 1024×768 and 390×844. Run through
// scripts/console-test.

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

/** The canteen and the homes of the panel's round, as the address search finds them. */
const CANTEEN_ADDRESS = 'Strada Gheorghe Lazăr 24';
const DELIVERIES = [
  ['Beneficiar colectare C1 (test)', 'Piața Victoriei'],
  ['Beneficiar colectare C2 (test)', 'Strada Paris 5'],
  ['Centru de zi colectare (test)', 'Bulevardul Revoluției din 1989 5'],
];

/** The tablet's outbox as IndexedDB holds it, in order. */
function outboxOf(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('dispecer-tablet');
        open.onsuccess = () => {
          const req = open.result.transaction('outbox').objectStore('outbox').getAll();
          req.onsuccess = () => resolve(req.result.sort((a, b) => a.seq - b.seq));
          req.onerror = () => reject(req.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
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
    assert.match(await tp.textContent('.tablet-head'), /VAN-01 · /);
    assert.equal(await tp.getAttribute('.tablet-head', 'data-date'), date);
    const delivery = tp.locator(`.tablet-stop[data-trip="${trip.id}"][data-kind=dropoff]`);
    await delivery.waitFor();
    assert.equal(await delivery.getAttribute('data-stop-kind'), 'meal');
    assert.match(await delivery.locator('.stop-what').textContent(), /Livrare/);
    assert.equal((await delivery.locator('[data-action=dropped_off]').textContent()).trim(), 'Livrat');
    // The canteen is a collection, not a delivery: one card for the round's two meals, nobody
    // "not at home" there.
    const canteen = tp.locator(`.tb-canteen[data-run="${run.json.run_id}"]`);
    await canteen.waitFor();
    assert.equal(await canteen.getAttribute('data-count'), '2');
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
    await canteen.locator('[data-action=collect-all]').click();
    await tp.waitForSelector(`.tb-done .tablet-stop[data-trip="${trip.id}"][data-kind=pickup][data-status=picked_up]`, { state: 'attached' });
    // Both pick-ups sent and the manifest refetched: no redraw will replace the form below.
    await tp.waitForSelector('.tablet-link.online[data-pending="0"]', { timeout: 20_000 });
    await tp.waitForSelector('main.tablet[data-busy="0"]');
    const card = delivery;
    await card.locator('[data-action=not_at_home]').click();
    await card.locator('input[name=reason]').fill('nu răspunde la sonerie');
    // A message from dispatch arrives while the form is open: the tablet redraws, and the form
    // comes back as the driver left it.
    const note = 'Sunați la vecina de la etajul 2';
    const sent = await api(disp.page, 'POST', '/api/v1/transport/messages', { vehicle_id: 'VAN-01', text: note });
    assert.ok(sent.status === 201 || sent.status === 200, JSON.stringify(sent));
    await tp.waitForFunction((t) => document.body.textContent.includes(t), note, { timeout: 20_000 });
    assert.equal(await card.locator('input[name=reason]').inputValue(), 'nu răspunde la sonerie');
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
    // Leave VAN-01 with no work that day (the tablet test opens the first day with work): the
    // centre's meal, collected with the other, is delivered.
    const centre = tp.locator(`.tablet-stop[data-trip="${run.json.trips[1].id}"][data-kind=dropoff]`);
    await centre.locator('[data-action=dropped_off]').click();
    // Done in the service; the tablet may already have moved on to VAN-01's next day with work
    // (another file's), so the stop is checked where it is recorded, not on the screen.
    await disp.page.waitForFunction(
      async (id) => (await (await fetch(`/api/v1/transport/bookings/${id}`)).json().catch(() => ({}))).status === 'dropped_off',
      run.json.trips[1].id,
      { timeout: 20_000, polling: 200 },
    );
    await tp.waitForSelector('.tablet-link.online[data-pending="0"]', { timeout: 20_000 });
    for (const t of run.json.trips) {
      const b = await api(disp.page, 'GET', `/api/v1/transport/bookings/${t.id}`);
      if (b.json?.status === 'booked') await api(disp.page, 'POST', `/api/v1/transport/bookings/${t.id}/cancel`);
    }
    await tablet.context.close();
    await disp.context.close();
  });

  test('a meal round created in the planner\'s panel is planned and collected at the canteen with one tap, offline then replayed once', async () => {
    // Arrange: the planner's page on the quiet day (the same one as above: its round is done).
    const disp = await loggedIn(browser, users.b);
    const page = disp.page;
    await page.setViewportSize({ width: 1366, height: 768 });
    await consoleReady(page);
    await page.goto(`${base}/transport`);
    await page.waitForSelector('section.planner-runs');
    const date = quietSunday();
    await page.fill('input[name=plan-date]', date);
    await page.dispatchEvent('input[name=plan-date]', 'change');
    const panel = page.locator('section.planner-runs');
    await panel.locator('[data-action=new-run]').click();
    const form = panel.locator('form.run-form');
    // A shuttle without its centre, or its group, is refused in words too.
    await form.locator('[name=run-kind]').selectOption('shuttle');
    await form.locator('[data-field=centre]').waitFor();
    assert.ok((await form.locator('input[name=run-rider]').count()) > 0, 'the registered riders are offered for the group');
    await form.locator('[data-action=create-run]').click();
    assert.equal((await panel.locator('[data-field=run-message]').textContent()).trim(), 'Căutați adresa centrului de zi și alegeți-o din rezultate.');
    await form.locator('[name=run-kind]').selectOption('meal');
    await form.locator('[data-field=origin]').waitFor();
    await form.locator('[name=run-label]').fill('Prânz colectare (test)');

    // A round without its canteen chosen is refused in Romanian, before anything is sent.
    await form.locator('[data-action=create-run]').click();
    assert.equal((await panel.locator('[data-field=run-message]').textContent()).trim(), 'Căutați adresa cantinei și alegeți-o din rezultate.');

    // The canteen and three deliveries, each address found by the search (as for a rider).
    const pick = async (scope, text) => {
      await scope.locator('input[name$=address], input[name=run-origin]').first().fill(text);
      await scope.locator('[data-action=find-address]').first().click();
      await scope.locator('.rp-candidate').first().click();
      await scope.locator('[data-field=picked]').waitFor();
    };
    await pick(form.locator('[data-field=origin]'), CANTEEN_ADDRESS);
    for (const [i, [name, address]] of DELIVERIES.entries()) {
      if (i > 0) await form.locator('[data-action=add-stop]').click();
      const stop = form.locator('.run-stop').nth(i);
      await stop.locator('[name=stop-label]').fill(name);
      await pick(stop, address);
      await stop.locator('[name=stop-from]').fill('11:00');
      await stop.locator('[name=stop-to]').fill('13:30');
    }
    // A window that ends before the meals are ready is refused, naming the delivery.
    await form.locator('.run-stop').nth(2).locator('[name=stop-to]').fill('10:00');
    await form.locator('[data-action=create-run]').click();
    assert.match(await panel.locator('[data-field=run-message]').textContent(), /^Livrarea 3: ora de sfârșit trebuie să fie după ora de început\./);
    await form.locator('.run-stop').nth(2).locator('[name=stop-to]').fill('13:30');
    if (screenshots) {
      await form.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${screenshots}/mobilitate-run-form-1366x768.png` });
    }

    // Act: created, then the day planned from the page.
    await form.locator('[data-action=create-run]').click();
    await panel.locator('[data-field=run-message]').filter({ hasText: 'creată: 3 opriri' }).waitFor();
    const runs = (await api(page, 'GET', `/api/v1/transport/runs?date=${date}`)).json.runs;
    const run = runs.find((r) => r.label === 'Prânz colectare (test)');
    assert.ok(run, JSON.stringify(runs));
    assert.equal(run.trips.length, 3);
    const row = panel.locator(`tr[data-run="${run.run_id}"]`);
    await row.waitFor();
    assert.equal((await row.locator('[data-field=kind]').textContent()).trim(), 'livrare mese');
    assert.equal((await row.locator('[data-field=stops]').textContent()).trim(), '3 opriri');
    await page.click('[data-action=plan]');
    await row.locator('[data-field=run-status]').filter({ hasText: '3/3 planificate' }).waitFor({ timeout: 20_000 });

    // Assert: the round's stops are on the timeline (marked as a run's) and listed under it.
    for (const t of run.trips) {
      await page.locator(`.timeline .tl-stop[data-trip="${t.id}"][data-stop-kind=meal]`).first().waitFor();
    }
    const stops = panel.locator(`[data-run-stops="${run.run_id}"] tr[data-trip]`);
    assert.equal(await stops.count(), 3);
    if (screenshots) {
      for (const viewport of [
        { width: 1366, height: 768 },
        { width: 1920, height: 1080 },
      ]) {
        await page.setViewportSize(viewport);
        await panel.scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${screenshots}/mobilitate-runs-${viewport.width}x${viewport.height}.png` });
      }
      await page.locator('section.planner-timeline').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${screenshots}/mobilitate-runs-timeline-1920x1080.png` });
    }
    // The whole round on VAN-01: the driver's round.
    const planned = (await api(page, 'GET', `/api/v1/transport/plans/${date}`)).json;
    for (const t of run.trips) {
      const route = planned.routes.find((r) => r.stops.some((s) => s.trip_id === t.id));
      if (route?.vehicle_id === 'VAN-01') continue;
      const moved = await api(page, 'POST', `/api/v1/transport/plans/${date}/move`, { trip_id: t.id, vehicle_id: 'VAN-01' });
      assert.equal(moved.status, 200, JSON.stringify(moved.json));
    }

    // The tablet: one canteen card for the three meals, one big "Preluate toate (3)".
    const tablet = await openTablet({ width: 1024, height: 768 });
    const tp = tablet.page;
    await tp.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 10_000 });
    const canteen = tp.locator(`.tb-canteen[data-run="${run.run_id}"]`);
    await canteen.waitFor();
    assert.equal(await canteen.getAttribute('data-count'), '3');
    const collect = canteen.locator('[data-action=collect-all]');
    assert.equal((await collect.textContent()).trim(), 'Preluate toate (3)');
    const box = await collect.boundingBox();
    assert.ok(box.height >= 48 && box.width >= 48, JSON.stringify(box));
    assert.equal(await canteen.locator('[data-field=boxes] li').count(), 3);
    if (screenshots) {
      for (const viewport of [
        { width: 1024, height: 768 },
        { width: 390, height: 844 },
      ]) {
        await tp.setViewportSize(viewport);
        await tp.evaluate(() => window.scrollTo(0, 0));
        await tp.screenshot({ path: `${screenshots}/mobilitate-collect-all-${viewport.width}x${viewport.height}.png` });
      }
      await tp.setViewportSize({ width: 1024, height: 768 });
    }

    // Act: in a dead zone at the canteen, one tap; then the tablet is reloaded there.
    await tablet.context.setOffline(true);
    await collect.click();
    await tp.waitForSelector('.tablet-link.offline[data-pending="3"]');
    const queued = await outboxOf(tp);
    await tp.reload();
    await tp.waitForSelector('main.tablet .tablet-link.offline[data-pending="3"]', { timeout: 10_000 });
    assert.equal(await tp.locator('.tb-canteen').count(), 0);
    for (const t of run.trips) {
      await tp.waitForSelector(`.tb-done .tablet-stop[data-trip="${t.id}"][data-kind=pickup][data-status=picked_up]`, { state: 'attached' });
    }
    if (screenshots) await tp.screenshot({ path: `${screenshots}/mobilitate-collect-all-offline-1024x768.png` });

    // Assert: back online, every meal is aboard at the time of the tap; each action was applied
    // once (sent again, the service answers with the first record).
    await tablet.context.setOffline(false);
    await tp.waitForSelector('.tablet-link.online[data-pending="0"]', { timeout: 20_000 });
    assert.deepEqual(queued.map((e) => [e.body.kind, e.body.trip_id]).sort(), run.trips.map((t) => ['picked_up', t.id]).sort());
    for (const t of run.trips) {
      const got = await api(page, 'GET', `/api/v1/transport/bookings/${t.id}`);
      assert.equal(got.json.status, 'picked_up', JSON.stringify(got.json));
      assert.equal(new Date(got.json.picked_up_at).getTime(), new Date(queued[0].body.at).getTime());
    }
    for (const e of queued) {
      const r = await api(tp, 'POST', e.path, e.body);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.replay, true);
    }
    // The planner's panel says so.
    await row.locator('[data-field=run-status]').filter({ hasText: '3 ridicate' }).waitFor({ timeout: 20_000 });

    // Leave VAN-01 with no work that day: the three meals delivered. Each is checked in the
    // service: after the last, the tablet may already show VAN-01's next day with work (another
    // file's), as in the round above.
    for (const t of run.trips) {
      await tp.locator(`.tablet-stop[data-trip="${t.id}"][data-kind=dropoff] [data-action=dropped_off]`).click();
      await page.waitForFunction(
        async (id) => (await (await fetch(`/api/v1/transport/bookings/${id}`)).json().catch(() => ({}))).status === 'dropped_off',
        t.id,
        { timeout: 20_000, polling: 200 },
      );
    }
    await tp.waitForSelector('.tablet-link.online[data-pending="0"]', { timeout: 20_000 });
    await row.locator('[data-field=run-status]').filter({ hasText: '3 livrate' }).waitFor({ timeout: 20_000 });
    await tablet.context.close();
    await disp.context.close();
  });
  test('a round cancelled from the planner\'s panel: the meals still at the canteen cancelled in one step, the one collected named for a call to the driver', async () => {
    // Arrange: a round of two deliveries on the quiet day, planned on VAN-01; the driver has
    // collected one of them.
    const disp = await loggedIn(browser, users.b);
    const page = disp.page;
    await page.setViewportSize({ width: 1366, height: 768 });
    await consoleReady(page);
    const date = quietSunday();
    const made = await api(page, 'POST', '/api/v1/transport/runs', {
      kind: 'meal',
      date,
      label: 'Prânz anulat (test)',
      origin: { address: 'Cantina socială (demo)', lon: 21.226, lat: 45.753 },
      ready_at: '10:30:00',
      stops: [
        { label: 'Beneficiar masă A1', place: { address: 'Str. Exemplu nr. 3 (demo)', lon: 21.215, lat: 45.752 }, from: '11:00:00', to: '12:30:00' },
        { label: 'Beneficiar masă A2', place: { address: 'Str. Exemplu nr. 5 (demo)', lon: 21.219, lat: 45.755 }, from: '11:00:00', to: '12:30:00' },
      ],
    });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const run = made.json;
    const planned = await api(page, 'POST', `/api/v1/transport/plans/${date}`, { seconds: 0.5 });
    assert.equal(planned.status, 200, JSON.stringify(planned.json));
    for (const t of run.trips) {
      const route = planned.json.plan.routes.find((r) => r.stops.some((s) => s.trip_id === t.id));
      if (route?.vehicle_id === 'VAN-01') continue;
      const moved = await api(page, 'POST', `/api/v1/transport/plans/${date}/move`, { trip_id: t.id, vehicle_id: 'VAN-01' });
      assert.equal(moved.status, 200, JSON.stringify(moved.json));
    }
    const tablet = await openTablet({ width: 1024, height: 768 });
    const [collected, waiting] = run.trips;
    const picked = await api(tablet.page, 'POST', '/api/v1/transport/actions', { action_id: `cancel-test-${Date.now()}`, kind: 'picked_up', trip_id: collected.id, at: new Date().toISOString() });
    assert.ok(picked.status === 201 || picked.status === 200, JSON.stringify(picked.json));
    await page.goto(`${base}/transport`);
    await page.waitForSelector('section.planner-runs');
    await page.fill('input[name=plan-date]', date);
    await page.dispatchEvent('input[name=plan-date]', 'change');
    const panel = page.locator('section.planner-runs');
    const line = panel.locator(`tr[data-run="${run.run_id}"]`);
    await line.waitFor();

    // Act: the canteen closes; the dispatcher cancels the round and confirms.
    page.once('dialog', (d) => void d.accept());
    await line.locator('[data-action=cancel-run]').click();

    // Assert: one meal cancelled by the service, the collected one kept and named.
    const message = panel.locator('[data-field=run-message]');
    await message.filter({ hasText: 'Opriri anulate: 1.' }).waitFor({ timeout: 10_000 });
    assert.match(await message.textContent(), /Nu s-au putut anula: 1 .*sunați șoferul: Beneficiar masă A1/);
    await line.locator('[data-field=run-status]').filter({ hasText: '1 anulată' }).waitFor({ timeout: 10_000 });
    const cancelled = await api(page, 'GET', `/api/v1/transport/bookings/${waiting.id}`);
    assert.equal(cancelled.json.status, 'cancelled');
    assert.equal(cancelled.json.cancellation.reason, 'service_cancel');
    assert.equal((await api(page, 'GET', `/api/v1/transport/bookings/${collected.id}`)).json.status, 'picked_up');
    if (screenshots) {
      await panel.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${screenshots}/mobilitate-run-cancelled-1366x768.png` });
    }
    // Leave VAN-01 with no work that day: the collected meal delivered.
    const dropped = await api(tablet.page, 'POST', '/api/v1/transport/actions', { action_id: `cancel-test-drop-${Date.now()}`, kind: 'dropped_off', trip_id: collected.id, at: new Date().toISOString() });
    assert.ok(dropped.status === 201 || dropped.status === 200, JSON.stringify(dropped.json));
    await tablet.context.close();
    await disp.context.close();
  });
});
