// Browser end-to-end test of the zegel portal, run by
// crates/zegel/tests/browser.rs against a real `zegel serve`.
//
// Playwright (playwright-core: no bundled browser) drives Debian's chromium,
// headless. The recipient opens the link, asks for a code, reads it from the
// real SMTP sink's folder, the SMS code from the outbox, reads, downloads,
// replies with a file; the sender revokes; the recipient sees it withdrawn.
// A message of hostile HTML is opened with the CSP in force and checked for
// anything that ran, restyled the page or left for another host. axe-core
// scans every portal page; a serious or critical violation fails the run.
//
// Input: the JSON in ZEGEL_BROWSER_INPUT (see browser.rs). Output: one line
// per step, the axe table, then "RESULT: PASS" (exit 0) or the failures
// (exit 1).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  check, checkCsp, expectHeading, finish, launch, log, scan, sleep, steps, submit,
} from './lib.mjs';

const input = JSON.parse(process.env.ZEGEL_BROWSER_INPUT || '{}');
const WAIT_MS = 60_000;

// ---- codes from the real sink and the SMS outbox -------------------------

/** The names of the messages the sink stored so far (NNNNNN.json). */
function sinkNames() {
  return new Set(readdirSync(input.sinkDir).filter((n) => n.endsWith('.json')));
}

/** Waits for a new code mail to `rcpt` (one not in `before`); its code. */
async function mailCode(rcpt, before) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    for (const name of [...sinkNames()].sort()) {
      if (before.has(name)) continue;
      const meta = JSON.parse(readFileSync(join(input.sinkDir, name), 'utf8'));
      if (!meta.rcpt_tos.some((r) => r.toLowerCase() === rcpt.toLowerCase())) continue;
      const raw = readFileSync(join(input.sinkDir, name.replace(/\.json$/, '.eml')), 'latin1');
      // The subject line says it in plain ASCII: "Uw code / Your code: 123456".
      const m = raw.match(/Your code: (\d{6})/);
      if (m) return m[1];
    }
    await sleep(100);
  }
  throw new Error(`no code mail to ${rcpt} within ${WAIT_MS} ms`);
}

function smsNames() {
  return existsSync(input.smsOutbox)
    ? new Set(readdirSync(input.smsOutbox).filter((n) => n.endsWith('.json')))
    : new Set();
}

/** Waits for a new SMS to `phone` (one not in `before`); its code. */
async function smsCode(phone, before) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const fresh = [...smsNames()]
      .filter((n) => !before.has(n))
      .map((n) => ({ n, at: statSync(join(input.smsOutbox, n)).mtimeMs }))
      .sort((a, b) => a.at - b.at);
    for (const { n } of fresh) {
      let sms;
      try {
        sms = JSON.parse(readFileSync(join(input.smsOutbox, n), 'utf8'));
      } catch {
        continue; // being written
      }
      const m = sms.to === phone && sms.text.match(/code is (\d{6})/);
      if (m) return m[1];
    }
    await sleep(100);
  }
  throw new Error(`no SMS to ${phone} within ${WAIT_MS} ms`);
}

// ---- the browser --------------------------------------------------------------

const requests = [];
const dialogs = [];
const cspReports = [];

/** A fresh browser context (one person), recording every request. */
async function person(browser, label) {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'nl-NL' });
  // Nothing may leave for another host: record everything, let only the
  // portal through.
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost') return route.continue();
    return route.abort();
  });
  context.on('request', (r) => requests.push({ who: label, url: r.url() }));
  context.on('page', (p) => watch(p, label));
  return context;
}

function watch(page, label) {
  page.on('dialog', (d) => {
    dialogs.push(`${label}: ${d.type()} ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspReports.push(`${label}: ${m.text()}`);
  });
}

function url(path) {
  return path.startsWith('http') ? path : `${input.base}${path}`;
}

/** The error text a field is marked invalid with ("" when it is not). */
async function describedError(page, selector) {
  return page.evaluate((sel) => {
    const field = document.querySelector(sel);
    const by = field && field.getAttribute('aria-describedby');
    const error = by && document.getElementById(by);
    return field && field.getAttribute('aria-invalid') === 'true' && error ? error.textContent : '';
  }, selector);
}

// ---- the recipient reads, downloads, replies; the sender revokes ----------

async function recipientFlow(browser) {
  const ctx = await person(browser, 'recipient');
  const page = await ctx.newPage();
  const start = await page.goto(url(input.main.link));
  check(start.status() === 200, `start page answers 200 (${start.status()})`);
  checkCsp(start, 'start page');
  await expectHeading(page, 'Beveiligd bericht', 'start page');
  check((await page.content()).includes(input.main.masked), 'start page shows the masked address');
  await scan(page, 'start');

  let before = sinkNames();
  await page.getByRole('button', { name: 'Stuur mij een code' }).click();
  await page.waitForURL(/\/verify$/);
  await expectHeading(page, 'Code uit uw e-mail', 'mail code page');
  await scan(page, 'mail code');
  const code = await mailCode(input.main.address, before);
  log(`ok - code mail at the sink (${code.replace(/\d/g, '*')})`);

  const cookies = await ctx.cookies();
  const session = cookies.find((c) => c.name === 'zegel_r');
  check(
    session && session.secure && session.httpOnly && session.sameSite === 'Strict',
    `the browser keeps the session cookie: Secure, HttpOnly, SameSite=Strict (${JSON.stringify(session && { secure: session.secure, httpOnly: session.httpOnly, sameSite: session.sameSite })})`,
  );

  const wrong = code === '000000' ? '111111' : '000000';
  await page.getByLabel('Code', { exact: true }).fill(wrong);
  await submit(page, page.getByRole('button', { name: 'Bevestigen' }));
  const alert = (await page.getByRole('alert').textContent()) || '';
  check(alert.includes('Pogingen over: 4'), `a wrong code is named as such, with tries left ("${alert.trim()}")`);
  check(
    (await describedError(page, '#code')).includes('Pogingen over: 4'),
    'the code field is marked invalid and described by the error',
  );
  await scan(page, 'mail code, wrong code');

  const smsBefore = smsNames();
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Bevestigen' }).click();
  await page.waitForURL(/\/second$/);
  await expectHeading(page, 'Code per sms', 'SMS page');
  check((await page.content()).includes('**78'), 'SMS page names the phone tail');
  await scan(page, 'SMS code');
  const sms = await smsCode(input.main.phone, smsBefore);
  log('ok - SMS code in the outbox');
  await page.getByLabel('Code', { exact: true }).fill(sms);
  await page.getByRole('button', { name: 'Bevestigen' }).click();
  await page.waitForURL(/\/read$/);

  await expectHeading(page, input.main.subject, 'read page');
  const body = (await page.locator('article').textContent()) || '';
  check(body.includes('Fatima el Amrani') && body.includes('111222333'), 'the message text is shown');
  await scan(page, 'read');

  // Download the attachment: the name and the bytes as sent.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: input.main.attachment }).click(),
  ]);
  const saved = await download.path();
  const bytes = readFileSync(saved);
  check(download.suggestedFilename() === input.main.attachment, `download named ${download.suggestedFilename()}`);
  check(bytes.equals(Buffer.from(input.main.attachmentBase64, 'base64')), `download has the bytes sent (${bytes.length})`);

  // Reply with a file.
  await page.getByLabel('Uw antwoord').fill(input.main.replyText);
  await page.getByLabel('Bestanden toevoegen').setInputFiles({
    name: input.main.replyFile,
    mimeType: 'application/pdf',
    buffer: Buffer.from(input.main.attachmentBase64, 'base64'),
  });
  await submit(page, page.getByRole('button', { name: 'Antwoord versturen' }));
  await expectHeading(page, 'Antwoord verstuurd', 'reply page');
  await scan(page, 'reply sent');

  // The sender withdraws it for this recipient.
  const sender = await person(browser, 'sender');
  const status = await sender.newPage();
  const statusResponse = await status.goto(url(input.main.status));
  check(statusResponse.status() === 200, 'status page answers 200');
  await expectHeading(status, 'Status van uw beveiligde bericht', 'status page');
  const table = (await status.locator('table').first().textContent()) || '';
  check(table.includes(input.main.address) && table.includes('Beschikbaar'), 'status page lists the recipient as available');
  await scan(status, 'status');
  const controls = status.locator('section.controls', {
    has: status.getByRole('heading', { name: input.main.address }),
  });
  await submit(status, controls.getByRole('button', { name: 'Intrekken', exact: true }));
  const rowAfter = (await status.locator('tr', { hasText: input.main.address }).first().textContent()) || '';
  check(rowAfter.includes('Ingetrokken'), `status page: withdrawn ("${rowAfter.trim().replace(/\s+/g, ' ')}")`);
  await scan(status, 'status, after revoke');

  // The recipient opens it again: withdrawn.
  const again = await page.goto(url(`${input.main.link}/read`));
  check(again.status() === 410, `read after revoke answers 410 (${again.status()})`);
  check(((await page.locator('main').textContent()) || '').includes('ingetrokken'), 'the recipient sees "ingetrokken"');
  await scan(page, 'withdrawn');
  const restart = await page.goto(url(input.main.link));
  check(restart.status() === 410, 'the link itself is withdrawn too');
  await sender.close();
  await ctx.close();
}

// ---- hostile HTML ---------------------------------------------------------------

/**
 * What a read page shows of its message, measured in the browser: computed
 * styles of the page, anything positioned or hidden in the message, whether
 * something covers the heading, active elements, handlers and sources.
 */
function pageFacts() {
  window.scrollTo(0, 0);
  const a = document.querySelector('article.body');
  const all = [...a.querySelectorAll('*')];
  const css = (el) => getComputedStyle(el);
  const h1 = document.querySelector('h1').getBoundingClientRect();
  const hit = document.elementFromPoint(h1.left + 5, h1.top + h1.height / 2);
  const overlay = all.find((el) => el.textContent.trim().startsWith('Sessie verlopen'));
  const active =
    'script, style, iframe, object, embed, frame, meta[http-equiv], base, ' +
    'link:not([rel=stylesheet][href="/static/portal.css"]), svg, form[action^="http"], input[type=password]';
  const risky = (name) => /^on/i.test(name) || ['style', 'srcset', 'background'].includes(name);
  return {
    bodyDisplay: css(document.body).display,
    mainVisibility: css(document.querySelector('main')).visibility,
    topDisplay: css(document.querySelector('header.top')).display,
    textColor: css(a.querySelector('p') || a).color,
    positioned: all.filter((el) => css(el).position !== 'static').map((el) => el.tagName),
    hidden: all.filter((el) => css(el).display === 'none' && el.textContent.trim()).map((el) => el.tagName),
    h1Covered: !(hit && document.querySelector('h1').contains(hit)),
    overlay: overlay ? css(overlay).position : 'gone',
    active: [...document.querySelectorAll(active)].map((el) => el.outerHTML.slice(0, 80)),
    handlers: all.flatMap((el) =>
      [...el.attributes].filter((x) => risky(x.name)).map((x) => `${el.tagName}[${x.name}]`),
    ),
    hrefs: [...a.querySelectorAll('[href], [src]')]
      .map((el) => el.getAttribute('href') || el.getAttribute('src'))
      .filter((h) => !/^(\/m\/|mailto:)/.test(h)),
    stylesheets: [...document.styleSheets].map((s) => s.href),
  };
}

/** The verdicts on a page's facts: [ok, what] each. */
function judge(facts) {
  return [
    [
      facts.bodyDisplay === 'block' && facts.mainVisibility === 'visible' && facts.topDisplay === 'flex',
      'the message CSS did not hide the page',
    ],
    [facts.textColor !== 'rgb(255, 255, 255)', `the message CSS did not recolour the text (${facts.textColor})`],
    [facts.positioned.length === 0, `nothing in the message is positioned (${facts.positioned})`],
    [facts.hidden.length === 0, `nothing in the message is hidden by its styles (${facts.hidden})`],
    [!facts.h1Covered && facts.overlay === 'static', `no overlay covers the page (overlay: ${facts.overlay})`],
    [
      facts.active.length === 0,
      `no script, style, frame, object, meta, base, SVG or password form in the page (${facts.active})`,
    ],
    [facts.handlers.length === 0, `no event handler or style attribute survived (${facts.handlers})`],
    [facts.hrefs.length === 0, `no javascript:, data: or outside source left in the message (${facts.hrefs})`],
    [facts.stylesheets.length === 1, `only the portal's stylesheet (${facts.stylesheets})`],
  ];
}

/**
 * The control: the same hostile HTML put into a page like the portal's
 * without the sanitiser and without a CSP (outside requests aborted) must
 * run and fail every check, or the checks prove nothing.
 */
async function hostileControl(browser) {
  const ctx = await browser.newContext();
  await ctx.route('**/*', (route) => route.abort());
  const page = await ctx.newPage();
  const fired = [];
  page.on('dialog', (d) => {
    fired.push(d.message());
    d.dismiss().catch(() => {});
  });
  await page.setContent(
    '<!doctype html><html><head><title>T</title></head><body><header class="top">x</header>' +
      `<main><h1>Kop</h1><article class="body">${input.hostile.html}</article></main></body></html>`,
    { waitUntil: 'domcontentloaded' },
  );
  await sleep(300);
  const facts = await page.evaluate(pageFacts);
  const caught = judge(facts).filter(([ok]) => !ok).length;
  const pwned = await page.evaluate(() => window.__zegelPwned);
  check(
    caught === judge(facts).length && pwned !== undefined && fired.length > 0,
    `control: unsanitised, the hostile HTML runs (${pwned}, dialogs: ${fired.length}) and fails all ${caught} checks`,
  );
  await ctx.close();
}

async function hostileFlow(browser) {
  const ctx = await person(browser, 'hostile');
  const page = await ctx.newPage();
  await page.goto(url(input.hostile.link));
  const before = sinkNames();
  await page.getByRole('button', { name: 'Stuur mij een code' }).click();
  await page.waitForURL(/\/verify$/);
  const code = await mailCode(input.hostile.address, before);
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Bevestigen' }).click();
  await page.waitForURL(/\/second$/);
  await expectHeading(page, 'Toegangscode', 'access code page');
  await scan(page, 'access code');
  await page.getByLabel('Toegangscode', { exact: true }).fill(input.hostile.accessCode);
  const [read] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/read') && r.request().method() === 'GET'),
    page.getByRole('button', { name: 'Bevestigen' }).click(),
  ]);
  await page.waitForLoadState('load');
  checkCsp(read, 'hostile read page');
  const readUrl = page.url();
  const title = await page.title();
  const subject = (await page.locator('h1').textContent()) || '';
  check(subject.includes('<img src=x onerror=alert(9)>'), `markup in the subject is shown as text ("${subject}")`);

  // Poke at what is left: click the former javascript: links and the
  // element that had onclick, hover, focus, and give a refresh time to fire.
  const article = page.locator('article.body');
  for (const text of ['Klik hier', 'Klik ook hier', 'Klik op deze tekst', 'svg link']) {
    const target = article.getByText(text, { exact: true });
    if (await target.count()) await target.first().click({ timeout: 2000 }).catch(() => {});
  }
  await article.hover();
  await page.keyboard.press('Tab');
  await sleep(2000);

  check(page.url() === readUrl, `no refresh or link took the page elsewhere (${page.url()})`);
  check((await page.title()) === title && !title.includes('pwned'), `document.title unchanged ("${await page.title()}")`);
  const pwned = await page.evaluate(() => window.__zegelPwned);
  check(pwned === undefined, `no script of the message ran (window.__zegelPwned = ${pwned})`);
  check(dialogs.length === 0, `no dialog fired (${dialogs.join('; ')})`);
  const facts = await page.evaluate(pageFacts);
  log(`   page facts: ${JSON.stringify(facts)}`);
  for (const [ok, what] of judge(facts)) check(ok, what);
  check(cspReports.length === 0, `nothing was left for the CSP to block: the sanitiser took it all (${cspReports.join('; ')})`);
  const blocked = await page.locator('p.info').textContent().catch(() => '');
  check((blocked || '').includes('geblokkeerd'), 'the reader is told outside images were blocked');

  // Asking for the images loads the https image and nothing else (not the
  // srcset, the table background, the style's URL, the relative "x").
  const from = requests.length;
  await page.getByRole('link', { name: 'Toon afbeeldingen' }).click();
  await page.waitForLoadState('load');
  await sleep(500);
  const outside = requests
    .slice(from)
    .map((r) => r.url)
    .filter((u) => !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(u));
  check(
    outside.length === 1 && outside[0] === 'https://tracker.example/pixel.gif',
    `with images shown, only the message's https image is asked for (${outside})`,
  );
  // Asked for by the reader: not counted against the run's outside requests.
  requests.splice(from);
  check((await page.evaluate(() => window.__zegelPwned)) === undefined, 'still no script ran with images shown');

  await submit(page, page.getByRole('button', { name: 'Afmelden' }));
  await expectHeading(page, 'Afmelden', 'logged-out page');
  await scan(page, 'logged out');
  await ctx.close();
}

// ---- the other pages --------------------------------------------------------------

async function noticePages(browser) {
  const ctx = await person(browser, 'visitor');
  const page = await ctx.newPage();
  const expired = await page.goto(url(input.expiredLink));
  check(expired.status() === 410, `an expired link answers 410 (${expired.status()})`);
  check(((await page.locator('main').textContent()) || '').includes('verlopen'), 'the expired page says "verlopen"');
  await scan(page, 'expired');
  const missing = await page.goto(url(`/m/${'x'.repeat(43)}`));
  check(missing.status() === 404, `an unknown link answers 404 (${missing.status()})`);
  await scan(page, 'not found');
  await ctx.close();
}

async function contactFlow(browser) {
  const ctx = await person(browser, 'citizen');
  const page = await ctx.newPage();
  await page.goto(url('/contact'));
  await expectHeading(page, 'Stuur ons een beveiligd bericht', 'contact page');
  await scan(page, 'contact start');
  // An address the browser lets through but the portal refuses.
  await page.getByLabel('Uw e-mailadres').fill('burger@localhost');
  await submit(page, page.getByRole('button', { name: 'Stuur mij een code' }));
  check(
    (await describedError(page, '#email')).includes('geen geldig e-mailadres'),
    'a refused address is marked invalid and described by the error',
  );
  await scan(page, 'contact start, bad address');
  const before = sinkNames();
  await page.getByLabel('Uw e-mailadres').fill(input.contact.address);
  await page.getByRole('button', { name: 'Stuur mij een code' }).click();
  await page.waitForURL(/\/contact\/verify$/);
  await scan(page, 'contact code');
  const code = await mailCode(input.contact.address, before);
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Bevestigen' }).click();
  await page.waitForURL(/\/contact\/write$/);
  await scan(page, 'contact write');
  await page.getByLabel('Onderwerp').fill(input.contact.subject);
  await page.getByLabel('Bericht', { exact: true }).fill(input.contact.text);
  await page.getByLabel('Bestanden toevoegen').setInputFiles({
    name: input.contact.file,
    mimeType: 'application/pdf',
    buffer: Buffer.from(input.main.attachmentBase64, 'base64'),
  });
  await submit(page, page.getByRole('button', { name: 'Versturen' }));
  await expectHeading(page, 'Verstuurd', 'contact sent page');
  await scan(page, 'contact sent');
  await ctx.close();
}

async function englishPages(browser) {
  const ctx = await person(browser, 'english');
  const page = await ctx.newPage();
  await page.goto(url(`${input.english.link}?lang=en`));
  await expectHeading(page, 'Secure message', 'English start page');
  await scan(page, 'start (en)');
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.waitForURL(/\/verify$/);
  await expectHeading(page, 'Code from your e-mail', 'English code page (language kept)');
  await scan(page, 'mail code (en)');
  await page.goto(url(`${input.main.status}?lang=en`));
  await expectHeading(page, 'Status of your secure message', 'English status page');
  await scan(page, 'status (en)');
  await page.goto(url('/contact?lang=en'));
  await scan(page, 'contact start (en)');
  await page.goto(url(`/m/${'y'.repeat(43)}?lang=en`));
  await scan(page, 'not found (en)');
  await ctx.close();
}

// ---- run ----------------------------------------------------------------------------

const started = Date.now();
const browser = await launch(input.chromium);
try {
  await steps(browser, [
    ['recipient', recipientFlow],
    ['hostile HTML', hostileFlow],
    ['hostile HTML, control', hostileControl],
    ['notices', noticePages],
    ['contact', contactFlow],
    ['english', englishPages],
  ]);
  const outside = requests.filter((r) => !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(r.url));
  check(outside.length === 0, `no request left for another host (${outside.map((r) => `${r.who} ${r.url}`).join(', ')})`);
  log(`   ${requests.length} requests, all to the portal`);
} finally {
  await browser.close();
}
finish(started);
