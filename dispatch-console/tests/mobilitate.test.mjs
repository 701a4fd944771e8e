// Mobilitate runs against the real service: a meal round is created and planned with the day;
// the driver reports one client "not at home" (sent twice, as a tablet replaying after a dead
// zone would) and exactly one welfare-check item reaches the dispatcher's console at P2. The
// tablet's "Nu este acasă" button is built on the tablet branch: here the action goes through
// the driver's own session and the same API the tablet calls. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { consoleReady, launch, loggedIn, row, screenshots, users } from './helpers.mjs';

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
    const moved = await api(disp.page, 'POST', `/api/v1/transport/plans/${date}/move`, { trip_id: trip.id, vehicle_id: 'VAN-01' });
    assert.equal(moved.status, 200, JSON.stringify(moved.json));

    // The driver of VAN-01 sees the delivery as a meal stop.
    const tablet = await loggedIn(browser, driver1);
    await tablet.page.waitForSelector('main.tablet[data-busy="0"]');
    const manifest = await api(tablet.page, 'GET', `/api/v1/transport/manifest?date=${date}`);
    assert.equal(manifest.status, 200, JSON.stringify(manifest.json));
    const stops = manifest.json.stops.filter((s) => s.trip_id === trip.id);
    assert.equal(stops.length, 2);
    assert.ok(stops.every((s) => s.kind === 'meal'), JSON.stringify(stops));

    // Act: collected at the canteen; nobody opens the door; the action is sent twice.
    const picked = await api(tablet.page, 'POST', '/api/v1/transport/actions', { action_id: `mt-${trip.id}-1`, kind: 'picked_up', trip_id: trip.id });
    assert.equal(picked.status, 201, JSON.stringify(picked.json));
    const action = { action_id: `mt-${trip.id}-2`, kind: 'not_at_home', trip_id: trip.id, reason: 'nu răspunde la sonerie' };
    const first = await api(tablet.page, 'POST', '/api/v1/transport/actions', action);
    assert.equal(first.status, 201, JSON.stringify(first.json));
    assert.equal(first.json.trip_status, 'not_at_home');
    const replay = await api(tablet.page, 'POST', '/api/v1/transport/actions', action);
    assert.equal(replay.json.replay, true, JSON.stringify(replay.json));

    // Assert: exactly one welfare check for the trip, at P2, shown on the console.
    const queue = await api(disp.page, 'GET', '/api/v1/queue');
    const checks = queue.json.items
      .map((x) => x.item)
      .filter((i) => i.kind === 'incident' && i.details.description.startsWith('Verificare bunăstare') && i.details.description.includes(trip.id));
    assert.equal(checks.length, 1, JSON.stringify(checks));
    assert.equal(checks[0].priority.level, 'P2');
    const line = row(disp.page, checks[0].id);
    await line.waitFor({ timeout: 10_000 });
    // Opened, the item says what to check and where.
    await line.click();
    await disp.page.waitForFunction(() => document.body.innerText.includes('Verificare bunăstare'), null, { timeout: 10_000 });
    if (screenshots) await disp.page.screenshot({ path: `${screenshots}/mobilitate-welfare-check-1366x768.png` });
    await tablet.context.close();
    await disp.context.close();
  });
});
