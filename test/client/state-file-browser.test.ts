import { expect } from 'chai';
import { ClientError } from '../../lib/client/errors.js';
import { fileCheckpoints } from '../../lib/client/state-file-browser.js';

/** The state file of a browser build (lib/client/state-file-browser.ts): none, refused with a clear error. */
describe('client/state-file-browser', () => {
  it('refuses to load or save, naming the file and what a page does instead', async () => {
    const checkpoints = fileCheckpoints('./halsync-state.json');
    for (const attempt of [() => checkpoints.load(), () => checkpoints.save({ local: 'a', remote: 'b' } as never)]) {
      let error: unknown;
      await attempt().catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(ClientError);
      expect((error as Error).message).to.equal('a state file (./halsync-state.json) needs Node: in a browser, sync a store (syncStore)');
    }
  });
});
