import { FORMS } from './browser-forms.js';
import { URI_TEMPLATES } from './browser-uri-template.js';
import type { Paths } from '../http/links.js';
import { FORM_STYLE, STYLE } from './browser-style.js';

/**
 * The HAL browser: the page served for any GET that prefers `text/html`.
 *
 * One self-contained document (inline CSS and script, no external resource, no build step).
 * It fetches its own URL again as `application/hal+json` and renders the answer: the
 * properties, the links (plain ones are ordinary anchors, so navigating keeps the address
 * bar meaningful; templated ones get a form and are expanded in the page, RFC 6570 level 3;
 * relations whose target takes a POST, such as `sync:restore`, get a button),
 * the embedded resources with their own links, and problem documents. A bearer token, when
 * the node asks for one, is kept in sessionStorage for the tab.
 *
 * The page is static: nothing of the request is written into it, so it cannot reflect input.
 */
export function browserPage(paths: Pick<Paths, 'root' | 'docs'>): string {
  let page = pages.get(paths);
  if (page === undefined) {
    page = PAGE.replace('href="/"', `href="${escapeAttribute(paths.root)}"`).replace('href="/docs"', `href="${escapeAttribute(paths.docs)}"`);
    pages.set(paths, page);
  }
  return page;
}

const pages = new WeakMap<object, string>();

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

// The page's script. Plain ES2017, no template literals (this file embeds it in one).
const SCRIPT = String.raw`
(function () {
  'use strict';
  // HAL-FORMS first: the node then adds the writes this page may offer (_templates).
  var ACCEPT = 'application/prs.hal-forms+json, application/hal+json;q=0.95, application/problem+json;q=0.9, application/json;q=0.8, text/*;q=0.5, */*;q=0.1';
  var TOKEN_KEY = 'halsync-token';
  var main = document.getElementById('document');
  var where = document.getElementById('where');
  var idCount = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  /** Only http(s) URLs become anchors: a document cannot smuggle javascript: into the page. */
  function safeUrl(href) {
    try {
      var url = new URL(href, location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function anchor(href, text) {
    var url = safeUrl(href);
    return url ? el('a', { href: url }, [text]) : el('span', {}, [text]);
  }

${URI_TEMPLATES}
${FORMS}
  function templateForm(rel, link) {
    var form = el('form', { class: 'template', 'aria-label': 'Expand ' + rel });
    var inputs = {};
    templateVars(link.href).forEach(function (name) {
      var id = 'var-' + (++idCount);
      var input = el('input', { id: id, name: name, type: 'text', autocomplete: 'off' });
      inputs[name] = input;
      form.appendChild(el('label', { for: id }, [name, input]));
    });
    form.appendChild(el('button', { type: 'submit' }, ['Go']));
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var values = {};
      Object.keys(inputs).forEach(function (n) { values[n] = inputs[n].value.trim(); });
      var url = safeUrl(expand(link.href, values));
      if (url) location.assign(url);
    });
    return form;
  }

  /** A template whose variables are all optional (query expressions only) can be followed as it is. */
  function openAnchor(link) {
    var bare = link.href.replace(/\{[?&][^}]*\}/g, '');
    if (bare.indexOf('{') >= 0) return null;
    return el('p', {}, [anchor(bare, 'Open ' + (link.title || bare))]);
  }

  // Relations whose target takes a POST rather than a GET: rendered as a button, not an anchor.
  var ACTION_RELS = ['sync:restore'];

  /** A button that POSTs to the link, then shows the resource it answers (or the problem, in place). */
  function actionForm(rel, link) {
    var label = link.title || (rel + (link.name ? ' ' + link.name : ''));
    var status = el('p', { class: 'muted', role: 'status' });
    var form = el('form', { class: 'template', 'aria-label': label, method: 'post' }, [
      el('button', { type: 'submit' }, [label]), el('code', { class: 'muted' }, ['POST ' + link.href]), status
    ]);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var url = safeUrl(link.href);
      if (!url) return;
      var post = { Accept: ACCEPT };
      if (token) post.Authorization = 'Bearer ' + token;
      status.textContent = 'Sending…';
      fetch(url, { method: 'POST', headers: post, cache: 'no-store' }).then(function (response) {
        return response.text().then(function (text) {
          var json = null;
          try { json = JSON.parse(text); } catch (e) { json = null; }
          var self = json && json._links && json._links.self && safeUrl(json._links.self.href);
          if (response.ok && self) { location.assign(self); return; }
          status.className = 'problem';
          status.setAttribute('role', 'alert');
          status.textContent = response.status + ' ' + ((json && (json.detail || json.title)) || response.statusText);
        });
      }).catch(function (error) {
        status.className = 'problem';
        status.textContent = String(error && error.message || error);
      });
    });
    return form;
  }

  function curieDocs(doc, rel) {
    var curies = [].concat((doc._links && doc._links.curies) || []);
    var colon = rel.indexOf(':');
    if (colon < 0) return null;
    var curie = curies.filter(function (c) { return c && c.name === rel.slice(0, colon); })[0];
    return curie ? expand(curie.href, { rel: rel.slice(colon + 1) }) : null;
  }

  function valueCell(key, value) {
    if (typeof value === 'string' && /URI$|Url$/.test(key) && safeUrl(value)) return el('td', {}, [anchor(value, value)]);
    if (value !== null && typeof value === 'object') return el('td', {}, [el('pre', {}, [JSON.stringify(value, null, 2)])]);
    return el('td', {}, [el('code', {}, [JSON.stringify(value)])]);
  }

  /** caption: null under a heading that already names the table. */
  function propertiesTable(doc, caption) {
    var keys = Object.keys(doc).filter(function (k) { return k !== '_links' && k !== '_embedded' && k !== '_templates'; });
    if (!keys.length) return el('p', { class: 'muted' }, ['No properties.']);
    var rows = keys.map(function (k) { return el('tr', {}, [el('th', { scope: 'row' }, [k]), valueCell(k, doc[k])]); });
    return el('table', { class: 'properties' }, [caption ? el('caption', {}, [caption]) : null].concat(rows));
  }

  function linksTable(doc, docsFrom, caption) {
    var links = doc._links || {};
    var rels = Object.keys(links).filter(function (r) { return r !== 'curies'; });
    if (!rels.length) return el('p', { class: 'muted' }, ['No links.']);
    var head = el('tr', {}, [el('th', { scope: 'col' }, ['Relation']), el('th', { scope: 'col' }, ['Target'])]);
    var rows = [];
    rels.forEach(function (rel) {
      [].concat(links[rel]).forEach(function (link) {
        if (!link || typeof link.href !== 'string') return;
        var docs = curieDocs(docsFrom, rel);
        var relCell = el('th', { scope: 'row' }, [docs ? anchor(docs, rel) : rel]);
        var label = link.title || link.name || link.href;
        var target = ACTION_RELS.indexOf(rel) >= 0
          ? el('td', {}, [actionForm(rel, link)])
          : link.templated
          ? el('td', {}, [el('code', {}, [link.href]), openAnchor(link), templateForm(rel, link)])
          : el('td', {}, [anchor(link.href, label), label !== link.href ? el('span', { class: 'muted' }, [' ' + link.href]) : null]);
        var row = el('tr', { 'data-rel': rel }, [relCell, target]);
        rows.push(row);
      });
    });
    return el('table', { class: 'links' }, [caption ? el('caption', {}, [caption]) : null, el('thead', {}, [head]), el('tbody', {}, rows)]);
  }

  function embeddedSection(doc, docsFrom) {
    var embedded = doc._embedded || {};
    var section = el('section', { 'aria-labelledby': 'embedded-heading' }, [el('h2', { id: 'embedded-heading' }, ['Embedded'])]);
    var rels = Object.keys(embedded);
    if (!rels.length) return null;
    rels.forEach(function (rel) {
      var entries = [].concat(embedded[rel]);
      section.appendChild(el('h3', {}, [rel + ' (' + entries.length + ')']));
      if (!entries.length) { section.appendChild(el('p', { class: 'muted' }, ['None.'])); return; }
      var list = el('ol', { class: 'embedded', 'data-rel': rel });
      entries.forEach(function (entry, i) {
        var self = entry && entry._links && entry._links.self;
        var name = (self && (self.title || self.href)) || rel + ' ' + (i + 1);
        list.appendChild(el('li', {}, [
          el('article', { 'aria-label': name }, [
            propertiesTable(entry, 'Properties'),
            linksTable(entry, docsFrom, 'Links')
          ])
        ]));
      });
      section.appendChild(list);
    });
    return section;
  }

  function setTitle(title) {
    document.title = title === 'halsync' ? title : title + ' · halsync';
  }

  function renderHal(doc, etag) {
    var selfLink = doc._links && doc._links.self;
    var title = doc.title || doc.name || (selfLink && selfLink.title) || location.pathname;
    setTitle(title);
    main.appendChild(el('h1', { id: 'title' }, [title]));
    main.appendChild(el('section', { 'aria-labelledby': 'properties-heading' }, [
      el('h2', { id: 'properties-heading' }, ['Properties']), propertiesTable(doc, null)
    ]));
    main.appendChild(el('section', { 'aria-labelledby': 'links-heading' }, [
      el('h2', { id: 'links-heading' }, ['Links']), linksTable(doc, doc, null)
    ]));
    var actions = actionsSection(doc, etag);
    if (actions) main.appendChild(actions);
    var embedded = embeddedSection(doc, doc);
    if (embedded) main.appendChild(embedded);
  }

  /** JSON that is not HAL (a collection's JSON Schema, the OpenAPI document): shown as it is, not as an empty HAL document. */
  function renderJson(doc, type) {
    var title = doc.title || (doc.info && doc.info.title) || location.pathname;
    setTitle(String(title));
    main.appendChild(el('h1', { id: 'title' }, [String(title)]));
    main.appendChild(el('p', { class: 'muted' }, [type === 'application/schema+json' ? 'A JSON Schema' : type]));
    main.appendChild(el('pre', { class: 'json' }, [JSON.stringify(doc, null, 2)]));
  }

  function renderProblem(doc, status) {
    setTitle(doc.title || 'Error');
    var box = el('section', { class: 'problem', role: 'alert', 'aria-labelledby': 'title' }, [
      el('h2', { id: 'title' }, [String(doc.status || status) + ' ' + (doc.title || 'Error')]),
      doc.detail ? el('p', { class: 'detail' }, [String(doc.detail)]) : null,
      doc.type ? el('p', { class: 'muted' }, ['Type: ', el('code', {}, [String(doc.type)])]) : null
    ]);
    if (Array.isArray(doc.errors) && doc.errors.length) {
      var head = el('tr', {}, [el('th', { scope: 'col' }, ['Field']), el('th', { scope: 'col' }, ['Problem'])]);
      var rows = doc.errors.map(function (e) {
        return el('tr', {}, [el('td', {}, [el('code', {}, [String(e.pointer)])]), el('td', {}, [String(e.detail)])]);
      });
      box.appendChild(el('table', {}, [el('caption', {}, ['Errors']), el('thead', {}, [head]), el('tbody', {}, rows)]));
    }
    var rest = {};
    Object.keys(doc).forEach(function (k) { if (['type', 'title', 'status', 'detail', 'errors'].indexOf(k) < 0) rest[k] = doc[k]; });
    if (Object.keys(rest).length) box.appendChild(propertiesTable(rest, 'More'));
    main.appendChild(el('h1', {}, ['Problem']));
    main.appendChild(box);
    if (status === 401) main.appendChild(tokenForm());
  }

  function tokenForm() {
    var form = el('form', { class: 'template', 'aria-label': 'Bearer token' }, [
      el('label', { for: 'token' }, ['Bearer token', el('input', { id: 'token', type: 'password', autocomplete: 'off' })]),
      el('button', { type: 'submit' }, ['Use token'])
    ]);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value);
      location.reload();
    });
    return form;
  }

  function renderText(text, type) {
    main.appendChild(el('h1', {}, [location.pathname]));
    main.appendChild(el('p', { class: 'muted' }, [type || 'unknown type']));
    main.appendChild(el('pre', { class: 'text' }, [text]));
  }

  function raw(text) {
    main.appendChild(el('details', {}, [el('summary', {}, ['Raw response']), el('pre', {}, [text])]));
  }

  function done(state) {
    main.setAttribute('aria-busy', 'false');
    document.body.setAttribute('data-state', state);
  }

  var headers = { Accept: ACCEPT };
  var token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  fetch(location.href, { headers: headers, cache: 'no-store' }).then(function (response) {
    return response.text().then(function (text) {
      var type = (response.headers.get('Content-Type') || '').split(';')[0].trim().toLowerCase();
      var facts = [response.status + ' ' + response.statusText, type];
      ['ETag', 'Location'].forEach(function (h) { var v = response.headers.get(h); if (v) facts.push(h + ': ' + v); });
      where.textContent = location.href + ' — ' + facts.filter(Boolean).join(' · ');
      var json = null;
      if (/(^|\+)json$/.test(type) || type === 'application/json') {
        try { json = JSON.parse(text); } catch (e) { json = null; }
      }
      if (json && type === 'application/problem+json') renderProblem(json, response.status);
      else if (json && typeof json === 'object' && !Array.isArray(json) && json._links) renderHal(json, response.headers.get('ETag'));
      else if (json && typeof json === 'object' && !Array.isArray(json)) renderJson(json, type);
      else renderText(text, type);
      if (json && json._links) raw(JSON.stringify(json, null, 2));
      done(response.ok ? 'ready' : 'problem');
    });
  }).catch(function (error) {
    renderProblem({ title: 'Request failed', detail: String(error && error.message || error) }, 0);
    done('problem');
  });
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>halsync</title>
<style>${STYLE}${FORM_STYLE}</style>
</head>
<body data-state="loading">
<header>
<nav class="top" aria-label="halsync"><a id="home" href="/">halsync</a> · <a href="/docs">API reference</a></nav>
<p id="where" aria-live="polite">Loading…</p>
</header>
<main id="document" aria-busy="true"></main>
<noscript><p>This HAL browser needs JavaScript. Ask for <code>application/hal+json</code> to read the API directly.</p></noscript>
<script>${SCRIPT}</script>
</body>
</html>
`;
