import { expect } from 'chai';
import { URI_TEMPLATES } from '../../../lib/server/resources/browser-uri-template.js';

type Expand = (template: string, values: Record<string, unknown>) => string;
type Vars = (template: string) => string[];

// The script is plain ES2017 inserted into the page; run it here to reach its functions.
const script = new Function(`${URI_TEMPLATES}\nreturn { expand: expand, templateVars: templateVars };`) as () => { expand: Expand; templateVars: Vars };
const { expand, templateVars } = script();

describe('server/resources/browser-uri-template: RFC 6570 expansion in the HAL browser page', () => {
  const values = { var: 'value', hello: 'Hello World!', path: '/foo/bar', x: '1024', y: '768', empty: '' };

  it('expands simple and reserved expressions, encoding per operator', () => {
    expect(expand('{var}', values)).to.equal('value');
    expect(expand('{hello}', values)).to.equal('Hello%20World%21');
    expect(expand('{+hello}', values)).to.equal('Hello%20World!');
    expect(expand('{+path}/here', values)).to.equal('/foo/bar/here');
    expect(expand('{path}', values)).to.equal('%2Ffoo%2Fbar');
    expect(expand('{#path}', values)).to.equal('#/foo/bar');
  });

  it('expands label, path, parameter and query operators with lists of names', () => {
    expect(expand('{.x,y}', values)).to.equal('.1024.768');
    expect(expand('{/var,x}', values)).to.equal('/value/1024');
    expect(expand('{;x,y}', values)).to.equal(';x=1024;y=768');
    expect(expand('/items{?x,y}', values)).to.equal('/items?x=1024&y=768');
    expect(expand('?fixed=1{&x}', values)).to.equal('?fixed=1&x=1024');
  });

  it('drops undefined and empty variables, and whole expressions without any', () => {
    expect(expand('/items{?missing,x}', values)).to.equal('/items?x=1024');
    expect(expand('/items{?missing,empty}', values)).to.equal('/items');
    expect(expand('a{missing}b', values)).to.equal('ab');
  });

  it('lists each variable name once, without modifiers', () => {
    expect(templateVars('/items/{id}{?since,limit}{&since}{/path*}{var:3}')).to.deep.equal(['id', 'since', 'limit', 'path', 'var']);
    expect(templateVars('/plain')).to.deep.equal([]);
  });
});
