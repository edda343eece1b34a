import { expect } from 'chai';
import { FORMS } from '../../../lib/server/resources/browser-forms.js';

interface FakeElement {
  tag: string;
  attrs: Record<string, string>;
  children: (FakeElement | string)[];
  value?: string;
  id?: string;
  appendChild(child: FakeElement): void;
  addEventListener(): void;
}

function el(tag: string, attrs: Record<string, string> = {}, children: (FakeElement | string)[] = []): FakeElement {
  return {
    tag,
    attrs,
    children: [...children],
    appendChild(child) {
      this.children.push(child);
    },
    addEventListener() {},
  };
}

interface Forms {
  writeHeaders(json: boolean, etag: string | null): Record<string, string>;
  problemText(response: { status: number; statusText: string }, json: unknown): string;
  actionsSection(doc: Record<string, unknown>, etag: string | null): FakeElement | null;
}

// The script is plain ES2017 using the page's helpers; run it here with stand-ins for them.
function load(token: string): Forms {
  const make = new Function(
    'el',
    'safeUrl',
    'ACCEPT',
    'token',
    'location',
    `${FORMS}\nreturn { writeHeaders: writeHeaders, problemText: problemText, actionsSection: actionsSection };`,
  ) as (...args: unknown[]) => Forms;
  return make(el, (u: string) => u, 'application/hal+json', token, { href: 'http://node/items/a' });
}

function find(node: FakeElement | string, tag: string): FakeElement[] {
  if (typeof node === 'string') return [];
  return [...(node.tag === tag ? [node] : []), ...node.children.flatMap((c) => find(c, tag))];
}

describe('server/resources/browser-forms: the HAL browser page write forms', () => {
  it('sends Accept always, and Content-Type, If-Match and the token only when there are any', () => {
    expect(load('').writeHeaders(false, null)).to.deep.equal({ Accept: 'application/hal+json' });
    expect(load('t0k').writeHeaders(true, '"v1"')).to.deep.equal({
      Accept: 'application/hal+json',
      'Content-Type': 'application/json',
      'If-Match': '"v1"',
      Authorization: 'Bearer t0k',
    });
  });

  it('describes a refusal by its problem detail, title or status text', () => {
    const { problemText } = load('');
    expect(problemText({ status: 412, statusText: 'Precondition Failed' }, { title: 'Stale', detail: 'Version changed' })).to.equal('412 Version changed');
    expect(problemText({ status: 403, statusText: 'Forbidden' }, { title: 'Not yours' })).to.equal('403 Not yours');
    expect(problemText({ status: 500, statusText: 'Internal Server Error' }, null)).to.equal('500 Internal Server Error');
  });

  it('offers no actions section without templates, and says so when there are none', () => {
    const { actionsSection } = load('');
    expect(actionsSection({}, null)).to.equal(null);
    const empty = actionsSection({ _templates: {} }, null);
    expect(find(empty!, 'form')).to.have.length(0);
    expect(find(empty!, 'p')[0].children).to.deep.equal(['Nothing you may change here.']);
  });

  it('builds a form per template, with a JSON editor prefilled for a PUT of data', () => {
    const doc = {
      data: { n: 1 },
      _templates: {
        default: { title: 'Replace', method: 'PUT', target: '/items/a', properties: [{ name: 'data' }] },
        delete: { title: 'Delete', method: 'DELETE', target: '/items/a' },
      },
    };
    const section = load('').actionsSection(doc, '"v1"')!;
    const forms = find(section, 'form');
    expect(forms.map((f) => f.attrs['data-template'])).to.deep.equal(['default', 'delete']);
    const editors = find(forms[0], 'textarea');
    expect(editors).to.have.length(1);
    expect(JSON.parse(editors[0].value!)).to.deep.equal({ n: 1 });
    expect(find(forms[1], 'textarea')).to.have.length(0);
    expect(find(forms[1], 'button')[0].children).to.deep.equal(['Delete']);
  });
});
