// The new-call form as a dispatcher uses it, keyboard first: Shift+N opens it, the number is
// looked up against the TeleAsistență registry and earlier cases, the address is searched and a
// candidate picked with the arrows, Ctrl+Enter records; the new card is selected. Run through
// scripts/console-test.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { consoleReady, launch, loggedIn, postCall, screenshots, users } from './helpers.mjs';

let browser;
let a;

/** A request with the page's session cookie, as the console makes it. */
async function inPage(page, method, path, body) {
  return page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p, { method: m, headers: b ? { 'content-type': 'application/json' } : {}, body: b ? JSON.stringify(b) : undefined });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    },
    [method, path, body],
  );
}

/** Words of the English UI or raw codes that must not show in the Romanian one. */
const ENGLISH = /(?<![\p{L}_])(address|street|poi|walk_in|other_line|unknown|unclassified|Search|Cancel|Channel|Notes|victim|neighbour)(?![\p{L}_])/u;

/** Each test starts with the form closed, whatever the one before left. */
async function formClosed(page) {
  if (await page.locator('.newcall').count()) {
    await page.locator('.newcall [data-action=cancel-call]').click();
    await page.waitForSelector('.newcall', { state: 'detached' });
  }
}

before(async () => {
  browser = await launch();
  a = await loggedIn(browser, users.a);
  await consoleReady(a.page);
});

after(async () => {
  await browser?.close();
});

describe('new-call form', () => {
  const phone = `+4072${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const beneficiary = `Elena Probă ${randomUUID().slice(0, 4)}`;

  test('a walk-in call is carded with an address picked from the candidates, and selected', async () => {
    // Arrange: a known beneficiary's number with one earlier case.
    const { page } = a;
    const device = await inPage(page, 'POST', '/api/v1/teleasistenta/devices', {
      device_id: `TA-NC-${randomUUID().slice(0, 6)}`,
      beneficiary,
      address: 'Strada Gheorghe Lazăr 24, Timișoara',
      phone,
      carers: [{ name: 'Ion Probă', phone: '+40730000001', relation: 'fiu' }],
    });
    assert.equal(device.status, 201, JSON.stringify(device.json));
    await postCall({ caller_number: phone, category: 'information', immediate_danger: false, notes: 'apel anterior' });

    // Act: open with the hotkey, fill with the keyboard.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('Shift+N');
    await page.waitForSelector('.newcall[role=dialog]');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'channel', 'the form opens on its first field');
    await page.selectOption('.newcall [name=channel]', 'walk_in');
    await page.keyboard.press('Tab');
    await page.keyboard.type(phone);
    await page.keyboard.press('Enter');
    // The number is the beneficiary's, with its earlier case.
    await page.waitForSelector('[data-field=lookup] .nc-whose');
    assert.match(await page.textContent('[data-field=lookup]'), new RegExp(`Beneficiar TeleAsistență: ${beneficiary}`));
    assert.ok((await page.locator('[data-field=lookup] .nc-history li').count()) >= 1, 'the earlier case is listed');
    await page.selectOption('.newcall [name=reporter]', 'neighbour');
    await page.selectOption('.newcall [name=category]', 'neglect');
    await page.focus('.newcall [name=address]');
    await page.keyboard.type('str gheorghe lazar 24');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.nc-candidate');
    const kinds = await page.locator('.nc-candidate .nc-kind').allTextContents();
    for (const k of kinds) assert.ok(['adresă', 'stradă', 'localitate', 'instituție / loc'].includes(k), `kind shown as "${k}"`);
    if (screenshots) {
      for (const [w, hgt] of [[1366, 768], [1920, 1080]]) {
        await page.setViewportSize({ width: w, height: hgt });
        await page.screenshot({ path: `${screenshots}/newcall-${w}.png` });
      }
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    assert.doesNotMatch(await page.locator('.newcall').innerText(), ENGLISH);
    await page.keyboard.press('ArrowDown');
    const label = await page.locator('.nc-candidate').first().getAttribute('data-label');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.nc-picked');
    assert.equal(await page.inputValue('.newcall [name=address]'), label);
    await page.keyboard.type('Vecina spune că nu a mai ieșit din casă de două zile.');
    // A double click on the button makes one card (one idempotency key per card).
    await page.dblclick('[data-action=submit-call]');

    // Assert: the form closes and the new card is selected, with who and where.
    await page.waitForSelector('.newcall', { state: 'detached', timeout: 10_000 }).catch(async (e) => {
      const shown = await page.locator('.newcall .error').allInnerTexts();
      throw new Error(`the form stayed open: ${shown.join(' | ')} (${e.message.split('\n')[0]})`);
    });
    await page.waitForURL(/\/items\/[0-9a-f-]+$/);
    const id = new URL(page.url()).pathname.split('/').pop();
    await page.waitForSelector(`section.detail[data-item-id="${id}"]`);
    await page.waitForSelector(`section.queue tr.selected[data-item-id="${id}"]`);
    const detail = await page.locator('section.detail').innerText();
    assert.ok(detail.includes(label), 'the picked address is shown');
    assert.ok(detail.includes(beneficiary), "the beneficiary's name is shown");
    const item = await inPage(page, 'GET', `/api/v1/items/${id}`);
    const d = item.json.item.details;
    assert.equal(d.channel, 'walk_in');
    assert.equal(d.reporter, 'neighbour');
    assert.equal(item.json.item.category, 'neglect');
    assert.ok(d.location.position, 'the picked candidate gives the position');
    const history = await inPage(page, 'GET', `/api/v1/teleasistenta/lookup?phone=${encodeURIComponent(phone)}`);
    assert.equal(history.json.history.filter((i) => i.category === 'neglect').length, 1, 'one card, not two');
  });

  test('a bad number is shown next to its field in Romanian, and Esc cancels', async () => {
    const { page } = a;
    await formClosed(page);
    await page.locator('section.queue h2').click();
    await page.keyboard.press('Insert');
    await page.waitForSelector('.newcall[role=dialog]');
    await page.fill('.newcall [name=caller_number]', '07ab');
    await page.keyboard.press('Control+Enter');
    const slot = page.locator('[data-error-for=caller_number]');
    await slot.filter({ hasText: /\S/ }).waitFor();
    assert.match(await slot.innerText(), /Număr de telefon nevalid/);
    await page.keyboard.press('Escape');
    await page.waitForSelector('.newcall', { state: 'detached' });
  });

  test('an unknown number says so, and a street-only match can keep the typed text', async () => {
    const { page } = a;
    await formClosed(page);
    await page.locator('[data-action=new-call]').click();
    await page.waitForSelector('.newcall[role=dialog]');
    await page.fill('.newcall [name=caller_number]', '+40799000999');
    await page.keyboard.press('Enter');
    await page.locator('[data-field=lookup]').filter({ hasText: /necunoscut/ }).waitFor();
    await page.fill('.newcall [name=address]', 'strada gheorghe lazar');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.nc-candidate');
    // Only the street (and a place of that name) matched: the typed text can be kept.
    const kinds = await page.locator('.nc-candidate').evaluateAll((els) => els.map((e) => e.dataset.kind));
    assert.ok(kinds.includes('street') && !kinds.includes('address'), kinds.join());
    assert.match(await page.textContent('.nc-note'), /Nicio adresă exactă/);
    await page.click('[data-action=keep-typed]');
    await page.waitForSelector('[data-picked=typed]');
    assert.equal(await page.inputValue('.newcall [name=address]'), 'strada gheorghe lazar');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.newcall', { state: 'detached' });
  });
});
