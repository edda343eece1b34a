import { expect } from 'chai';
import { configValidator, firstError } from '../../lib/server/config-schemas.js';

describe('server/config-schemas', () => {
  it('checks a config file, a principals file and a grants object against spec/config/', () => {
    expect(configValidator('config')({ collections: [{ name: 'notes', channels: '/owner', schema: 'note.json' }], jwt: { secret: 's' } })).to.equal(true);
    expect(configValidator('principals')({ 'tok-1': { id: 'alice', grants: { notes: { read: ['a'], write: [] } } } })).to.equal(true);
    expect(configValidator('grants')({ notes: { read: ['*'] } })).to.equal(true);
  });

  it('refuses what is not one, and says where in one line', () => {
    const config = configValidator('config');
    expect(config({ collections: [{ name: 'notes', channels: 'owner' }] })).to.equal(false);
    expect(firstError(config)).to.match(/^\/collections\/0\/channels /);
    expect(config({ jwt: { secret: 's', jwks: 'https://keys.example/jwks.json' } })).to.equal(false);
    expect(config({ unknown: 1 })).to.equal(false);
    expect(firstError(config)).to.equal('/unknown unknown field');
    const grants = configValidator('grants');
    expect(grants({ notes: { read: 'a' } })).to.equal(false);
    expect(grants({ notes: { read: [], admin: true } })).to.equal(false);
    expect(grants({ 'bad name!': { read: [] } })).to.equal(false);
  });
});
