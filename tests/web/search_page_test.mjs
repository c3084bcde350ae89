// The search page in a real browser: Debian's headless Chromium driven by
// puppeteer-core, against the real ingest-service and query-service that
// search_page_browser_test.cc started. An editor searches, sees the matched
// spans highlighted, pages, filters by a facet, opens a bulletin and its
// source text, watches new matches arrive live, and meets the empty and
// error states. Screenshots go to --screenshots.
//
//   node search_page_test.mjs --ingest=http://127.0.0.1:P \
//       --query=http://127.0.0.1:Q --examples=DIR --screenshots=DIR \
//       --profile=DIR --chromium=tests/web/chromium.sh
//
// Exits 0 when every check passed; otherwise prints the failed check and
// exits 1. The browser is closed on every path, and dies with this process
// if it is killed (chromium.sh).

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import puppeteer from 'puppeteer-core';

const args = Object.fromEntries(process.argv.slice(2).map((arg) => {
  const [key, ...rest] = arg.replace(/^--/, '').split('=');
  return [key, rest.join('=')];
}));
for (const key of ['ingest', 'query', 'examples', 'screenshots', 'profile', 'chromium']) {
  if (!args[key]) {
    console.error(`missing --${key}`);
    process.exit(2);
  }
}

const WAIT = {timeout: 20000};
const ROUNDUP = readFileSync(join(args.examples, 'chongqing-cppcc-roundup.txt'));

async function post(base, path, body) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(body),
  });
  const json = await response.json();
  assert.equal(response.status, 200, `${path}: ${JSON.stringify(json)}`);
  return json;
}

// Submits text (a Buffer or string) to ingest over its HTTP API.
async function submit(text, externalId) {
  return post(args.ingest, '/v1/bulletins', {
    content: Buffer.from(text).toString('base64'),
    external_id: externalId,
  });
}

// The seed round-up with its series part changed: a distinct bulletin with
// the same structure.
function roundupPart(part) {
  return ROUNDUP.toString('utf8').replace('精神(三)', `精神(${part})`);
}

async function loadCorpus() {
  let last = null;
  for (const name of ['chongqing-cppcc-roundup.txt', 'sichuan-roundup.txt',
                      'single-article-report.txt', 'traditional-characters.txt',
                      'guangdong-roundup.gb18030.txt']) {
    last = await submit(readFileSync(join(args.examples, name)), name);
  }
  for (let part = 4; part <= 15; ++part) {
    last = await submit(roundupPart(part), `roundup-${part}`);
  }
  // Read-your-writes: the replica answers once it has applied the last one.
  await post(args.query, '/v1/bulletins:search', {query: '政协', min_seq: last.seq});
}

async function text(page, selector) {
  return page.$eval(selector, (node) => node.textContent);
}

async function main() {
  await loadCorpus();
  const browser = await puppeteer.launch({
    executablePath: args.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--lang=zh-CN',
           `--user-data-dir=${args.profile}`],
  });
  const problems = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({width: 1280, height: 900});
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    // Nothing but the replica's own origin is ever requested.
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(args.query) && !url.startsWith('data:')) {
        problems.push(`request off the origin: ${url}`);
      }
    });
    const search = async (query) => {
      await page.$eval('#query', (input) => { input.value = ''; });
      await page.type('#query', query);
      await page.keyboard.press('Enter');
    };
    const statusIs = (pattern) => page.waitForFunction(
        (source) => new RegExp(source).test(document.getElementById('search-status').textContent),
        WAIT, pattern);

    await page.goto(args.query + '/', {waitUntil: 'domcontentloaded'});
    assert.equal(await page.title(), '公报检索');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'query',
                 'the query box has the focus on arrival');
    // Every form control has a label a screen reader can read.
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select')]
        .filter((node) => node.labels.length === 0).map((node) => node.id));
    assert.deepEqual(unlabelled, [], 'inputs without a label');

    // The empty state.
    await search('没有这个词语');
    await statusIs('没有找到与“没有这个词语”相符的公报');
    assert.equal(await page.$$eval('#hits li', (items) => items.length), 0);
    await page.screenshot({path: join(args.screenshots, 'empty.png')});

    // The error state: the service's message, in a place screen readers
    // announce.
    await search('"政协');
    await page.waitForSelector('#search-error:not([hidden])', WAIT);
    const error = await text(page, '#search-error');
    assert.match(error, /检索条件有误/);
    assert.match(error, /unbalanced quote/);
    assert.equal(await page.$eval('#search-error', (node) => node.getAttribute('role')), 'alert');
    await page.screenshot({path: join(args.screenshots, 'error.png')});

    // A search: ten hits a page, each with the matched spans highlighted.
    await search('政协');
    await statusIs('共找到 \\d+ 篇公报,第 1 / 2 页');
    assert.equal(await page.$eval('#search-error', (node) => node.hidden), true);
    const total = Number((await text(page, '#search-status')).match(/共找到 (\d+) 篇/)[1]);
    assert.ok(total >= 13 && total <= 20, `total ${total}`);
    assert.equal(await page.$$eval('#hits > li', (items) => items.length), 10);
    const marks = await page.$$eval('#hits .snippet mark', (nodes) => nodes.map((n) => n.textContent));
    assert.ok(marks.length >= 10, `marks: ${marks}`);
    for (const mark of marks) assert.equal(mark, '政协');
    const firstPage = await page.$$eval('#hits h3 a', (links) => links.map((a) => a.getAttribute('href')));
    await page.screenshot({path: join(args.screenshots, 'search.png')});

    // Paging, by keyboard: the next page holds the rest, none seen before.
    await page.focus('#next-page');
    await page.keyboard.press('Enter');
    await statusIs('第 2 / 2 页');
    const secondPage = await page.$$eval('#hits h3 a', (links) => links.map((a) => a.getAttribute('href')));
    assert.equal(secondPage.length, total - 10);
    for (const href of secondPage) assert.ok(!firstPage.includes(href), `${href} on both pages`);
    assert.equal(await page.$eval('#next-page', (b) => b.disabled), true);
    await page.click('#prev-page');
    await statusIs('第 1 / 2 页');

    // A facet is a filter: clicking 忠县 leaves exactly as many bulletins as
    // it counted, and shows the filter as active.
    const facet = '#facets button[data-field="region"][data-value="忠县"]';
    await page.waitForSelector(facet, WAIT);
    const counted = Number(await page.$eval(`${facet} .count`, (node) => node.textContent));
    assert.ok(counted > 0);
    await page.click(facet);
    await statusIs(`共找到 ${counted} 篇公报`);
    assert.equal(await page.$eval(facet, (b) => b.getAttribute('aria-pressed')), 'true');
    assert.match(await text(page, '#active-filters'), /地区:忠县/);
    await page.screenshot({path: join(args.screenshots, 'facet.png')});
    // Clicking it again removes the filter.
    await page.click(facet);
    await statusIs(`共找到 ${total} 篇公报`);

    // A bulletin: its structure, and its source text on request.
    await search('大渡口区政协党组');
    await statusIs('共找到');
    await page.click('#hits h3 a');
    await page.waitForSelector('#bulletin-headline', WAIT);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'bulletin-headline');
    assert.match(await text(page, '#bulletin-headline'), /^区县政协组织学习贯彻党的十九届六中全会精神/);
    assert.equal(await text(page, '#bulletin .kicker'), '为新时代新征程汇聚力量');
    const bulletin = await text(page, '#bulletin');
    for (const expected of ['导语', '连日来', '大渡口区政协党组', '地区:大渡口区', '王君成',
                            '区政协党组书记', '记者', '系列']) {
      assert.ok(bulletin.includes(expected), `bulletin view lacks ${expected}`);
    }
    assert.equal(await page.$eval('#source-text', (node) => node.hidden), true);
    await page.click('#toggle-source');
    assert.equal(await page.$eval('#source-text', (node) => node.hidden), false);
    assert.equal(await page.$eval('#toggle-source', (b) => b.getAttribute('aria-expanded')), 'true');
    // Read from the log when opened.
    await page.waitForFunction(
        () => /^为新时代新征程汇聚力量/.test(document.getElementById('source-text').textContent),
        WAIT);
    await page.screenshot({path: join(args.screenshots, 'bulletin.png'), fullPage: false});
    // Escape goes back to the results, as they were.
    await page.keyboard.press('Escape');
    await page.waitForSelector('#search-view:not([hidden])', WAIT);
    assert.match(await text(page, '#search-status'), /共找到/);
    // "/" brings the focus back to the query box.
    await page.focus('#hits h3 a');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'query');

    // Watch: a bulletin submitted now arrives without a reload.
    await page.goto(args.query + '/#/watch', {waitUntil: 'domcontentloaded'});
    await page.waitForSelector('#watch-view:not([hidden])', WAIT);
    await page.type('#watch-query', '政协');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
        () => document.getElementById('watch-status').textContent.startsWith('正在关注'), WAIT);
    const arriving = roundupPart('九十九');
    const submitted = await submit(arriving, 'roundup-live');
    await page.waitForSelector(`#watch-hits a[href="#/bulletin/${submitted.id}"]`, WAIT);
    assert.match(await text(page, '#watch-hits li'), /区县政协组织学习贯彻党的十九届六中全会精神/);
    assert.equal(await page.$$eval('#watch-hits .snippet mark', (n) => n.length) > 0, true);
    assert.match(await text(page, '#watch-status'), /已收到 1 篇/);
    await page.screenshot({path: join(args.screenshots, 'watch.png')});
    // Retracted, it leaves the list: the stream says so (a RETRACT event).
    await post(args.ingest, `/v1/bulletins/${submitted.id}:retract`, {});
    await page.waitForFunction(
        (id) => !document.querySelector(`#watch-hits a[href="#/bulletin/${id}"]`),
        WAIT, submitted.id);
    await page.click('#watch-stop');
    assert.match(await text(page, '#watch-status'), /已停止关注/);

    // A malformed standing query is reported, not retried forever.
    await page.$eval('#watch-query', (input) => { input.value = ''; });
    await page.type('#watch-query', '"政协');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#watch-error:not([hidden])', WAIT);
    assert.match(await text(page, '#watch-error'), /关注条件有误.*unbalanced quote/);

    // A bulletin that is not there (a well-formed id never submitted).
    await page.goto(args.query + '/#/bulletin/00000000000000ee', {waitUntil: 'domcontentloaded'});
    await page.waitForSelector('#bulletin-error:not([hidden])', WAIT);
    assert.match(await text(page, '#bulletin-error'), /未找到/);

    // The only console errors allowed are the 404 and 400 the checks above
    // asked for.
    const unexpected = problems.filter((p) => !/status of (400|404)/.test(p));
    assert.deepEqual(unexpected, [], 'browser problems');
  } finally {
    await browser.close();
  }
}

main().then(() => {
  console.log('search page: all checks passed');
}, (error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
