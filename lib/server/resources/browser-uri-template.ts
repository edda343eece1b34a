/**
 * RFC 6570 URI Template expansion, levels 1 to 3, for the HAL browser's script (browser.ts):
 * templated links (`sync:item`, `sync:transactions`) are expanded in the page from a form.
 * Plain ES2017, inserted into the page's script.
 */
export const URI_TEMPLATES = String.raw`
  // RFC 6570, levels 1 to 3: {var} {+var} {#var} {.var} {/var} {;var} {?var} {&var}, lists of names.
  var OPERATORS = {
    '': { first: '', sep: ',', named: false, reserved: false },
    '+': { first: '', sep: ',', named: false, reserved: true },
    '#': { first: '#', sep: ',', named: false, reserved: true },
    '.': { first: '.', sep: '.', named: false, reserved: false },
    '/': { first: '/', sep: '/', named: false, reserved: false },
    ';': { first: ';', sep: ';', named: true, reserved: false, ifEmpty: '' },
    '?': { first: '?', sep: '&', named: true, reserved: false, ifEmpty: '=' },
    '&': { first: '&', sep: '&', named: true, reserved: false, ifEmpty: '=' }
  };
  var EXPRESSION = /\{([+#./;?&]?)([^}]*)\}/g;

  function varNames(spec) {
    return spec.split(',').map(function (v) { return v.replace(/(\*|:\d+)$/, ''); }).filter(Boolean);
  }

  function templateVars(template) {
    var names = [];
    template.replace(EXPRESSION, function (_, op, spec) {
      varNames(spec).forEach(function (n) { if (names.indexOf(n) < 0) names.push(n); });
      return '';
    });
    return names;
  }

  function encode(value, reserved) {
    if (reserved) return encodeURI(value).replace(/%25([0-9A-Fa-f]{2})/g, '%$1');
    return encodeURIComponent(value).replace(/[!'()*]/g, function (c) {
      return '%' + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  function expand(template, values) {
    return template.replace(EXPRESSION, function (_, op, spec) {
      var o = OPERATORS[op];
      var parts = [];
      varNames(spec).forEach(function (name) {
        var value = values[name];
        if (value === undefined || value === null || value === '') return;
        var text = encode(String(value), o.reserved);
        parts.push(o.named ? name + '=' + text : text);
      });
      return parts.length ? o.first + parts.join(o.sep) : '';
    });
  }
`;
