import { expect } from 'chai';
import { FORM_STYLE, STYLE } from '../../../lib/server/resources/browser-style.js';

/** The CSS rules' selectors, in order. */
function selectors(css: string): string[] {
  return [...css.matchAll(/^([^{}@:\n][^{}\n]*?)\s*\{/gm)].map((m) => m[1].trim());
}

describe('server/resources/browser-style: the style of the browser and /rels pages', () => {
  it('defines the colour variables it uses, for light and dark schemes', () => {
    expect(STYLE).to.contain('color-scheme: light dark');
    expect(STYLE).to.contain('@media (prefers-color-scheme: dark)');
    const defined = new Set([...STYLE.matchAll(/(--[a-z]+):/g)].map((m) => m[1]));
    const used = new Set([...(STYLE + FORM_STYLE).matchAll(/var\((--[a-z]+)\)/g)].map((m) => m[1]));
    expect([...used].sort()).to.deep.equal(['--accent', '--bad', '--line', '--muted']);
    for (const name of used) expect(defined.has(name), name).to.equal(true);
  });

  it('styles the classes the pages render', () => {
    const rules = selectors(STYLE);
    for (const selector of ['.muted', '.problem', 'form.template', 'ol.embedded', 'th[scope=row]']) expect(rules, selector).to.include(selector);
    const formRules = selectors(FORM_STYLE);
    for (const selector of ['nav.top', 'section.actions form', 'ul.field-errors', '.status-bad', 'textarea[aria-invalid=true]', 'pre.json']) {
      expect(formRules, selector).to.include(selector);
    }
  });

  it('has balanced braces and no markup that could end the <style> element', () => {
    for (const css of [STYLE, FORM_STYLE]) {
      expect(css.split('{').length).to.equal(css.split('}').length);
      expect(css).to.not.match(/<\//);
    }
  });
});
