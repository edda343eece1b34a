import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DecisionSpool } from '../../lib/cli/decision-spool.js';
import { emptyReport, type Decision, type SyncReport } from '../../lib/client/report.js';

const decision = (collection: string, i: number): Decision => ({
  collection,
  itemId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  winner: 'remote',
  rule: 'one-side',
});

async function printed(spool: DecisionSpool, report: SyncReport): Promise<string> {
  const chunks: Buffer[] = [];
  await spool.print(report, async (chunk) => void chunks.push(Buffer.from(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function spools(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('halsync-decisions-'));
}

describe('cli/decision-spool', () => {
  it('prints the report as JSON.stringify would with the spooled decisions, collection after collection', async () => {
    const spool = new DecisionSpool();
    const report = { ...emptyReport(), collections: ['items', 'notes'], pulled: 5 };
    const items = [0, 1, 2].map((i) => decision('items', i));
    const notes = [3, 4].map((i) => decision('notes', i));
    spool.begin('items');
    spool.add(items.slice(0, 2));
    spool.add([]);
    spool.add(items.slice(2));
    spool.begin('notes');
    spool.add(notes);
    expect(await printed(spool, report)).to.equal(`${JSON.stringify({ ...report, decisions: [...items, ...notes] })}\n`);
    spool.close();
  });

  it('forgets what an earlier attempt of a collection added when it begins again, and keeps the others', async () => {
    const spool = new DecisionSpool();
    spool.begin('items');
    spool.add([decision('items', 1)]);
    spool.begin('notes');
    spool.add([decision('notes', 2)]);
    spool.begin('notes');
    spool.add([decision('notes', 3)]);
    const text = await printed(spool, emptyReport());
    expect(JSON.parse(text).decisions).to.deep.equal([decision('items', 1), decision('notes', 3)]);
    spool.close();
  });

  it('streams a spool larger than its read buffer intact, and prints an empty list when nothing was decided', async () => {
    const spool = new DecisionSpool();
    spool.begin('items');
    const many = Array.from({ length: 20_000 }, (_, i) => decision('items', i));
    for (let i = 0; i < many.length; i += 1000) spool.add(many.slice(i, i + 1000));
    expect(JSON.parse(await printed(spool, emptyReport())).decisions).to.deep.equal(many);
    spool.close();
    const empty = new DecisionSpool();
    empty.begin('items');
    expect(JSON.parse(await printed(empty, emptyReport())).decisions).to.deep.equal([]);
    empty.close();
  });

  it('refuses decisions of a collection that did not begin, makes no file until a decision comes, and leaves none once closed', async () => {
    const before = spools().length;
    const spool = new DecisionSpool();
    expect(() => spool.add([decision('items', 1)])).to.throw(/items added before it began/);
    spool.begin('items');
    spool.begin('other');
    spool.add([]);
    // Nothing decided yet: nothing on disk (a no-op sync writes no file).
    expect(spools().length).to.equal(before);
    spool.add([decision('other', 1)]);
    expect(spools().length).to.equal(before + 1);
    spool.begin('items');
    spool.add([decision('items', 2)]);
    expect(JSON.parse(await printed(spool, emptyReport())).decisions).to.deep.equal([decision('items', 2), decision('other', 1)]);
    spool.close();
    expect(spools().length).to.equal(before);
    expect(existsSync(tmpdir())).to.equal(true);
  });
});
