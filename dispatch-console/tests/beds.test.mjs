// The bed registry page (/paturi) in Chromium against the real service: a supervisor sees the
// facilities with free/total places, switches the cold-weather mode off and on (the banner and a
// night shelter's extra places follow), admits a person and discharges them; a dispatcher sees
// a DV shelter's places but never its address. Uses facilities of its own (ids BT-*), since the
// service is shared with the other test files. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, launch, loggedIn, screenshots, users } from './helpers.mjs';

const sup = { username: process.env.CONSOLE_USER_SUP, password: process.env.CONSOLE_PASS_SUP };

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A same-origin request from the page (its session cookie). */
async function api(page, method, path, body) {
  return page.evaluate(
    async ([method, path, body]) => {
      const res = await fetch(path, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, json: await res.json().catch(() => null) };
    },
    [method, path, body],
  );
}

const freeAdults = (page, id) => page.locator(`tr[data-facility-id="${id}"] [data-field=free-adults]`);

async function shoot(page, name) {
  if (!screenshots) return;
  for (const [w, h] of [[1920, 1080], [1366, 768]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `${screenshots}/beds-${name}-${w}x${h}.png` });
  }
}

describe('paturi', () => {
  test('a supervisor switches the cold-weather mode, admits and discharges; a dispatcher never sees a DV shelter address', async () => {
    assert.ok(sup.username, 'CONSOLE_USER_SUP is set by scripts/console-test');
    // Arrange: the supervisor and facilities of this test.
    const s = await loggedIn(browser, sup);
    await s.page.waitForSelector('header.topbar');
    await s.page.goto(`${base}/paturi`);
    await s.page.waitForSelector('section.cold-banner');
    const p = await api(s.page, 'POST', '/api/v1/beds/providers', { id: 'BT-P', name: 'DAS Timișoara (test)', kind: 'das' });
    assert.ok([201, 409].includes(p.status), JSON.stringify(p));
    for (const f of [
      { id: 'BT-NOAPTE', name: 'Adăpost de noapte Test', kind: 'night_shelter', adult_places: 2, cold_extra_places: 3, stay_limit_days: 1, address: 'Strada Gării 1, Timișoara (test)', lon: 21.21, lat: 45.75 },
      { id: 'BT-DV', name: 'Casa Test (victime)', kind: 'dv_shelter', adult_places: 4, child_places: 3, stay_limit_days: 90, address: 'Strada Secretă 9 (test)', lon: 21.2, lat: 45.74 },
    ]) {
      const r = await api(s.page, 'POST', '/api/v1/beds/facilities', { provider_id: 'BT-P', ...f });
      assert.ok([201, 409].includes(r.status), JSON.stringify(r));
    }
    await s.page.reload();
    await s.page.waitForSelector('tr[data-facility-id="BT-NOAPTE"]');
    // The supervisor sees the DV shelter's address.
    assert.match(await s.page.locator('tr[data-facility-id="BT-DV"] [data-field=address]').innerText(), /Secretă/);

    // Act: the supervisor turns the mode off, with a reason.
    await s.page.fill('input[name=reason]', 'dezgheț (test)');
    await s.page.click('[data-action=cold-off]');
    await s.page.waitForSelector('section.cold-banner[data-cold=off]');
    // Assert: two places, no extra.
    await s.page.waitForSelector('tr[data-facility-id="BT-NOAPTE"] [data-field=free-adults][data-free="2"]');
    assert.match(await s.page.locator('tr[data-facility-id="BT-NOAPTE"]').innerText(), /2 \/ 2/);

    // Act: on again.
    await s.page.fill('input[name=reason]', 'ger anunțat (test)');
    await s.page.click('[data-action=cold-on]');
    await s.page.waitForSelector('section.cold-banner[data-cold=on]');
    // Assert: the banner says so in Romanian and the extra places are open.
    const banner = await s.page.locator('section.cold-banner').innerText();
    assert.match(banner, /Cod de ger activ/);
    assert.match(banner, /ger anunțat \(test\)/);
    await s.page.waitForSelector('tr[data-facility-id="BT-NOAPTE"] [data-field=free-adults][data-free="5"]');

    // Act: admit a person, then discharge them.
    const row = s.page.locator('tr[data-facility-id="BT-NOAPTE"]');
    await row.locator('input[name=person]').fill('T.B.');
    await row.locator('[data-action=admit]').click();
    await s.page.waitForSelector('tr[data-facility-id="BT-NOAPTE"] [data-field=free-adults][data-free="4"]');
    assert.match(await row.innerText(), /T\.B\./);
    await shoot(s.page, 'supervisor');
    await row.locator('[data-action=discharge]').first().click();
    await s.page.waitForSelector('tr[data-facility-id="BT-NOAPTE"] [data-field=free-adults][data-free="5"]');
    // A full facility says so in Romanian.
    await row.locator('input[name=person]').fill('X');
    await row.locator('input[name=adults]').fill('9');
    await row.locator('[data-action=admit]').click();
    await s.page.waitForSelector('.beds-msg:has-text("Nu mai sunt locuri libere")');

    // A dispatcher: the DV shelter's places, never its address.
    const d = await loggedIn(browser, users.a);
    await d.page.waitForSelector('header.topbar');
    await d.page.click('[data-action=beds]');
    await d.page.waitForURL('**/paturi');
    await d.page.waitForSelector('tr[data-facility-id="BT-DV"]');
    const dv = await d.page.locator('tr[data-facility-id="BT-DV"]').innerText();
    assert.match(dv, /adresă protejată/);
    assert.doesNotMatch(await d.page.content(), /Secretă/);
    assert.equal(await d.page.locator('[data-action=cold-on]').count(), 0, 'no switch for a dispatcher');
    // No English on the Romanian page.
    assert.doesNotMatch(await d.page.locator('body').innerText(), /\b(Beds|Admit|Discharge|withheld|night_shelter|dv_shelter)\b/);
    await shoot(d.page, 'dispatcher');

    // Leave the mode to its rule for the other test files.
    const back = await api(s.page, 'PUT', '/api/v1/beds/cold-weather', { mode: 'auto', reason: 'sfârșit test' });
    assert.equal(back.status, 200);
    await s.context.close();
    await d.context.close();
  });
});
