// The DC-09 receiver's accounts on the supervisor's screen: an account never heard from turns
// "în regulă" once a NULL (link supervision) frame reaches the receiver's port. The frame is built
// here from the standard (CRC-16/ARC, length, "NULL", sequence, receiver, line, account,
// timestamp). Run through scripts/console-test (CONSOLE_DC09_PORT, CONSOLE_USER_SUP).

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { base, launch, loggedIn, screenshots } from './helpers.mjs';

const sup = { username: process.env.CONSOLE_USER_SUP, password: process.env.CONSOLE_PASS_SUP };
const port = Number(process.env.CONSOLE_DC09_PORT);

function crc16(bytes) {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

const hex4 = (n) => n.toString(16).toUpperCase().padStart(4, '0');
const two = (n) => String(n).padStart(2, '0');

/** A plain NULL frame from `account`, stamped now (UTC). */
function nullFrame(account, seq) {
  const d = new Date();
  const stamp = `_${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())},${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}-${d.getUTCFullYear()}`;
  const content = `"NULL"${String(seq).padStart(4, '0')}R1L1#${account}[]${stamp}`;
  const bytes = Buffer.from(content, 'ascii');
  return Buffer.concat([Buffer.from(`\n${hex4(crc16(bytes))}${hex4(bytes.length)}`, 'ascii'), bytes, Buffer.from('\r', 'ascii')]);
}

/** Sends a frame over TCP and resolves with the answer up to its CR. */
function send(frame) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(frame));
    let got = '';
    sock.on('data', (d) => {
      got += d.toString('ascii');
      if (got.includes('\r')) {
        sock.end();
        resolve(got);
      }
    });
    sock.on('error', reject);
    sock.setTimeout(10_000, () => reject(new Error('no answer from the receiver')));
  });
}

let browser;

before(async () => {
  assert.ok(port > 0, 'CONSOLE_DC09_PORT is set by scripts/console-test');
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe('receiver accounts panel', () => {
  test('the supervisor sees an account go from never heard to ok after a NULL frame', async () => {
    // Arrange: the supervisor on the supervisor screen, with the i18n check on.
    const s = await loggedIn(browser, sup);
    await s.context.addInitScript(() => localStorage.setItem('dispecer.i18n-check', '1'));
    const page = s.page;
    await page.waitForSelector('[data-action=supervisor]');
    await page.goto(`${base}/supervizor`);
    const row = (acc) => page.locator(`section[data-panel=receiver] tr[data-account="${acc}"]`);
    await row('7A01').waitFor();
    assert.equal(await row('7A01').getAttribute('data-state'), 'never');
    assert.match(await row('7A01').textContent(), /niciodată/);
    assert.match(await row('7A01').textContent(), /la 1 zi/);
    assert.match(await row('7A02').textContent(), /TA-DEMO-001/);
    assert.match(await row('7A02').textContent(), /AES/);

    // Act: a NULL frame from the account reaches the receiver's TCP port.
    const answer = await send(nullFrame('7A01', 1));
    assert.match(answer, /"ACK"/);
    await page.click('[data-action=receiver-refresh]');

    // Assert: the row turns "în regulă", with when it was heard, in Romanian and 24 h.
    await page.waitForSelector('section[data-panel=receiver] tr[data-account="7A01"][data-state=ok]');
    const text = await row('7A01').textContent();
    assert.match(text, /în regulă/);
    assert.match(text, /acum \d+ s/);
    assert.doesNotMatch(text, /AM|PM/);
    const missing = await page.evaluate(() => window.__i18nMissing ?? []);
    assert.deepEqual(missing, []);
    assert.doesNotMatch(await page.locator('section[data-panel=receiver]').textContent(), /\b(never|silent|plain|Refresh|Account)\b/);

    if (screenshots) {
      for (const [w, hgt] of [[1366, 768], [1920, 1080]]) {
        await page.setViewportSize({ width: w, height: hgt });
        await page.locator('section[data-panel=receiver]').scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${screenshots}/receiver-accounts-${w}x${hgt}.png` });
      }
    }
    await s.context.close();
  });
});
