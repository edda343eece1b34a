import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { ClientError } from '../../lib/client/errors.js';
import { fileCheckpoints } from '../../lib/client/state-file.js';
import { stateFile } from '../support/sync.js';

describe('client/state-file', () => {
  it('shares one pair between "sync A B" and "sync B A", each cursor kept by its node', async () => {
    const path = await stateFile();
    await fileCheckpoints(path, 'http://a/', 'http://b/', 'items').save({ local: 'ca', remote: 'cb' });
    expect(await fileCheckpoints(path, 'http://b/', 'http://a/', 'items').load()).to.deep.equal({ local: 'cb', remote: 'ca' });
    expect(await fileCheckpoints(path, 'http://a/', 'http://b/', 'other').load()).to.equal(null);
  });

  it('starts afresh from an older layout, and names a file that is not JSON', async () => {
    const path = await stateFile();
    await writeFile(path, JSON.stringify({ version: 1, 'http://a/': 'x' }));
    expect(await fileCheckpoints(path, 'http://a/', 'http://b/', 'items').load()).to.equal(null);
    await writeFile(path, '{');
    const error = await fileCheckpoints(path, 'http://a/', 'http://b/', 'items')
      .load()
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ClientError);
    expect((error as Error).message).to.contain(path);
  });
});
