// The search page: a client of query-service's HTTP/JSON API on the same
// origin (docs/api.md). Three views, chosen by the URL's hash:
//   #/              search: query, facets as filters, hits, pages
//   #/bulletin/ID   one bulletin's structure, its source text on request
//                   (read then: the replica reads it from ingest's log)
//   #/watch         new matches of a standing query, live (server-sent events)
// Text from the server is only ever put in the page as text (textContent),
// never as HTML; matched spans come marked 【…】 and become <mark>.
'use strict';

// Every Bulletin field the record view shows, but the source text, which it
// asks for when the reader opens it: the replica reads that from ingest's
// log, and the record shows whether or not ingest is reachable.
const RECORD_FIELDS = [
  'kicker', 'headline', 'subtitle', 'series', 'dateline', 'date', 'lead',
  'items', 'people', 'reporters', 'warnings', 'external_id', 'source',
  'source_encoding', 'ingested_at_micros',
].join(',');

const PAGE_SIZE = 10;

// Facet fields the page asks for, the Filters field each one sets, and its
// label. The date facet sets the date range instead.
const FACETS = [
  {field: 'region', filter: 'regions', label: '地区'},
  {field: 'organization', filter: 'organizations', label: '机构'},
  {field: 'person', filter: 'people', label: '人物'},
  {field: 'title', filter: 'titles', label: '职务'},
  {field: 'reporter', filter: 'reporters', label: '记者'},
  {field: 'date', filter: null, label: '日期'},
];

const KIND_NAMES = {
  CPPCC: '政协',
  PARTY_COMMITTEE: '党委',
  PEOPLES_CONGRESS: '人大',
  GOVERNMENT: '政府',
  DEMOCRATIC_PARTY: '民主党派',
  FEDERATION: '群团组织',
  OTHER: '其他',
};

const state = {
  query: '',
  filters: {regions: [], organizations: [], people: [], titles: [], reporters: []},
  dateFrom: '',
  dateTo: '',
  order: 'RELEVANCE',
  // pageTokens[i] is the token of page i (page 0's is empty).
  pageTokens: [''],
  page: 0,
  searched: false,
  watch: null,
  watchCount: 0,
};

const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// A snippet's text with each 【span】 as a <mark>.
function marked(snippet) {
  const fragment = document.createDocumentFragment();
  const pattern = /【([^【】]*)】/g;
  let last = 0;
  for (const match of (snippet || '').matchAll(pattern)) {
    fragment.append(snippet.slice(last, match.index));
    fragment.append(el('mark', {textContent: match[1]}));
    last = match.index + match[0].length;
  }
  fragment.append((snippet || '').slice(last));
  return fragment;
}

// An API error as the sentence the page shows.
function describeError(status, body) {
  if (status === 0) return '无法连接检索服务,请检查网络或稍后再试。';
  const message = body && body.message ? body.message : `HTTP ${status}`;
  switch (status) {
    case 400: return `检索条件有误:${message}`;
    case 404: return `未找到:${message}`;
    case 429: return `服务繁忙,请稍后再试:${message}`;
    case 503: return `服务暂不可用,请稍后再试:${message}`;
    case 504: return `等待超时:${message}`;
    default: return `出错了(${status}):${message}`;
  }
}

async function callApi(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : {'Content-Type': 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw {status: 0, text: describeError(0)};
  }
  let json = null;
  try {
    json = await response.json();
  } catch (error) {
    json = null;
  }
  if (!response.ok) throw {status: response.status, text: describeError(response.status, json)};
  return json;
}

function showError(node, text) {
  node.textContent = text || '';
  node.hidden = !text;
}

// ---- Search view -------------------------------------------------------

function searchRequest() {
  const filters = {};
  for (const [name, values] of Object.entries(state.filters)) {
    if (values.length) filters[name] = values;
  }
  if (state.dateFrom) filters.date_from = state.dateFrom;
  if (state.dateTo) filters.date_to = state.dateTo;
  return {
    query: state.query,
    filters,
    limit: PAGE_SIZE,
    page_token: state.pageTokens[state.page],
    order: state.order,
    facets: FACETS.map((facet) => facet.field),
  };
}

function hasCriteria() {
  return state.query.trim() !== '' || state.dateFrom || state.dateTo ||
      Object.values(state.filters).some((values) => values.length);
}

async function runSearch() {
  const status = $('search-status');
  const error = $('search-error');
  if (!hasCriteria()) {
    status.textContent = '请输入检索词,或选择筛选条件。';
    showError(error, '');
    $('hits').replaceChildren();
    $('facets').replaceChildren();
    $('pager').hidden = true;
    renderActiveFilters();
    return;
  }
  state.searched = true;
  status.textContent = '正在检索…';
  $('results').setAttribute('aria-busy', 'true');
  renderActiveFilters();
  try {
    const response = await callApi('POST', '/v1/bulletins:search', searchRequest());
    showError(error, '');
    renderResults(response);
  } catch (failure) {
    status.textContent = '';
    showError(error, failure.text);
    $('hits').replaceChildren();
    $('pager').hidden = true;
  } finally {
    $('results').removeAttribute('aria-busy');
  }
}

function renderResults(response) {
  const total = Number(response.total_hits || 0);
  const hits = response.hits || [];
  const status = $('search-status');
  if (total === 0) {
    status.textContent = state.query.trim()
        ? `没有找到与“${state.query.trim()}”相符的公报。可以减少检索词或筛选条件再试。`
        : '没有相符的公报。可以减少筛选条件再试。';
  } else if (response.total_hits_is_lower_bound === true) {
    // The replica stopped counting (docs/query-language.md): no page count.
    status.textContent = `至少找到 ${total} 篇公报,第 ${state.page + 1} 页。`;
  } else {
    const pages = Math.ceil(total / PAGE_SIZE);
    status.textContent = `共找到 ${total} 篇公报,第 ${state.page + 1} / ${pages} 页。`;
  }
  $('hits').replaceChildren(...hits.map(renderHit));
  renderFacets(response.facets || []);

  const nextToken = response.next_page_token || '';
  state.pageTokens.length = state.page + 1;
  if (nextToken) state.pageTokens.push(nextToken);
  $('pager').hidden = total <= PAGE_SIZE;
  $('prev-page').disabled = state.page === 0;
  $('next-page').disabled = !nextToken;
  $('page-label').textContent = `第 ${state.page + 1} 页`;
}

function renderHit(hit) {
  const link = el('a', {href: `#/bulletin/${encodeURIComponent(hit.bulletin_id)}`,
                        textContent: hit.headline || '(无标题)'});
  const meta = [];
  if (hit.date) meta.push(hit.date);
  if (hit.item_indexes && hit.item_indexes.length) {
    meta.push(`${hit.item_indexes.length} 段相符`);
  }
  return el('li', {className: 'hit'},
            el('h3', {}, link),
            el('p', {className: 'snippet'}, marked(hit.snippet)),
            meta.length ? el('p', {className: 'meta', textContent: meta.join(' · ')}) : null);
}

function isSelected(facet, value) {
  if (facet.filter) return state.filters[facet.filter].includes(value);
  return state.dateFrom === value && state.dateTo === value;
}

function toggleFacet(facet, value) {
  if (facet.filter) {
    const values = state.filters[facet.filter];
    const at = values.indexOf(value);
    if (at >= 0) values.splice(at, 1); else values.push(value);
  } else if (isSelected(facet, value)) {
    state.dateFrom = state.dateTo = '';
  } else {
    state.dateFrom = state.dateTo = value;
  }
  $('date-from').value = state.dateFrom;
  $('date-to').value = state.dateTo;
  resetPages();
  runSearch();
}

function renderFacets(facets) {
  const sections = [];
  for (const facet of FACETS) {
    const counted = facets.find((f) => f.field === facet.field);
    const values = counted ? counted.values || [] : [];
    // Selected values stay listed (and can be unselected) even when the
    // current page of counts no longer has them.
    const selected = facet.filter ? state.filters[facet.filter] : [];
    const shown = values.map((v) => ({value: v.value, count: Number(v.count)}));
    for (const value of selected) {
      if (!shown.some((v) => v.value === value)) shown.unshift({value, count: 0});
    }
    if (!shown.length) continue;
    const headingId = `facet-${facet.field}`;
    const list = el('ul', {});
    for (const {value, count} of shown.slice(0, 12)) {
      const button = el('button', {type: 'button', className: 'facet-value'},
                        el('span', {textContent: value}),
                        el('span', {className: 'count', textContent: count}));
      button.dataset.field = facet.field;
      button.dataset.value = value;
      button.setAttribute('aria-pressed', String(isSelected(facet, value)));
      button.setAttribute('aria-label', `${facet.label}:${value},${count} 篇`);
      button.addEventListener('click', () => toggleFacet(facet, value));
      list.append(el('li', {}, button));
    }
    const section = el('section', {}, el('h3', {id: headingId, textContent: facet.label}), list);
    section.setAttribute('aria-labelledby', headingId);
    sections.push(section);
  }
  $('facets').replaceChildren(...sections);
}

function renderActiveFilters() {
  const chips = [];
  for (const facet of FACETS) {
    if (!facet.filter) continue;
    for (const value of state.filters[facet.filter]) {
      const chip = el('button', {type: 'button', className: 'chip',
                                 textContent: `${facet.label}:${value} ×`});
      chip.setAttribute('aria-label', `移除筛选条件 ${facet.label}:${value}`);
      chip.addEventListener('click', () => toggleFacet(facet, value));
      chips.push(chip);
    }
  }
  if (state.dateFrom || state.dateTo) {
    const chip = el('button', {type: 'button', className: 'chip',
                               textContent: `日期:${state.dateFrom || '…'} 至 ${state.dateTo || '…'} ×`});
    chip.setAttribute('aria-label', '移除日期范围');
    chip.addEventListener('click', () => {
      state.dateFrom = state.dateTo = '';
      $('date-from').value = $('date-to').value = '';
      resetPages();
      runSearch();
    });
    chips.push(chip);
  }
  $('active-filters').replaceChildren(...chips);
  $('active-filters').hidden = chips.length === 0;
}

function resetPages() {
  state.pageTokens = [''];
  state.page = 0;
}

function goToPage(page) {
  state.page = page;
  runSearch().then(() => $('results').focus());
}

// ---- Bulletin view -----------------------------------------------------

async function showBulletin(id) {
  const article = $('bulletin');
  const error = $('bulletin-error');
  article.replaceChildren(el('p', {className: 'status', textContent: '正在打开…'}));
  showError(error, '');
  try {
    // The whole record but its source text (RECORD_FIELDS).
    const response = await callApi(
        'GET', `/v1/bulletins/${encodeURIComponent(id)}?read_mask=${RECORD_FIELDS}`);
    renderBulletin(response.bulletin || {});
  } catch (failure) {
    article.replaceChildren();
    showError(error, failure.text);
  }
}

function field(label, value) {
  if (value === undefined || value === null || value === '' || value === 0) return [];
  return [el('dt', {textContent: label}), el('dd', {textContent: value})];
}

function renderBulletin(bulletin) {
  const article = $('bulletin');
  const parts = [];
  if (bulletin.kicker) parts.push(el('p', {className: 'kicker', textContent: bulletin.kicker}));
  const headline = el('h2', {id: 'bulletin-headline', tabIndex: -1,
                             textContent: bulletin.headline || '(无标题)'});
  parts.push(headline);
  if (bulletin.subtitle) parts.push(el('p', {className: 'subtitle', textContent: bulletin.subtitle}));

  const series = bulletin.series || {};
  const seriesText = series.name || series.part
      ? `${series.name || ''}${series.part ? `(第 ${series.part} 篇)` : ''}` : '';
  parts.push(el('dl', {},
                ...field('系列', seriesText),
                ...field('日期', bulletin.date),
                ...field('电头', bulletin.dateline),
                ...field('编号', bulletin.id),
                ...field('版本序号', bulletin.seq)));

  if (bulletin.lead) {
    parts.push(el('h3', {textContent: '导语'}), el('p', {className: 'lead', textContent: bulletin.lead}));
  }
  const items = bulletin.items || [];
  if (items.length) {
    parts.push(el('h3', {textContent: `各单位动态(${items.length} 条)`}));
    parts.push(el('ol', {className: 'items'}, ...items.map((item) => {
      const org = item.organization || {};
      const orgLine = el('p', {className: 'org'});
      if (org.name) orgLine.append('机构:', el('strong', {textContent: org.name}));
      if (org.region) orgLine.append(' · 地区:', el('strong', {textContent: org.region}));
      if (KIND_NAMES[org.kind]) orgLine.append(` · 类别:${KIND_NAMES[org.kind]}`);
      return el('li', {className: 'item'}, orgLine.childNodes.length ? orgLine : null,
                el('p', {textContent: item.text || ''}));
    })));
  }
  const people = bulletin.people || [];
  if (people.length) {
    parts.push(el('h3', {textContent: '人物与职务'}));
    parts.push(el('ul', {className: 'people'}, ...people.map((person) =>
        el('li', {}, el('strong', {textContent: person.name}),
           (person.titles || []).length ? `:${person.titles.join('、')}` : ''))));
  }
  const reporters = bulletin.reporters || [];
  if (reporters.length) {
    parts.push(el('h3', {textContent: '记者'}));
    parts.push(el('ul', {className: 'reporters'}, ...reporters.map((reporter) =>
        el('li', {textContent: reporter.role ? `${reporter.role} ${reporter.name}` : reporter.name}))));
  }
  const warnings = bulletin.warnings || [];
  if (warnings.length) {
    parts.push(el('h3', {textContent: '解析提示'}));
    parts.push(el('ul', {}, ...warnings.map((warning) =>
        el('li', {textContent: `第 ${warning.line} 行:${warning.message || warning.kind}(${warning.text || ''})`}))));
  }
  if (bulletin.id) {
    const source = el('pre', {id: 'source-text', className: 'source', hidden: true});
    const toggle = el('button', {type: 'button', id: 'toggle-source', textContent: '显示原文'});
    toggle.setAttribute('aria-expanded', 'false');
    toggle.setAttribute('aria-controls', 'source-text');
    let read = false;
    toggle.addEventListener('click', async () => {
      source.hidden = !source.hidden;
      toggle.setAttribute('aria-expanded', String(!source.hidden));
      toggle.textContent = source.hidden ? '显示原文' : '隐藏原文';
      if (source.hidden || read) return;
      read = true;
      source.textContent = '正在读取原文…';
      try {
        // This version's text: the seq pins it (a newer version is another).
        const response = await callApi(
            'GET', `/v1/bulletins/${encodeURIComponent(bulletin.id)}?read_mask=source_text`);
        const current = response.bulletin || {};
        source.textContent = current.seq === bulletin.seq
            ? current.source_text || '' : '此公报已有新版本,请重新打开。';
      } catch (failure) {
        read = false;  // Another click tries again.
        source.textContent = failure.text;
      }
    });
    parts.push(el('p', {}, toggle), source);
  }
  article.replaceChildren(...parts);
  headline.focus();
}

// ---- Watch view --------------------------------------------------------

function stopWatch(message) {
  if (state.watch) state.watch.close();
  state.watch = null;
  $('watch-start').disabled = false;
  $('watch-stop').disabled = true;
  if (message) $('watch-status').textContent = message;
}

function startWatch() {
  stopWatch();
  const query = $('watch-query').value.trim();
  const region = $('watch-region').value.trim();
  showError($('watch-error'), '');
  if (!query && !region) {
    showError($('watch-error'), '请输入关注检索词或地区。');
    return;
  }
  const params = new URLSearchParams();
  if (query) params.append('query', query);
  if (region) params.append('filters.regions', region);
  const what = [query && `“${query}”`, region && `地区“${region}”`].filter(Boolean).join('、');
  $('watch-status').textContent = `正在连接…`;
  $('watch-start').disabled = true;
  $('watch-stop').disabled = false;
  const source = new EventSource(`/v1/bulletins:watch?${params}`);
  state.watch = source;
  source.onopen = () => {
    $('watch-status').textContent =
        `正在关注 ${what}:相符的新公报会出现在下面(已收到 ${state.watchCount} 篇)。`;
  };
  source.onmessage = (event) => {
    // A WatchEvent: an UPSERT carries the hit; a RETRACT says a bulletin
    // shown here no longer matches (retracted or corrected).
    const change = JSON.parse(event.data);
    if (change.type === 'TYPE_RETRACT') {
      const href = `#/bulletin/${encodeURIComponent(change.bulletin_id)}`;
      for (const link of $('watch-hits').querySelectorAll('li.hit h3 a')) {
        if (link.getAttribute('href') === href) link.closest('li').remove();
      }
      return;
    }
    if (!change.hit) return;
    const hit = change.hit;
    state.watchCount += 1;
    const item = renderHit(hit);
    item.classList.add('watch-hit');
    item.append(el('p', {className: 'meta',
                         textContent: `收到时间 ${new Date().toLocaleTimeString('zh-CN')}`}));
    $('watch-hits').prepend(item);
    $('watch-status').textContent =
        `正在关注 ${what}:相符的新公报会出现在下面(已收到 ${state.watchCount} 篇)。`;
  };
  // The stream's final google.rpc.Status (docs/api.md).
  source.addEventListener('status', (event) => {
    let status = {};
    try { status = JSON.parse(event.data); } catch (error) { status = {}; }
    const text = status.code === 3
        ? `关注条件有误:${status.message}`
        : `关注已结束:${status.message || '服务端结束了连接'}`;
    stopWatch('未在关注。');
    showError($('watch-error'), text);
  });
  source.onerror = () => {
    if (state.watch !== source) return;
    if (source.readyState === EventSource.CLOSED) {
      stopWatch('未在关注。');
      showError($('watch-error'), '与检索服务的连接已断开,请重新开始关注。');
    } else {
      $('watch-status').textContent = '连接中断,正在重新连接…';
    }
  };
}

// ---- Views and events --------------------------------------------------

function route() {
  const hash = location.hash || '#/';
  const bulletin = hash.match(/^#\/bulletin\/(.+)$/);
  const view = bulletin ? 'bulletin' : hash === '#/watch' ? 'watch' : 'search';
  $('search-view').hidden = view !== 'search';
  $('bulletin-view').hidden = view !== 'bulletin';
  $('watch-view').hidden = view !== 'watch';
  for (const [id, current] of [['nav-search', view !== 'watch'], ['nav-watch', view === 'watch']]) {
    if (current) $(id).setAttribute('aria-current', 'page'); else $(id).removeAttribute('aria-current');
  }
  if (bulletin) {
    document.title = '公报 · 公报检索';
    showBulletin(decodeURIComponent(bulletin[1]));
  } else if (view === 'watch') {
    document.title = '实时关注 · 公报检索';
    $('watch-query').focus();
  } else {
    document.title = '公报检索';
  }
}

function init() {
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.query = $('query').value;
    state.dateFrom = $('date-from').value;
    state.dateTo = $('date-to').value;
    state.order = $('order').value;
    resetPages();
    runSearch();
  });
  $('prev-page').addEventListener('click', () => goToPage(Math.max(0, state.page - 1)));
  $('next-page').addEventListener('click', () => goToPage(state.page + 1));
  $('back-to-results').addEventListener('click', () => {
    if (history.length > 1) history.back(); else location.hash = '#/';
  });
  $('watch-form').addEventListener('submit', (event) => {
    event.preventDefault();
    startWatch();
  });
  $('watch-stop').addEventListener('click', () => stopWatch('已停止关注。'));
  document.addEventListener('keydown', (event) => {
    const typing = ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement.tagName);
    if (event.key === '/' && !typing && !$('search-view').hidden) {
      event.preventDefault();
      $('query').focus();
    } else if (event.key === 'Escape' && !$('bulletin-view').hidden) {
      $('back-to-results').click();
    }
  });
  window.addEventListener('hashchange', route);
  route();
  if (!location.hash || location.hash === '#/') $('query').focus();
}

document.addEventListener('DOMContentLoaded', init);
