// kiln's console: the registry's REST API in a browser. Every string from the API goes in as text, never as markup.
// The write token is asked for with each promote or revoke and sent once; it is never stored.
'use strict';

const API = '/api/v1/images';
const view = document.getElementById('view');
const status = document.getElementById('status');
const crumbs = document.getElementById('crumbs');
let route = [];

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v); else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const seg = s => encodeURIComponent(s);

/** A link from an event (report, build log) only when it is http(s) or file: never a javascript: URL an event could carry. */
const safeHref = u => (typeof u === 'string' && /^(https?|file):/i.test(u) ? u : null);
const link = (u, label) => (safeHref(u) ? h('a', { href: u }, label) : null);

/** Puts a page in the view; a part that is absent (null) is left out. */
function show(...parts) {
  view.replaceChildren(...parts.flat().filter(p => p !== null && p !== undefined));
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({ headers: { Accept: 'application/json' } }, options));
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!response.ok) {
    const detail = body && body.detail ? body.detail : text || response.statusText;
    const error = new Error(detail + ' (' + response.status + ')');
    error.status = response.status;
    throw error;
  }
  return body;
}

function say(message, isError) {
  status.textContent = message;
  status.className = isError ? 'error' : '';
}

function when(t) {
  return t ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

function took(from, to) {
  if (!from || !to) return '';
  const s = Math.max(0, Math.round((new Date(to) - new Date(from)) / 1000));
  return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
}

function setCrumbs(parts) {
  crumbs.replaceChildren(h('li', {}, h('a', { href: '#/' }, 'images')),
    ...parts.map(([label, href]) => h('li', {}, href ? h('a', { href }, label) : h('span', { 'aria-current': 'page' }, label))));
}

async function showImages() {
  setCrumbs([]);
  const images = await api(API);
  show(h('h1', {}, 'Images'),
    images.length === 0 ? h('p', {}, 'No image yet: images appear when their first release tag is pushed.')
      : h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'image'), h('th', { scope: 'col' }, 'versions'),
        h('th', { scope: 'col' }, 'latest published'))),
      h('tbody', {}, images.map(i => h('tr', {},
        h('td', {}, h('a', { href: '#/images/' + seg(i.image) }, i.image)), h('td', {}, i.versions), h('td', {}, i.latestPublished || '—'))))));
}

async function showImage(image) {
  setCrumbs([[image]]);
  const [versions, channels] = await Promise.all([api(API + '/' + seg(image) + '/versions'), api(API + '/' + seg(image) + '/channels')]);
  const published = versions.filter(v => v.state === 'published').map(v => v.version);
  show(
    h('h1', {}, image),
    h('h2', {}, 'Versions'),
    h('table', {}, h('thead', {}, h('tr', {}, ['version', 'state', 'formats', 'tagged'].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, versions.map(v => h('tr', {},
        h('td', {}, h('a', { href: '#/images/' + seg(image) + '/' + seg(v.version) }, v.version)),
        h('td', {}, h('span', { class: 'state ' + v.state }, v.state)),
        h('td', {}, v.formats.map(f => f.format + ':' + f.state.toLowerCase()).join(' ')),
        h('td', {}, when(v.createdAt)))))),
    h('h2', {}, 'Channels'),
    channels.length === 0 ? h('p', {}, 'No channel yet.') : h('table', {},
      h('thead', {}, h('tr', {}, ['channel', 'version', 'moved'].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, channels.map(c => h('tr', {}, h('td', {}, c.name), h('td', {}, c.version), h('td', {}, when(c.updatedAt)))))),
    promoteForm(image, published));
}

function tokenField(id) {
  return h('label', { for: id }, 'write token', h('input', { id, type: 'password', autocomplete: 'off', required: true }));
}

function promoteForm(image, published) {
  const form = h('form', { id: 'promote', 'aria-label': 'promote a version to a channel' },
    h('label', { for: 'promote-channel' }, 'channel', h('input', { id: 'promote-channel', value: 'production', required: true })),
    h('label', { for: 'promote-version' }, 'version', h('select', { id: 'promote-version' }, published.map(v => h('option', { value: v }, v)))),
    tokenField('promote-token'),
    h('button', { type: 'submit' }, 'Promote'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const token = form.querySelector('#promote-token');
    const channel = form.querySelector('#promote-channel').value;
    try {
      const moved = await api(API + '/' + seg(image) + '/channels/' + seg(channel), {
        method: 'PUT', headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: 'Bearer ' + token.value },
        body: JSON.stringify({ version: form.querySelector('#promote-version').value })
      });
      say('Channel ' + moved.name + ' now points at ' + moved.version + '.');
      render();
    } catch (e) {
      say('Not promoted: ' + e.message, true);
    } finally {
      token.value = '';
    }
  });
  return h('section', {}, h('h2', {}, 'Promote'), published.length ? form : h('p', {}, 'No published version to promote yet.'));
}

function revokeForm(image, version) {
  const form = h('form', { id: 'revoke', 'aria-label': 'revoke this version' },
    h('label', { for: 'revoke-reason' }, 'reason', h('input', { id: 'revoke-reason', required: true, maxlength: 1000, placeholder: 'CVE-2026-1234 in openssl' })),
    tokenField('revoke-token'),
    h('button', { type: 'submit' }, 'Revoke'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const token = form.querySelector('#revoke-token');
    try {
      await api(API + '/' + seg(image) + '/versions/' + seg(version) + '/revoke', {
        method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: 'Bearer ' + token.value },
        body: JSON.stringify({ reason: form.querySelector('#revoke-reason').value })
      });
      say(image + ' ' + version + ' is revoked.');
      render();
    } catch (e) {
      say('Not revoked: ' + e.message, true);
    } finally {
      token.value = '';
    }
  });
  return form;
}

/** The format's journey: tagged, built (or failed), verified or rejected, published, revoked; with times and durations. */
function timeline(v, f) {
  const steps = [['tagged', v.createdAt, null]];
  if (f.failedAt) steps.push(['build failed at ' + (f.failureStage || '?'), f.failedAt, v.createdAt]);
  if (f.builtAt) steps.push(['built', f.builtAt, v.createdAt]);
  if (f.judgedAt) steps.push([f.state === 'REJECTED' ? 'rejected' : 'verified', f.judgedAt, f.builtAt || v.createdAt]);
  if (f.publishedAt) steps.push(['published', f.publishedAt, f.judgedAt]);
  if (v.revokedAt) steps.push(['revoked', v.revokedAt, null]);
  return h('ol', { class: 'timeline', 'aria-label': f.format + ' timeline' }, steps.map(([what, at, since]) =>
    h('li', { 'data-step': what.split(' ')[0] }, h('strong', {}, what), ' ', h('time', { datetime: at }, when(at)),
      since ? h('span', { class: 'took' }, ' (+' + took(since, at) + ')') : null)));
}

function findings(f) {
  if (!f.findings || f.findings.length === 0) return null;
  return h('ul', { class: 'findings' }, f.findings.map(x => h('li', {}, h('code', {}, x.rule), ' ', x.path ? h('code', {}, x.path) : null, ' — ', x.message)));
}

function snippets(v, f) {
  const origin = location.origin;
  const lookup = origin + API + '/' + seg(v.image) + '/lookup?version=' + seg(v.version) + '&format=' + seg(f.format);
  return h('details', {}, h('summary', {}, 'Use it'),
    h('p', {}, 'curl'), h('pre', {}, h('code', {}, "curl -s '" + lookup + "'")),
    h('p', {}, 'Terraform (examples/terraform)'), h('pre', {}, h('code', {},
      'data "http" "image" {\n  url = "' + lookup + '"\n}\n\nlocals {\n  image = jsondecode(data.http.image.response_body)\n}\n# local.image.location, local.image.sha256')),
    h('p', {}, 'Kafka (as kiln-observer)'), h('pre', {}, h('code', {},
      'kafka-console-consumer.sh --bootstrap-server localhost:19092 --topic kiln.image.published.v1 \\\n  --consumer.config observer.properties --from-beginning --property print.headers=true')));
}

async function showVersion(image, version) {
  setCrumbs([[image, '#/images/' + seg(image)], [version]]);
  const v = await api(API + '/' + seg(image) + '/versions/' + seg(version));
  let rebuilds = [];
  try { rebuilds = await api(API + '/' + seg(image) + '/versions/' + seg(version) + '/rebuilds'); } catch (e) { rebuilds = []; }
  show(
    h('h1', {}, image + ' ' + version, ' ', h('span', { class: 'state ' + v.state, id: 'version-state' }, v.state)),
    h('p', {}, 'tag ', h('code', {}, v.tag), ' at commit ', h('code', { class: 'digest' }, v.commit), ' of ', h('code', {}, v.repository)),
    v.revokedReason ? h('p', { class: 'state revoked' }, 'Revoked ' + when(v.revokedAt) + ': ' + v.revokedReason) : null,
    h('table', { class: 'formats' },
      h('thead', {}, h('tr', {}, ['format', 'state', 'journey', 'digest', 'details'].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, v.formats.map(f => h('tr', { 'data-format': f.format },
        h('td', { 'data-label': 'format' }, f.format),
        h('td', { 'data-label': 'state' }, h('span', { class: 'state ' + f.state }, f.state.toLowerCase())),
        h('td', { 'data-label': 'journey' }, timeline(v, f), findings(f), f.failureReason ? h('p', {}, f.failureReason) : null),
        h('td', { 'data-label': 'digest', class: 'digest' }, f.sha256 ? h('code', {}, f.sha256) : '—'),
        h('td', { 'data-label': 'details' },
          link(f.reportLocation || (f.verification && f.verification.reportLocation), 'verification report'), ' ',
          link(f.buildLog, 'build log'),
          f.provenance ? h('details', {}, h('summary', {}, 'provenance'), h('pre', {}, JSON.stringify(f.provenance, null, 2))) : null,
          f.state === 'PUBLISHED' ? snippets(v, f) : null))))),
    h('h2', {}, 'Rebuilds'),
    rebuilds.length === 0 ? h('p', {}, 'Not rebuilt yet (./kiln rebuild ' + image + ' ' + version + ').')
      : h('ul', {}, rebuilds.map(r => h('li', {}, when(r.requestedAt) + ': ', h('strong', {}, r.verdict), r.reason ? ' — ' + r.reason : ''))),
    v.state === 'revoked' ? null : h('section', {}, h('h2', {}, 'Revoke'), revokeForm(image, version)));
}

async function render() {
  route = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (route[0] === 'images' && route.length === 3) await showVersion(route[1], route[2]);
    else if (route[0] === 'images' && route.length === 2) await showImage(route[1]);
    else await showImages();
  } catch (e) {
    show(h('h1', {}, 'Not found'), h('p', {}, e.message), h('p', {}, h('a', { href: '#/' }, 'All images')));
  }
}

/** Someone is filling in a form: a field has focus, or holds something other than what the page put there. */
function filling() {
  if (document.activeElement && document.activeElement.form) return true;
  return [...document.querySelectorAll('form input')].some(field => field.value !== field.defaultValue);
}

// Live: the registry names each release as it changes; redraw when it is the one on screen (or the list).
function listen() {
  const live = document.getElementById('live');
  const source = new EventSource(API + '/changes');
  // On (re)connecting, draw again: whatever changed while not listening is caught up with.
  source.onopen = () => { live.textContent = 'live'; live.className = 'live on'; if (!filling()) render(); };
  source.onerror = () => { live.textContent = 'reconnecting…'; live.className = 'live'; };
  source.onmessage = message => {
    let change;
    try { change = JSON.parse(message.data); } catch (e) { return; }
    // Not while someone fills in a form: the next change (or their own submit) redraws.
    if (filling()) return;
    if (route.length === 0 || route[0] !== 'images' || route[1] === change.image) render();
  };
}

window.addEventListener('hashchange', () => { say(''); render().then(() => view.focus()); });
render();
listen();
