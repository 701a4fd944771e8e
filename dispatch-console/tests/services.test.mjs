// Referrals that close the loop, in Chromium against the real service: a dispatcher searches
// the directory of services to answer an information call and reads the service's card; a
// domestic-violence case referred to the DV complex reaches the service's inbox without the
// victim's number, address or notes; the service acknowledges it and reports the outcome, which
// the dispatcher then sees on the case. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base, launch, loggedIn, postCall, screenshots, users } from './helpers.mjs';

const serviceUser = { username: process.env.CONSOLE_USER_SERVICE, password: process.env.CONSOLE_PASS_SERVICE };

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A same-origin JSON call from the page (its session cookie). */
function call(page, method, path, body) {
  return page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p, { method: m, credentials: 'same-origin', headers: b ? { 'content-type': 'application/json' } : {}, body: b ? JSON.stringify(b) : undefined });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    [method, path, body],
  );
}

const missingTexts = (page) => page.evaluate(() => [...(window.__i18nMissing ?? []), ...(document.body.innerText.includes('⟦') ? ['⟦ on screen'] : [])]);

describe('services', () => {
  test('a dispatcher finds a service and reads its card; the service acknowledges a DV referral in its inbox, redacted, and reports the outcome', async () => {
    assert.ok(serviceUser.username, 'CONSOLE_USER_SERVICE is set by scripts/console-test');
    const marker = `MRK-${randomUUID().slice(0, 8)}`;
    const d = await loggedIn(browser, users.a);
    await d.page.waitForSelector('[data-action=services]');

    // The directory: search without diacritics, pick the night shelter, read its card.
    await d.page.click('[data-action=services]');
    await d.page.waitForURL('**/servicii');
    await d.page.fill('input[name=q]', 'adapost');
    await d.page.waitForSelector('[data-service=night-shelter]');
    await d.page.click('[data-service=night-shelter]');
    const card = d.page.locator('[data-field=service-card]');
    await card.locator('[data-field=phone]').waitFor();
    const text = await card.innerText();
    assert.match(text, /Adăpostul de noapte/);
    assert.match(text, /Cum se solicită/);
    assert.match(text, /Program/);
    assert.deepEqual(await missingTexts(d.page), []);
    await d.page.fill('input[name=q]', 'violenta');
    // Romanian endings and diacritics do not matter: `violenta` finds `violenței`.
    await d.page.waitForFunction(() => document.querySelector('[data-service=domestic-violence-complex]') && !document.querySelector('[data-service=night-shelter]'));
    await d.page.click('[data-service=domestic-violence-complex]');
    await card.locator('[data-field=phone]').waitFor();
    if (screenshots) {
      await d.page.setViewportSize({ width: 1920, height: 1080 });
      await d.page.screenshot({ path: `${screenshots}/services-1920x1080.png` });
      await d.page.setViewportSize({ width: 1366, height: 768 });
      await d.page.screenshot({ path: `${screenshots}/services-1366x768.png` });
    }

    // A DV case, taken by the dispatcher and referred to the DV complex with a note for it.
    const item = await postCall({
      caller_number: '+40722000888',
      category: 'domestic_violence',
      immediate_danger: false,
      location: { address: `Strada Ascunsă 9 ${marker}` },
      notes: `agresorul are cheile ${marker}`,
    });
    assert.equal((await call(d.page, 'POST', `/api/v1/items/${item.id}/acknowledge`)).status, 200);
    const referred = await call(d.page, 'POST', `/api/v1/items/${item.id}/referrals`, { service: 'domestic-violence-complex', note: 'Victima așteaptă apelul după ora 18 (test)' });
    assert.equal(referred.status, 201, JSON.stringify(referred.json));
    const rid = referred.json.id;

    // The service's staff land on their inbox; the case is there, protected.
    const s = await loggedIn(browser, serviceUser);
    await s.page.waitForURL('**/inbox');
    const entry = s.page.locator(`[data-referral="${rid}"]`);
    await entry.waitFor();
    assert.equal(await entry.getAttribute('data-protected'), 'true');
    const shown = await s.page.locator('main').innerText();
    assert.ok(!shown.includes(marker), 'no address or notes of the victim');
    assert.ok(!shown.includes('722000888'), 'no number of the victim');
    assert.match(await entry.innerText(), /Victima așteaptă apelul/);
    assert.match(await entry.innerText(), /Caz protejat/);

    // Acknowledge, accept, then complete with a note.
    await entry.locator('[data-action=acknowledge]').click();
    await entry.locator('[data-action=outcome]').waitFor();
    await entry.locator('select[name=outcome]').selectOption('accepted');
    await entry.locator('[data-action=outcome]').click();
    await s.page.waitForFunction((id) => document.querySelector(`[data-referral="${id}"] [data-field=outcome]`)?.textContent?.includes('acceptat'), rid);
    await entry.locator('select[name=outcome]').selectOption('completed');
    await entry.locator('input[name=note]').fill('Consiliere programată (test)');
    // The inbox refreshes (every 30 s, or the button) while the note is being typed: the card
    // stays as it is, with the note and the chosen outcome.
    await Promise.all([
      s.page.waitForResponse((r) => r.url().endsWith('/api/v1/inbox') && r.request().method() === 'GET'),
      s.page.locator('[data-action=refresh]').click(),
    ]);
    await s.page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    assert.equal(await entry.locator('input[name=note]').inputValue(), 'Consiliere programată (test)');
    assert.equal(await entry.locator('select[name=outcome]').inputValue(), 'completed');
    await entry.locator('[data-action=outcome]').click();
    await s.page.waitForFunction((id) => document.querySelector(`[data-referral="${id}"] [data-field=outcome]`)?.textContent?.includes('finalizat'), rid);
    assert.deepEqual(await missingTexts(s.page), []);
    await entry.scrollIntoViewIfNeeded();
    if (screenshots) {
      await s.page.setViewportSize({ width: 1920, height: 1080 });
      await s.page.screenshot({ path: `${screenshots}/inbox-1920x1080.png` });
      await s.page.setViewportSize({ width: 1366, height: 768 });
      await s.page.screenshot({ path: `${screenshots}/inbox-1366x768.png` });
    }
    // Nothing else is open to the service.
    assert.equal((await call(s.page, 'GET', `/api/v1/items/${item.id}`)).status, 403);
    assert.equal((await call(s.page, 'GET', '/api/v1/queue')).status, 403);

    // The dispatcher sees the outcome on the case.
    const list = await call(d.page, 'GET', `/api/v1/items/${item.id}/referrals`);
    const r = list.json.referrals.find((x) => x.id === rid);
    assert.equal(r.outcome, 'completed');
    assert.equal(r.outcome_note, 'Consiliere programată (test)');
    await d.page.goto(`${base}/items/${item.id}`);
    await d.page.waitForFunction(() => document.body.innerText.includes('rezultatul trimiterii'), null, { timeout: 10_000 });

    await s.context.close();
    await d.context.close();
  });
});
