// The bed registry page (/paturi) in Chromium against the real service: a supervisor sees the
// facilities with free/total places, switches the cold-weather mode off and on (the banner and a
// night shelter's extra places follow), admits a person and discharges them; a dispatcher sees
// a DV shelter's places but never its address. Uses facilities of its own (ids BT-*), since the
// service is shared with the other test files. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, postCall, row, screenshots, users } from './helpers.mjs';

const sup = { username: process.env.CONSOLE_USER_SUP, password: process.env.CONSOLE_PASS_SUP };
// The dispatcher of the outreach test: their own, so the queue work stays out of other files'.
const beds = { username: process.env.CONSOLE_USER_BEDS, password: process.env.CONSOLE_PASS_BEDS };

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

async function shoot(page, name, focus) {
  if (!screenshots) return;
  for (const [w, h] of [[1920, 1080], [1366, 768]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(150);
    // A panel below the fold (the outreach beds in the item detail) is brought into the picture.
    if (focus) await focus.evaluate((el) => el.scrollIntoView({ block: 'center' }));
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

describe('paturi: keeping the registry and holding a bed for an outreach item', () => {
  test('a supervisor adds a provider and a night shelter with the forms, a refused field in words, then edits its places', async () => {
    // Arrange: the supervisor on /paturi, the i18n check on.
    const s = await loggedIn(browser, sup);
    await s.context.addInitScript(() => localStorage.setItem('dispecer.i18n-check', '1'));
    await s.page.waitForSelector('header.topbar');
    await s.page.goto(`${base}/paturi`);
    await s.page.waitForSelector('section[data-section=registry]');

    // Act: a new provider.
    await s.page.click('[data-action=new-provider]');
    const pf = s.page.locator('form[data-form=provider]');
    await pf.locator('input[name=id]').fill('BT-ONG');
    await pf.locator('input[name=name]').fill('Asociația Adăpost Test');
    await pf.locator('select[name=kind]').selectOption('ngo');
    await pf.locator('[data-action=save-provider]').click();
    // Assert: listed, with its kind in words.
    await s.page.waitForSelector('[data-provider-id=BT-ONG]');
    assert.match(await s.page.locator('[data-provider-id=BT-ONG]').innerText(), /Asociația Adăpost Test \(ONG\)/);

    // Act: a new night shelter, first without a name.
    await s.page.click('[data-action=new-facility]');
    const ff = s.page.locator('form[data-form=facility]');
    await ff.locator('input[name=id]').fill('BT-FORM');
    await ff.locator('select[name=provider_id]').selectOption('BT-ONG');
    await ff.locator('select[name=kind]').selectOption('night_shelter');
    await ff.locator('input[name=adult_places]').fill('3');
    await ff.locator('input[name=stay_limit_days]').fill('1');
    await ff.locator('input[name=cold_extra_places]').fill('2');
    await ff.locator('input[name=address]').fill('Strada Gheorghe Lazăr 24');
    await ff.locator('[data-action=geocode]').click();
    await ff.locator('.reg-candidate').first().click();
    await ff.locator('[data-field=position]:has-text("poziție aleasă")').waitFor();
    await ff.locator('[data-action=save-facility]').click();
    // Assert: the empty name is refused in words, the field marked, nothing raw.
    const msg = s.page.locator('[data-field=registry-message]');
    await msg.waitFor();
    assert.match(await msg.innerText(), /Verificați câmpul „Denumire”: este obligatoriu/);
    assert.equal(await ff.locator('input[name=name]').getAttribute('aria-invalid'), 'true');
    await shoot(s.page, 'registry-form');

    // Act: with a name.
    await ff.locator('input[name=name]').fill('Adăpost de noapte Formular (test)');
    await ff.locator('[data-action=save-facility]').click();
    // Assert: in the table, a night shelter with its places and its address.
    const r = s.page.locator('tr[data-facility-id="BT-FORM"]');
    await r.waitFor();
    assert.match(await r.innerText(), /adăpost de noapte/);
    assert.match(await r.locator('[data-field=address]').innerText(), /Lazăr/);
    assert.match(await s.page.locator('[data-field=registry-message]').innerText(), /Salvat/);

    // Act: edit its places.
    await r.locator('[data-action=edit-facility]').click();
    await ff.locator('input[name=id]').waitFor();
    assert.equal(await ff.locator('input[name=id]').isDisabled(), true, 'the code is not edited');
    await ff.locator('input[name=adult_places]').fill('4');
    await ff.locator('[data-action=save-facility]').click();
    // Assert: the registry keeps 4 places (read back from the server).
    await s.page.waitForFunction(() => !document.querySelector('form[data-form=facility]'));
    const back = await api(s.page, 'GET', '/api/v1/beds/facilities/BT-FORM');
    assert.equal(back.json.adult_places, 4);
    assert.equal(back.json.cold_extra_places, 2);
    assert.ok(back.json.lon && back.json.lat, 'the position picked from the address search');
    assert.deepEqual(await s.page.evaluate(() => window.__i18nMissing ?? []), []);
    assert.doesNotMatch(await s.page.locator('section[data-section=registry]').innerText(), /\b(provider_id|night_shelter|ngo|is required|Save)\b/);
    await s.context.close();
  });

  test('a dispatcher holds a bed for an outreach item from its detail, sends the van, records the arrival and releases it', async () => {
    assert.ok(beds.username, 'CONSOLE_USER_BEDS is set by scripts/console-test');
    // Arrange: the cold-weather mode on, the street team's van, a call about someone sleeping
    // rough near the night shelter of the previous test.
    const s = await loggedIn(browser, sup);
    await s.page.waitForSelector('header.topbar');
    const on = await api(s.page, 'PUT', '/api/v1/beds/cold-weather', { mode: 'on', reason: 'ger (test paturi)' });
    assert.equal(on.status, 200, JSON.stringify(on));
    const van = await api(s.page, 'POST', '/api/v1/resources', { id: 'BT-STRADA', kind: 'vehicle', name: 'Echipa stradală (test)' });
    assert.ok([201, 409].includes(van.status), JSON.stringify(van));
    const d = await loggedIn(browser, beds);
    await d.context.addInitScript(() => localStorage.setItem('dispecer.i18n-check', '1'));
    await d.page.waitForSelector('header.topbar');
    await d.page.reload();
    await consoleReady(d.page);
    const call = await postCall({
      caller_number: '+40722000917',
      category: 'sleeping_rough',
      immediate_danger: false,
      location: { address: 'Piața 700, Timișoara (test)', lon: 21.2245, lat: 45.7575 },
      notes: 'persoană dormind în stație (fictiv)',
    });
    // The outreach task raises the item within its interval (5 s).
    let outreach = null;
    for (let i = 0; i < 60 && !outreach; i++) {
      const q = await api(d.page, 'GET', '/api/v1/queue');
      outreach = (q.json?.items ?? []).map((e) => e.item ?? e).find((it) => it.details?.code === 'outreach' && it.details?.related === call.id) ?? null;
      if (!outreach) await d.page.waitForTimeout(250);
    }
    assert.ok(outreach, 'an outreach item was raised');

    // Act: open it, choose the van, hold a bed in the night shelter of the previous test.
    await row(d.page, outreach.id).click();
    const panel = d.page.locator('section.detail [data-section=outreach]');
    await panel.locator('[data-field=cold]').waitFor();
    assert.match(await panel.innerText(), /Cod de ger activ/);
    const shelter = panel.locator('tr[data-facility-id="BT-FORM"]');
    await shelter.waitFor();
    const freeBefore = Number(await shelter.locator('[data-field=free]').getAttribute('data-free'));
    await panel.locator('select[name=outreach-vehicle]').selectOption('BT-STRADA');
    await shelter.locator('[data-action=hold-bed]').click();

    // Assert: the hold is listed as held, the van assigned to the item, one bed fewer.
    const hold = panel.locator('li[data-state=held]');
    await hold.waitFor();
    assert.match(await hold.innerText(), /rezervat/);
    assert.match(await hold.innerText(), /Adăpost de noapte Formular \(test\)/);
    await d.page.waitForSelector('section.detail [data-field=assigned]:has-text("BT-STRADA")');
    const after = await api(d.page, 'GET', '/api/v1/beds/facilities/BT-FORM');
    assert.equal(after.json.free_adults, freeBefore - 1);
    assert.match(await panel.locator('[data-field=outreach-note]').innerText(), /Loc rezervat la Adăpost de noapte Formular/);
    await shoot(d.page, 'outreach-held', panel);

    // Act: the street team brought the person.
    await hold.locator('[data-action=hold-arrived]').click();
    // Assert: admitted.
    const admitted = panel.locator('li[data-state=admitted]');
    await admitted.waitFor();
    assert.match(await admitted.innerText(), /internat/);

    // Act: the person leaves in the morning: release the bed.
    await admitted.locator('[data-action=hold-release]').click();
    // Assert: released, and the bed free again.
    await panel.locator('li[data-state=released]').waitFor();
    const freed = await api(d.page, 'GET', '/api/v1/beds/facilities/BT-FORM');
    assert.equal(freed.json.free_adults, freeBefore);
    assert.deepEqual(await d.page.evaluate(() => window.__i18nMissing ?? []), []);
    assert.doesNotMatch(await panel.innerText(), /\b(held|admitted|released|night_shelter|withheld|Hold)\b/);
    await shoot(d.page, 'outreach-released', panel);

    // Leave the service as found: the item closed, the van off duty, the mode to its rule.
    const closed = await api(d.page, 'POST', `/api/v1/items/${outreach.id}/close`, { outcome: 'resolved' });
    assert.equal(closed.status, 200, JSON.stringify(closed));
    const off = await api(s.page, 'POST', '/api/v1/resources/BT-STRADA/status', { status: 'off_duty' });
    assert.ok([200, 204].includes(off.status), JSON.stringify(off));
    const auto = await api(s.page, 'PUT', '/api/v1/beds/cold-weather', { mode: 'auto', reason: 'sfârșit test' });
    assert.equal(auto.status, 200);
    await s.context.close();
    await d.context.close();
  });
});
