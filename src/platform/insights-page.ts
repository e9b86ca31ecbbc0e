import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { CREDENTIAL_STORAGE_KEY, escapeHtml, htmlPageHandler, inlineHashes, scriptJson } from './html-page';

/**
 * The insights page on GET /insights: charts of `Community.insights` and `platformInsights` for a browser,
 * built from installed packages only (no CDN, no request to another origin).
 *
 * One HTML document: Chart.js 4's UMD build (chart.js/dist/chart.umd.min.js, MIT, 210 kB; the page is 236 kB, 80 kB gzipped)
 * and our script, both inline and allowed by their hashes in a strict CSP; requests go to /graphql on this
 * origin. It shares GraphiQL's sign-in (src/platform/graphiql.ts): the same sessionStorage key and `signIn`
 * mutation, so a tab signed in at /graphql is signed in here, and the other way round; a tab that is not
 * signed in gets a sign-in form. It draws a line chart of active, new and departed members, a bar chart of the
 * top tags, a line chart of posts, comments and interactions, a cohort heat map (an HTML table whose cells are
 * coloured by share: Chart.js has no heat map), and tables of every figure. See PAGE_SCRIPT.
 */

/** Options of {@link insightsPageHandler}. */
export interface InsightsPageOptions {
  /** Where the page sends its GraphQL operations: a path on this origin, e.g. `/graphql`. */
  endpoint: string;
  /** The GraphiQL page, linked from the header. */
  graphiqlPath: string;
}

/** Express handler for GET and HEAD: the page, with an ETag per encoding (304 when it matches). */
export function insightsPageHandler(options: InsightsPageOptions): RequestHandler {
  return htmlPageHandler(() => {
    const html = renderInsightsPage(options);
    return { html, csp: contentSecurityPolicy(html) };
  });
}

/** The page's HTML: static markup, our style, Chart.js and our script. */
export function renderInsightsPage(options: InsightsPageOptions): string {
  const settings = { endpoint: options.endpoint, storageKey: CREDENTIAL_STORAGE_KEY };
  const script = PAGE_SCRIPT.replace('__SETTINGS__', () => scriptJson(settings));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Townsquare insights</title>
<style>${STYLE}</style>
</head>
<body>
<header id="insights-header">
  <h1>Townsquare insights</h1>
  <a href="${escapeHtml(options.graphiqlPath)}">GraphiQL</a>
  <div id="insights-auth">
    <form id="insights-sign-in-form" aria-label="Sign in" hidden>
      <input id="insights-email" type="email" name="email" placeholder="email" autocomplete="username" required>
      <input id="insights-password" type="password" name="password" placeholder="password" autocomplete="current-password" required>
      <button id="insights-sign-in" type="submit">Sign in</button>
    </form>
    <span id="insights-who" hidden></span>
    <button id="insights-sign-out" type="button" hidden>Sign out</button>
  </div>
</header>
<main>
  <p id="insights-intro" hidden>Insights are for a community's admins (ADMIN and above) and platform admins. Sign in
  to see the communities you run. The figures come from rollups an hourly job keeps, so they lag by up to an hour.</p>
  <form id="insights-controls" aria-label="Insights range" hidden>
    <label>Scope <select id="insights-scope" name="scope"></select></label>
    <label>From <input id="insights-from" type="date" name="from" required></label>
    <label>To (excluded) <input id="insights-to" type="date" name="to" required></label>
    <label>Interval <select id="insights-interval" name="interval">
      <option value="DAY">Day</option><option value="WEEK" selected>Week</option><option value="MONTH">Month</option>
    </select></label>
    <button id="insights-show" type="submit">Show</button>
  </form>
  <p id="insights-status" role="status"></p>
  <p id="insights-error" role="alert"></p>
  <div id="insights-data" hidden>
    <p id="insights-summary"></p>
    <section class="card wide"><h2>Members</h2><div class="chart"><canvas id="insights-members" aria-label="Active, new and departed members per bucket" role="img"></canvas></div></section>
    <section class="card wide"><h2>Activity</h2><div class="chart"><canvas id="insights-activity" aria-label="Posts, comments and interactions per bucket" role="img"></canvas></div></section>
    <section class="card"><h2>Top tags</h2><div class="chart"><canvas id="insights-tags" aria-label="Posts per tag" role="img"></canvas></div></section>
    <section class="card"><h2>Top contributors</h2><table id="insights-contributors"></table></section>
    <section class="card wide"><h2>Retention by weekly cohort</h2>
      <p class="note">Members who joined in a week, and the share of them active in each following week.</p>
      <div class="scroll"><table id="insights-cohorts" class="heat"></table></div></section>
    <section class="card wide"><h2>Events: going against checked in</h2><div class="scroll"><table id="insights-events"></table></div></section>
    <section class="card wide"><h2>Every figure</h2><div class="scroll"><table id="insights-series"></table></div></section>
  </div>
</main>
<script>${readChartJs()}</script>
<script>${script}</script>
</body>
</html>
`;
}

/**
 * CSP: scripts and the stylesheet only by their hashes (Chart.js needs no eval; it styles its canvas through the
 * CSSOM, which style-src does not govern), no images or fonts, requests only to this origin, no frames or forms.
 */
function contentSecurityPolicy(html: string): string {
  const scripts = inlineHashes(html, 'script');
  const styles = inlineHashes(html, 'style');
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ')}`,
    `style-src ${styles.join(' ')}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Chart.js's browser build (defines the global `Chart`); not in its package exports, so found beside its main. */
function readChartJs(): string {
  const file = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  const text = readFileSync(file, 'utf8');
  if (text.includes('</script')) throw new Error('insights page: chart.umd.min.js contains </script');
  return text;
}

const STYLE = `
:root { color-scheme: light dark; --text: #1f2937; --muted: #6b7280; --line: #e5e7eb; --base: #fff; --card: #f9fafb;
  --accent: #c2185b; --error: #c62828; }
@media (prefers-color-scheme: dark) {
  :root { --text: #e5e7eb; --muted: #9ca3af; --line: #374151; --base: #111827; --card: #1f2937; --accent: #f06292; --error: #ef9a9a; }
}
body { margin: 0; background: var(--base); color: var(--text); font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
[hidden] { display: none !important; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; padding: 8px 16px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; }
header a { color: var(--accent); }
#insights-auth { margin-left: auto; display: flex; align-items: center; gap: 8px; }
form { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; margin: 0; }
input, select { font: inherit; padding: 2px 6px; color: inherit; background: transparent; border: 1px solid var(--line); border-radius: 4px; }
select option { background: var(--base); }
button { font: inherit; padding: 2px 10px; cursor: pointer; color: #fff; background: var(--accent); border: 0; border-radius: 4px; }
button:disabled { opacity: 0.5; cursor: progress; }
main { padding: 12px 16px; }
#insights-error { color: var(--error); font-weight: 600; }
#insights-error:empty, #insights-status:empty { display: none; }
#insights-data { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
#insights-summary { grid-column: 1 / -1; margin: 0; color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 0; }
.card.wide { grid-column: 1 / -1; }
.card h2 { font-size: 15px; margin: 4px 0 8px; }
.chart { position: relative; height: 260px; }
.note { color: var(--muted); margin: 0 0 6px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 2px 8px; text-align: right; border-bottom: 1px solid var(--line); white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
table.heat td.share { min-width: 44px; text-align: center; border: 1px solid var(--base); }
`;

/**
 * Runs in the browser after Chart.js (plain ES2020, no build step).
 *
 * Credential: GraphiQL's, `{ kind, token, handle, isAdmin }` in sessionStorage under settings.storageKey, checked
 * with `viewer` when the page loads (an expired one is forgotten). Signing in here uses the same `signIn`
 * mutation and stores the same object; signing out ends a session (`endSession`) and forgets an API key.
 *
 * Scope: the viewer's communities where their role is OWNER or ADMIN (read with `communities`, up to 500), and
 * "All communities" for a platform admin (every community they can see is listed too). `?community=<slug>`
 * picks one, and is queried even when it is not listed, so the server's answer (FORBIDDEN for a member) shows.
 * The range and interval are kept in the URL (`from`, `to`, `interval`, `community` or `platform=1`).
 */
const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var settings = __SETTINGS__;
  var endpoint = new URL(settings.endpoint, location.href).href;
  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    signInForm: $('insights-sign-in-form'), email: $('insights-email'), password: $('insights-password'),
    signIn: $('insights-sign-in'), who: $('insights-who'), signOut: $('insights-sign-out'),
    intro: $('insights-intro'), controls: $('insights-controls'), scope: $('insights-scope'),
    from: $('insights-from'), to: $('insights-to'), interval: $('insights-interval'), show: $('insights-show'),
    status: $('insights-status'), error: $('insights-error'), data: $('insights-data'), summary: $('insights-summary'),
  };
  var charts = {};
  var credential = readCredential();
  var loadSeq = 0;

  var VIEWER = 'query TownsquareViewer { viewer { handle isAdmin } }';
  var SIGN_IN = 'mutation TownsquareSignIn($input: SignInInput!) { signIn(input: $input) { token user { handle isAdmin } } }';
  var SIGN_OUT = 'mutation TownsquareSignOut { endSession { user { handle } } }';
  var COMMUNITIES = 'query TownsquareInsightsCommunities($after: String) { communities(first: 100, after: $after) { ' +
    'edges { node { slug name viewerMember { role } } } pageInfo { hasNextPage endCursor } } }';
  var FIELDS = 'from to interval timeZone computedThrough ' +
    'series { date activeMembers newMembers departedMembers posts comments interactions interactionRate ' +
    'repliedPosts medianSecondsToFirstReply rsvpsGoing checkedIn } ' +
    'topContributors { user { handle } posts comments interactions } topTags { tag posts } ' +
    'events { title startsAt going checkedIn } cohorts { week size retention }';
  var COMMUNITY_INSIGHTS = 'query TownsquareInsights($slug: String!, $from: DateTimeISO!, $to: DateTimeISO!, $interval: InsightsInterval!) { ' +
    'community(slug: $slug) { name insights(from: $from, to: $to, interval: $interval) { ' + FIELDS + ' } } }';
  var PLATFORM_INSIGHTS = 'query TownsquarePlatformInsights($from: DateTimeISO!, $to: DateTimeISO!, $interval: InsightsInterval!) { ' +
    'platformInsights(from: $from, to: $to, interval: $interval) { ' + FIELDS + ' } }';

  function readCredential() {
    try {
      var stored = JSON.parse(sessionStorage.getItem(settings.storageKey) || 'null');
      return stored && typeof stored.token === 'string' ? stored : null;
    } catch (_) { return null; }
  }
  function storeCredential(next) {
    try {
      if (next) sessionStorage.setItem(settings.storageKey, JSON.stringify(next));
      else sessionStorage.removeItem(settings.storageKey);
    } catch (_) { /* storage disabled: lasts until the page is left */ }
  }

  function gql(query, variables, operationName, token) {
    var headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    var bearer = token !== undefined ? token : credential && credential.token;
    if (bearer) headers.authorization = 'Bearer ' + bearer;
    return fetch(endpoint, {
      method: 'POST', credentials: 'same-origin', headers: headers,
      body: JSON.stringify({ query: query, variables: variables || {}, operationName: operationName }),
    }).then(function (response) {
      return response.text().then(function (text) {
        try { return JSON.parse(text); }
        catch (_) { return { errors: [{ message: 'HTTP ' + response.status + ': ' + text.slice(0, 300) }] }; }
      });
    });
  }
  function firstError(result) { return result && result.errors && result.errors.length ? result.errors[0] : null; }
  function errorCode(error) { return error && error.extensions && error.extensions.code; }
  function errorText(error) { var code = errorCode(error); return (code ? code + ': ' : '') + error.message; }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function showError(message) { ui.error.textContent = message || ''; }
  function setStatus(message) { ui.status.textContent = message || ''; }

  // --- Sign-in ---

  function renderAuth() {
    var signedIn = credential !== null;
    ui.signInForm.hidden = signedIn;
    ui.intro.hidden = signedIn;
    ui.who.hidden = !signedIn;
    ui.signOut.hidden = !signedIn;
    ui.controls.hidden = !signedIn;
    if (!signedIn) { ui.data.hidden = true; return; }
    ui.who.replaceChildren('Signed in as ', el('strong', credential.handle ? '@' + credential.handle : 'an unnamed user'),
      credential.isAdmin ? ' (platform admin)' : '');
  }

  function setCredential(next) {
    credential = next;
    storeCredential(next);
    destroyCharts();
    showError('');
    renderAuth();
    if (next) start();
  }

  ui.signInForm.addEventListener('submit', function (event) {
    event.preventDefault();
    ui.signIn.disabled = true;
    showError('');
    gql(SIGN_IN, { input: { email: ui.email.value.trim(), password: ui.password.value } }, 'TownsquareSignIn', null)
      .then(function (result) {
        var error = firstError(result);
        if (error || !result.data || !result.data.signIn) throw new Error(error ? errorText(error) : 'Sign-in failed');
        var s = result.data.signIn;
        ui.password.value = '';
        setCredential({ kind: 'session', token: s.token, handle: s.user.handle, isAdmin: s.user.isAdmin });
      })
      .catch(function (failure) { showError(failure.message); })
      .finally(function () { ui.signIn.disabled = false; });
  });

  ui.signOut.addEventListener('click', function () {
    var old = credential;
    setCredential(null);
    if (!old || old.kind !== 'session') return; // an API key is only forgotten
    gql(SIGN_OUT, {}, 'TownsquareSignOut', old.token).then(function (result) {
      var error = firstError(result);
      if (error && errorCode(error) !== 'UNAUTHENTICATED') showError('Signed out here, but the server did not revoke the session: ' + errorText(error));
    }, function (failure) { showError('Signed out here, but the server did not revoke the session: ' + failure.message); });
  });

  // --- Scope and range ---

  function isoDay(date) { return date.toISOString().slice(0, 10); }
  function addDays(day, n) { var d = new Date(day + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + n); return isoDay(d); }
  /** A calendar date as an instant: noon UTC is that date in every time zone from UTC-12 to UTC+11. */
  function instant(day) { return day + 'T12:00:00.000Z'; }

  function option(value, label) { var o = el('option', label); o.value = value; return o; }

  function loadCommunities(after, found) {
    return gql(COMMUNITIES, { after: after || null }, 'TownsquareInsightsCommunities').then(function (result) {
      var error = firstError(result);
      if (error) throw Object.assign(new Error(errorText(error)), { code: errorCode(error) });
      var page = result.data.communities;
      page.edges.forEach(function (edge) { found.push(edge.node); });
      if (page.pageInfo.hasNextPage && found.length < 500) return loadCommunities(page.pageInfo.endCursor, found);
      return found;
    });
  }

  function start() {
    var params = new URLSearchParams(location.search);
    var today = isoDay(new Date());
    ui.to.value = params.get('to') || addDays(today, 1);
    ui.from.value = params.get('from') || addDays(ui.to.value, -182);
    if (/^(DAY|WEEK|MONTH)$/.test(params.get('interval') || '')) ui.interval.value = params.get('interval');
    setStatus('Loading your communities…');
    // The stored credential is checked first: an expired session is forgotten rather than shown as signed in.
    gql(VIEWER, {}, 'TownsquareViewer')
      .then(function (result) {
        var viewer = result.data && result.data.viewer;
        if (!viewer) {
          var error = firstError(result);
          if (!error || errorCode(error) === 'UNAUTHENTICATED') {
            setStatus('');
            setCredential(null);
            showError('Your sign-in has ended: sign in again.');
            return null;
          }
          if (errorCode(error) !== 'FORBIDDEN') throw new Error(errorText(error)); // FORBIDDEN: a key without READ
        } else if (viewer.handle !== credential.handle || viewer.isAdmin !== credential.isAdmin) {
          credential = Object.assign({}, credential, { handle: viewer.handle, isAdmin: viewer.isAdmin });
          storeCredential(credential);
          renderAuth();
        }
        return loadCommunities(null, []);
      })
      .then(function (communities) {
        if (!communities) return;
        setStatus('');
        fillScope(communities, params);
        if (ui.scope.options.length === 0) {
          ui.controls.hidden = true;
          showError('FORBIDDEN: insights are for community admins (ADMIN and above) and platform admins, and you run no community.');
          return;
        }
        load(false);
      })
      .catch(function (failure) { setStatus(''); showError(failure.message); });
  }

  function fillScope(communities, params) {
    var runs = communities.filter(function (c) {
      return c.viewerMember && (c.viewerMember.role === 'OWNER' || c.viewerMember.role === 'ADMIN');
    });
    var listed = credential.isAdmin ? communities : runs;
    var wanted = params.get('community');
    ui.scope.replaceChildren();
    if (credential.isAdmin) ui.scope.append(option('', 'All communities (platform)'));
    listed.forEach(function (c) { ui.scope.append(option(c.slug, c.name + ' (' + c.slug + ')')); });
    if (wanted && !listed.some(function (c) { return c.slug === wanted; })) ui.scope.append(option(wanted, wanted));
    if (wanted) ui.scope.value = wanted;
    else if (!credential.isAdmin && runs.length) ui.scope.value = runs[0].slug;
  }

  ui.controls.addEventListener('submit', function (event) { event.preventDefault(); load(true); });
  ui.scope.addEventListener('change', function () { load(true); });
  ui.interval.addEventListener('change', function () { load(true); });

  function load(remember) {
    var slug = ui.scope.value;
    var variables = { from: instant(ui.from.value), to: instant(ui.to.value), interval: ui.interval.value };
    if (remember) {
      var params = new URLSearchParams({ from: ui.from.value, to: ui.to.value, interval: ui.interval.value });
      if (slug) params.set('community', slug);
      history.replaceState(null, '', '?' + params.toString());
    }
    var seq = ++loadSeq;
    showError('');
    setStatus('Loading insights…');
    ui.show.disabled = true;
    var request = slug
      ? gql(COMMUNITY_INSIGHTS, Object.assign({ slug: slug }, variables), 'TownsquareInsights')
      : gql(PLATFORM_INSIGHTS, variables, 'TownsquarePlatformInsights');
    request.then(function (result) {
      if (seq !== loadSeq) return;
      var error = firstError(result);
      var data = result.data || {};
      var insights = slug ? data.community && data.community.insights : data.platformInsights;
      if (error || !insights) {
        destroyCharts();
        ui.data.hidden = true;
        setStatus('');
        showError(error ? errorText(error) : 'NOT_FOUND: no community "' + slug + '" that you can see');
        return;
      }
      setStatus('');
      render(slug ? data.community.name : 'All communities', insights);
    }, function (failure) {
      if (seq !== loadSeq) return;
      setStatus('');
      showError(failure.message);
    }).finally(function () { if (seq === loadSeq) ui.show.disabled = false; });
  }

  // --- Charts and tables ---

  var COLORS = { active: '#1e88e5', joined: '#43a047', departed: '#e53935', posts: '#8e24aa', comments: '#fb8c00', interactions: '#00897b', tags: '#3949ab' };

  function destroyCharts() {
    Object.keys(charts).forEach(function (key) { charts[key].destroy(); delete charts[key]; });
  }

  function themeColors() {
    var style = getComputedStyle(document.documentElement);
    return { text: style.getPropertyValue('--text').trim(), line: style.getPropertyValue('--line').trim() };
  }

  function lineChart(id, labels, sets) {
    var theme = themeColors();
    charts[id] = new Chart($(id), {
      type: 'line',
      data: {
        labels: labels,
        datasets: sets.map(function (s) {
          return { label: s.label, data: s.data, borderColor: s.color, backgroundColor: s.color, borderWidth: 2,
            pointRadius: labels.length > 60 ? 0 : 2, tension: 0.25, fill: false };
        }),
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
        color: theme.text,
        scales: {
          x: { ticks: { color: theme.text, maxRotation: 0, autoSkipPadding: 12 }, grid: { color: theme.line } },
          y: { beginAtZero: true, ticks: { color: theme.text, precision: 0 }, grid: { color: theme.line } },
        },
        plugins: { legend: { labels: { color: theme.text } } },
      },
    });
  }

  function barChart(id, labels, data, label, color) {
    var theme = themeColors();
    charts[id] = new Chart($(id), {
      type: 'bar',
      data: { labels: labels, datasets: [{ label: label, data: data, backgroundColor: color }] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, indexAxis: 'y', color: theme.text,
        scales: {
          x: { beginAtZero: true, ticks: { color: theme.text, precision: 0 }, grid: { color: theme.line } },
          y: { ticks: { color: theme.text }, grid: { display: false } },
        },
        plugins: { legend: { display: false } },
      },
    });
  }

  function table(id, head, rows) {
    var t = $(id);
    var thead = el('thead');
    var tr = el('tr');
    head.forEach(function (h) { tr.append(el('th', h)); });
    thead.append(tr);
    var tbody = el('tbody');
    rows.forEach(function (row) {
      var r = el('tr');
      row.forEach(function (cell) { r.append(cell instanceof Node ? cell : el('td', cell === null || cell === undefined ? '–' : cell)); });
      tbody.append(r);
    });
    if (rows.length === 0) {
      var empty = el('tr'); var td = el('td', 'None in this range.'); td.colSpan = head.length; empty.append(td); tbody.append(empty);
    }
    t.replaceChildren(thead, tbody);
  }

  function seconds(s) {
    if (s === null || s === undefined) return null;
    if (s < 90) return Math.round(s) + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    return (s / 3600).toFixed(1) + ' h';
  }
  function percent(share) { return Math.round(share * 100) + '%'; }

  /** The cohort heat map: a table, each cell's background the share of the cohort active that week. */
  function cohortTable(cohorts) {
    var weeks = cohorts.reduce(function (n, c) { return Math.max(n, c.retention.length); }, 0);
    var head = ['Week joined', 'Members'];
    for (var i = 1; i <= weeks; i++) head.push('+' + i);
    var rows = cohorts.map(function (c) {
      var row = [c.week, c.size];
      c.retention.forEach(function (share) {
        var td = el('td', share === null ? '' : percent(share), 'share');
        if (share !== null) {
          // Blue with the share as its strength; a strong cell gets light text.
          td.style.backgroundColor = 'rgba(30, 136, 229, ' + (0.08 + 0.92 * share).toFixed(3) + ')';
          if (share > 0.55) td.style.color = '#fff';
          td.title = percent(share) + ' of ' + c.size + ' active in week +' + (row.length - 1);
        }
        row.push(td);
      });
      return row;
    });
    table('insights-cohorts', head, rows);
  }

  function render(name, insights) {
    destroyCharts();
    ui.data.hidden = false;
    var labels = insights.series.map(function (b) { return b.date; });
    var column = function (key) { return insights.series.map(function (b) { return b[key]; }); };
    ui.summary.textContent = name + ': ' + insights.from + ' to ' + insights.to + ' (excluded), by ' +
      insights.interval.toLowerCase() + ', days in ' + insights.timeZone + '. Computed through ' +
      (insights.computedThrough ? new Date(insights.computedThrough).toLocaleString() : 'never (the rollup has not run yet)') + '.';
    lineChart('insights-members', labels, [
      { label: 'Active members', data: column('activeMembers'), color: COLORS.active },
      { label: 'New members', data: column('newMembers'), color: COLORS.joined },
      { label: 'Departed members', data: column('departedMembers'), color: COLORS.departed },
    ]);
    lineChart('insights-activity', labels, [
      { label: 'Posts', data: column('posts'), color: COLORS.posts },
      { label: 'Comments', data: column('comments'), color: COLORS.comments },
      { label: 'Interactions', data: column('interactions'), color: COLORS.interactions },
    ]);
    barChart('insights-tags', insights.topTags.map(function (t) { return '#' + t.tag; }),
      insights.topTags.map(function (t) { return t.posts; }), 'Posts', COLORS.tags);
    table('insights-contributors', ['Member', 'Posts', 'Comments', 'Interactions'], insights.topContributors.map(function (c) {
      return [c.user ? '@' + c.user.handle : '(deleted)', c.posts, c.comments, c.interactions];
    }));
    cohortTable(insights.cohorts);
    table('insights-events', ['Event', 'Starts', 'Going', 'Checked in'], insights.events.map(function (e) {
      return [e.title, new Date(e.startsAt).toLocaleString(), e.going, e.checkedIn];
    }));
    table('insights-series', ['Bucket', 'Active', 'New', 'Departed', 'Posts', 'Comments', 'Interactions',
      'Per active', 'Replied posts', 'Median first reply', 'RSVPs going', 'Checked in'],
      insights.series.map(function (b) {
        return [b.date, b.activeMembers, b.newMembers, b.departedMembers, b.posts, b.comments, b.interactions,
          b.interactionRate === null ? null : b.interactionRate.toFixed(2), b.repliedPosts,
          seconds(b.medianSecondsToFirstReply), b.rsvpsGoing, b.checkedIn];
      }));
  }

  renderAuth();
  if (credential) start();
})();
`;
