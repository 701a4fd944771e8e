// The assignment panel: for the selected item, the resources ranked by arrival time over the
// road network, with ETA, distance and wheelchair places; a busy van greyed with the reason in
// words; a van assigned together with its paired driver from the keyboard, and one of them
// withdrawn again. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, postCall, screenshots, users } from './helpers.mjs';

let browser;
let a;
/** What the tests changed, undone at the end so that later test files find the fleet free. */
const made = [];
const moved = [];
const DEPOT = { lon: 21.2087, lat: 45.7537 };

/** A request with the page's session cookie, as the console makes it. */
async function inPage(page, method, path, body) {
  const out = await page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p, { method: m, headers: b ? { 'content-type': 'application/json' } : {}, body: b ? JSON.stringify(b) : undefined });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    },
    [method, path, body],
  );
  if (out.status >= 300) throw new Error(`${method} ${path} → ${out.status} ${JSON.stringify(out.json)}`);
  return out.json;
}

before(async () => {
  browser = await launch();
  a = await loggedIn(browser, users.a);
  await consoleReady(a.page);
});

after(async () => {
  // Closing an item releases its resources; the vans go back to the depot.
  for (const id of made) await inPage(a.page, 'POST', `/api/v1/items/${id}/close`, { outcome: 'no_action_needed' }).catch(() => undefined);
  for (const id of moved) await inPage(a.page, 'POST', `/api/v1/resources/${id}/position`, DEPOT).catch(() => undefined);
  await browser?.close();
});

/** A call at Piața Victoriei, acknowledged by dispatcher A. */
async function acknowledgedCall(page, notes) {
  const item = await postCall({
    caller_number: '+40256000111',
    category: 'neglect',
    immediate_danger: false,
    location: { address: 'Piața Victoriei, Timișoara', lon: 21.2257, lat: 45.7527 },
    notes,
  });
  await inPage(page, 'POST', `/api/v1/items/${item.id}/acknowledge`);
  made.push(item.id);
  return item;
}

describe('assignment panel', () => {
  test('ETAs are listed and sorted, a busy van greyed, and a van assigned with its driver', async () => {
    const { page } = a;
    // Arrange: the item, vans at different distances, and one free van made busy elsewhere.
    const item = await acknowledgedCall(page, 'vecinul nu răspunde la ușă');
    const first = await inPage(page, 'GET', `/api/v1/items/${item.id}/candidates`);
    const vans = first.candidates.filter((c) => c.resource.kind === 'vehicle' && !c.busy && c.pair && !first.candidates.find((d) => d.resource.id === c.pair)?.busy);
    assert.ok(vans.length >= 3, `three free vans with a free driver (${vans.length})`);
    const [near, far, other] = vans;
    moved.push(near.resource.id, far.resource.id);
    await inPage(page, 'POST', `/api/v1/resources/${near.resource.id}/position`, { lon: 21.2290, lat: 45.7545 });
    await inPage(page, 'POST', `/api/v1/resources/${far.resource.id}/position`, { lon: 21.1800, lat: 45.7800 });
    const elsewhere = await acknowledgedCall(page, 'altă lucrare');
    await inPage(page, 'POST', `/api/v1/items/${elsewhere.id}/assign`, { resources: [other.resource.id] });

    // Act: open the item.
    await page.goto(`${base}/items/${item.id}`);
    await consoleReady(page);
    const panel = page.locator('[data-field=assign-panel]');
    await panel.locator('tr.cand').first().waitFor();
    // The busy van's row is drawn once the resources changed (a refetch follows the events).
    await panel.locator(`tr.cand[data-resource-id="${other.resource.id}"][data-busy=true]`).waitFor();

    // Assert: ranked by ETA, free and suitable first, minutes and kilometres in words.
    const rows = await panel.locator('tr.cand').evaluateAll((trs) =>
      trs.map((tr) => ({ id: tr.dataset.resourceId, eta: tr.dataset.eta === '' ? null : Number(tr.dataset.eta), busy: tr.dataset.busy === 'true', suitable: tr.dataset.suitable === 'true', grey: tr.classList.contains('grey'), text: tr.innerText })),
    );
    const ready = rows.filter((r) => !r.busy && r.suitable);
    assert.ok(ready.length >= 2);
    assert.deepEqual(rows.slice(0, ready.length).map((r) => r.id), ready.map((r) => r.id), 'free and suitable resources come first');
    const etas = ready.map((r) => r.eta).filter((e) => e !== null);
    assert.deepEqual(etas, [...etas].sort((x, y) => x - y), 'sorted by arrival time');
    assert.ok(ready.findIndex((r) => r.id === near.resource.id) < ready.findIndex((r) => r.id === far.resource.id), 'the near van before the far one');
    const nearRow = rows.find((r) => r.id === near.resource.id);
    assert.match(nearRow.text, /\d+ min/);
    assert.match(nearRow.text, /\d+,\d km/);
    assert.match(nearRow.text, /cu șoferul /);
    assert.equal(rows.filter((r) => r.id === near.pair).length, 0, "the near van's driver is offered on the van's row, not again on its own");
    const busy = rows.find((r) => r.id === other.resource.id);
    assert.ok(busy.grey, 'the busy van is greyed');
    assert.match(busy.text, /ocupat pe altă lucrare/);
    assert.doesNotMatch(await panel.innerText(), /(?<![\p{L}_])(busy_assigned|busy_transport|off_duty|no_position|vehicle|driver|emiu_team|min\b.*eta)(?![\p{L}_])/u);
    if (screenshots) {
      for (const [w, hgt] of [[1366, 768], [1920, 1080]]) {
        await page.setViewportSize({ width: w, height: hgt });
        await panel.scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${screenshots}/assign-${w}.png` });
      }
      await page.setViewportSize({ width: 1440, height: 900 });
    }

    // Act: the keyboard — to the near van's row, Enter assigns the pair.
    await panel.locator(`tr.cand[data-resource-id="${near.resource.id}"] td.cand-name`).click();
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.resourceId), near.resource.id);
    await page.keyboard.press('Enter');

    // Assert: both are on the item, and listed as assigned with a withdraw button.
    await panel.locator('[data-assigned]').nth(1).waitFor();
    const assigned = await panel.locator('[data-assigned]').evaluateAll((els) => els.map((e) => e.dataset.assigned).sort());
    assert.deepEqual(assigned, [near.resource.id, near.pair].sort());
    const after = await inPage(page, 'GET', `/api/v1/items/${item.id}`);
    assert.deepEqual([...after.item.assigned_to].sort(), [near.resource.id, near.pair].sort());

    // Withdraw the driver: the van stays.
    await panel.locator(`[data-action=unassign][data-resource="${near.pair}"]`).click();
    await panel.locator(`[data-assigned="${near.pair}"]`).waitFor({ state: 'detached' });
    const left = await inPage(page, 'GET', `/api/v1/items/${item.id}`);
    assert.deepEqual(left.item.assigned_to, [near.resource.id]);
  });

  test("the console's s key brings the keyboard to the first row of the panel", async () => {
    const { page } = a;
    const item = await acknowledgedCall(page, 'tastatura');
    await page.goto(`${base}/items/${item.id}`);
    await consoleReady(page);
    const panel = page.locator('[data-field=assign-panel]');
    await panel.locator('tr.cand').first().waitFor();
    await page.locator('section.queue h2').click();
    await page.keyboard.press('s');
    await page.waitForFunction(() => document.activeElement?.matches('[data-field=assign-panel] tr.cand'));
    const first = await panel.locator('tr.cand').first().getAttribute('data-resource-id');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.resourceId), first);
    await page.keyboard.press('ArrowDown');
    const second = await panel.locator('tr.cand').nth(1).getAttribute('data-resource-id');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.resourceId), second);
  });

  test('Shift+Enter assigns the van alone', async () => {
    const { page } = a;
    const item = await acknowledgedCall(page, 'doar vehiculul');
    await page.goto(`${base}/items/${item.id}`);
    await consoleReady(page);
    const panel = page.locator('[data-field=assign-panel]');
    const van = panel.locator('tr.cand[data-busy=false]:has(.cand-pair)').first();
    await van.waitFor();
    const id = await van.getAttribute('data-resource-id');
    await van.locator('td.cand-name').click();
    await page.keyboard.press('Shift+Enter');
    await panel.locator(`[data-assigned="${id}"]`).waitFor();
    const after = await inPage(page, 'GET', `/api/v1/items/${item.id}`);
    assert.deepEqual(after.item.assigned_to, [id]);
  });
});
