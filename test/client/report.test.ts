import { expect } from 'chai';
import { HttpClient } from '../../lib/client/http.js';
import { addReport, emptyReport, measured, summary } from '../../lib/client/report.js';
import { ScriptedTransport } from '../support/transport.js';

describe('client/report', () => {
  it("adds collections' reports", () => {
    const a = { ...emptyReport(), collections: ['a'], pulled: 2, conflicts: 1, fullResync: true };
    const b = { ...emptyReport(), collections: ['b'], pushed: 3, retries: 1 };
    expect(addReport(a, b)).to.include({ pulled: 2, pushed: 3, conflicts: 1, retries: 1, fullResync: true });
    expect(addReport(a, b).collections).to.deep.equal(['a', 'b']);
  });

  it('measures the traffic of a run once, over each distinct client', async () => {
    const transport = new ScriptedTransport(() => ({ json: {} }));
    const http = new HttpClient({ transport, trust: ['http://n.test'] });
    const report = await measured([http, http, undefined], async () => {
      await http.request('GET', 'http://n.test/');
      await http.request('GET', 'http://n.test/x');
      return { ...emptyReport(), requests: 99 };
    });
    expect(report.requests).to.equal(2);
    expect(report.ms).to.be.a('number').and.at.least(0);
  });

  it('summarises in one line', () => {
    const line = summary({ ...emptyReport(), collections: ['items'], pulled: 1, fullResync: true, unrecorded: 2 });
    expect(line).to.match(/^synced items: 1 pulled, 0 pushed.*\(full resync\) \(2 conflicts not recorded/);
  });
});
