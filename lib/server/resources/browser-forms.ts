/**
 * The HAL browser's writes: a form per HAL-FORMS template the node published (`_templates`,
 * DESIGN §2; the page asks for them), so the page offers exactly what its principal may do.
 * A template with a `data` property gets a JSON editor (a textarea, prefilled with the item's
 * data); a submission sends `{ "data": … }` with the template's method, `If-Match` with the
 * ETag the page was read with, and the token. A 422 lists each `errors[].pointer` under the
 * field; any other refusal is shown beside the button. Plain ES2017, inserted into the page's
 * script (browser.ts), whose helpers (`el`, `safeUrl`, `ACCEPT`, `token`) it uses.
 */
export const FORMS = String.raw`
  function writeHeaders(json, etag) {
    var h = { Accept: ACCEPT };
    if (json) h['Content-Type'] = 'application/json';
    if (etag) h['If-Match'] = etag;
    if (token) h.Authorization = 'Bearer ' + token;
    return h;
  }

  function problemText(response, json) {
    return response.status + ' ' + ((json && (json.detail || json.title)) || response.statusText);
  }

  function writeForm(key, template, doc, etag) {
    var props = Array.isArray(template.properties) ? template.properties : [];
    var dataProp = props.filter(function (p) { return p && p.name === 'data'; })[0];
    var title = template.title || key;
    var form = el('form', { class: 'write', 'aria-label': title, 'data-template': key });
    form.appendChild(el('h3', {}, [title]));
    form.appendChild(el('p', { class: 'muted' }, [el('code', {}, [String(template.method || 'GET') + ' ' + String(template.target || location.href)])]));
    var editor = null;
    var errors = el('ul', { class: 'field-errors', 'aria-live': 'polite' });
    if (dataProp) {
      var id = 'data-' + key;
      var value = template.method === 'PUT' && doc.data !== undefined ? doc.data : {};
      editor = el('textarea', { id: id, name: 'data', spellcheck: 'false', 'aria-describedby': id + '-errors' });
      editor.value = JSON.stringify(value, null, 2);
      errors.id = id + '-errors';
      form.appendChild(el('label', { for: id }, [dataProp.prompt || 'data (JSON)']));
      form.appendChild(editor);
      form.appendChild(errors);
    }
    var status = el('p', { role: 'status' });
    form.appendChild(el('button', { type: 'submit' }, [title]));
    form.appendChild(status);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      errors.textContent = '';
      status.textContent = '';
      status.className = '';
      var body;
      if (editor) {
        editor.removeAttribute('aria-invalid');
        try {
          body = JSON.stringify({ data: JSON.parse(editor.value) });
        } catch (e) {
          editor.setAttribute('aria-invalid', 'true');
          errors.appendChild(el('li', {}, ['Not JSON: ' + e.message]));
          return;
        }
      }
      var url = safeUrl(template.target || location.href);
      if (!url) return;
      status.textContent = 'Sending…';
      // A PUT or DELETE changes the version the page shows: If-Match makes it fail (412) if that is no longer the item's.
      var match = template.method === 'PUT' || template.method === 'DELETE' ? etag : null;
      fetch(url, { method: template.method, headers: writeHeaders(Boolean(editor), match), body: body, cache: 'no-store' }).then(function (response) {
        return response.text().then(function (text) {
          var json = null;
          try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
          if (response.ok) return afterWrite(template, response, json, doc);
          status.className = 'status-bad';
          status.setAttribute('role', 'alert');
          status.textContent = problemText(response, json);
          if (editor && json && Array.isArray(json.errors)) {
            editor.setAttribute('aria-invalid', 'true');
            json.errors.forEach(function (e) {
              errors.appendChild(el('li', {}, [el('code', {}, [String(e.pointer)]), ' ' + String(e.detail)]));
            });
          }
        });
      }).catch(function (error) {
        status.className = 'status-bad';
        status.textContent = String(error && error.message || error);
      });
    });
    return form;
  }

  /** Where a successful write leads: the created or restored item, the same item again, or (after a delete) its collection. */
  function afterWrite(template, response, json, doc) {
    var created = response.headers.get('Location');
    var self = json && json._links && json._links.self && json._links.self.href;
    var up = doc._links && doc._links.collection && doc._links.collection.href;
    var next = template.method === 'DELETE' ? up : created || self;
    var url = next && safeUrl(next);
    if (url && url !== location.href) location.assign(url);
    else location.reload();
  }

  function actionsSection(doc, etag) {
    var templates = doc._templates;
    if (!templates || typeof templates !== 'object') return null;
    var keys = Object.keys(templates);
    var section = el('section', { class: 'actions', 'aria-labelledby': 'actions-heading' }, [el('h2', { id: 'actions-heading' }, ['Actions'])]);
    if (!keys.length) section.appendChild(el('p', { class: 'muted' }, ['Nothing you may change here.']));
    keys.forEach(function (key) {
      var t = templates[key];
      if (t && typeof t === 'object') section.appendChild(writeForm(key, t, doc, etag));
    });
    return section;
  }
`;
