// Browser end-to-end test of the sender's confirmation of held mail, run by
// crates/zegel/tests/browser.rs against a real `zegel serve`: a mail to a
// look-alike domain was held; the sender opens the link from the notice,
// reads why, and sends it anyway; a second such mail is cancelled; a third,
// held for visible external recipients, goes as a copy each. axe-core scans
// every state of the page (Dutch and English); a serious or critical
// violation fails the run.
//
// Input: the JSON in ZEGEL_BROWSER_INPUT (see browser.rs). Output: one line
// per step, the axe table, then "RESULT: PASS" (exit 0) or the failures
// (exit 1).

import {
  check, checkCsp, expectHeading, finish, launch, scan, steps, submit,
} from './lib.mjs';

const input = JSON.parse(process.env.ZEGEL_BROWSER_INPUT || '{}');
const url = (path) => `${input.base}${path}`;

/** Opens a held message's page; checks what it shows before the choice. */
async function open(browser, held, what) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const response = await page.goto(url(held.link));
  check(response.status() === 200, `${what}: the page answers 200`);
  checkCsp(response, what);
  await expectHeading(page, 'Uw bericht is tegengehouden', what);
  const main = (await page.locator('main').textContent()) || '';
  check(main.includes(held.recipient), `${what}: the held recipient is named`);
  check(main.includes(held.reason), `${what}: the reason is given ("${held.reason}")`);
  await scan(page, `${what}, to choose`);
  return { ctx, page };
}

async function confirmFlow(browser) {
  const { ctx, page } = await open(browser, input.confirm, 'look-alike');
  check(await page.getByRole('button', { name: 'Iedere ontvanger een eigen kopie sturen' }).count() === 0,
    'look-alike: no separate copies offered');
  await submit(page, page.getByRole('button', { name: 'Toch versturen' }));
  const main = (await page.locator('main').textContent()) || '';
  check(main.includes('het bericht is verstuurd'), 'look-alike: the page says it was sent');
  check(await page.getByRole('button').count() === 0, 'look-alike: no choice left');
  await scan(page, 'look-alike, sent');
  await page.goto(url(`${input.confirm.link}?lang=en`));
  await expectHeading(page, 'Your message was held', 'look-alike (en)');
  await scan(page, 'look-alike, sent (en)');
  await ctx.close();
}

async function cancelFlow(browser) {
  const { ctx, page } = await open(browser, input.cancel, 'cancel');
  await submit(page, page.getByRole('button', { name: 'Niet versturen' }));
  const main = (await page.locator('main').textContent()) || '';
  check(main.includes('het is niet verstuurd'), 'cancel: the page says it was not sent');
  await scan(page, 'cancel, cancelled');
  await ctx.close();
}

async function separateFlow(browser) {
  const { ctx, page } = await open(browser, input.separate, 'visible recipients');
  await page.goto(url(`${input.separate.link}?lang=en`));
  await expectHeading(page, 'Your message was held', 'visible recipients (en)');
  await scan(page, 'visible recipients, to choose (en)');
  await page.goto(url(`${input.separate.link}?lang=nl`));
  await submit(page, page.getByRole('button', { name: 'Iedere ontvanger een eigen kopie sturen' }));
  const main = (await page.locator('main').textContent()) || '';
  check(main.includes('iedere ontvanger krijgt een eigen kopie'), 'visible recipients: a copy each');
  await scan(page, 'visible recipients, sent');
  await ctx.close();
}

const started = Date.now();
const browser = await launch(input.chromium);
try {
  await steps(browser, [
    ['confirm', confirmFlow],
    ['cancel', cancelFlow],
    ['separate copies', separateFlow],
  ]);
} finally {
  await browser.close();
}
finish(started);
