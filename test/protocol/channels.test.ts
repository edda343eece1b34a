import { expect } from 'chai';
import { channelReader, parsePointer, visibleUnder } from '../../lib/protocol/channels.js';
import type { Json } from '../../lib/protocol/types.js';

describe('protocol: channels', function () {
  describe('from a JSON Pointer into data', function () {
    it('reads a string as one channel and an array of strings as a set (distinct, sorted)', function () {
      expect(channelReader('/owner')({ owner: 'user:alice' })).to.deep.equal({ ok: true, channels: ['user:alice'] });
      expect(channelReader('/lists')({ lists: ['list:9', 'list:1', 'list:9'] })).to.deep.equal({ ok: true, channels: ['list:1', 'list:9'] });
      expect(channelReader('/lists')({ lists: [] })).to.deep.equal({ ok: true, channels: [] });
    });

    it('gives no channels when the pointer finds nothing or null', function () {
      const read = channelReader('/meta/owner');
      for (const data of [{}, { meta: {} }, { meta: { owner: null } }, { meta: 'text' }, { meta: [1] }, null, 5, 'owner'] as Json[]) {
        expect(read(data), JSON.stringify(data)).to.deep.equal({ ok: true, channels: [] });
      }
    });

    it('follows RFC 6901: escapes, array indexes, and the whole document', function () {
      expect(channelReader('/a~1b/m~0n')({ 'a/b': { 'm~n': 'x' } })).to.deep.equal({ ok: true, channels: ['x'] });
      expect(channelReader('/owners/1')({ owners: ['a', 'b'] })).to.deep.equal({ ok: true, channels: ['b'] });
      expect(channelReader('/owners/01')({ owners: ['a', 'b'] }), 'a leading zero is no index').to.deep.equal({ ok: true, channels: [] });
      expect(channelReader('/owners/-')({ owners: ['a'] })).to.deep.equal({ ok: true, channels: [] });
      expect(channelReader('')('whole')).to.deep.equal({ ok: true, channels: ['whole'] });
      expect(channelReader('/')({ '': 'empty key' })).to.deep.equal({ ok: true, channels: ['empty key'] });
    });

    it('sees only the data\u2019s own properties, never those of Object.prototype', function () {
      expect(channelReader('/constructor')({})).to.deep.equal({ ok: true, channels: [] });
      expect(channelReader('/__proto__')(JSON.parse('{"__proto__": "own"}') as Json)).to.deep.equal({ ok: true, channels: ['own'] });
    });

    it('refuses any other value with the pointer of what is wrong', function () {
      const read = channelReader('/owner');
      for (const [value, kind] of [
        [5, 'a number'],
        [true, 'a boolean'],
        [{ id: 'x' }, 'an object'],
      ] as Array<[Json, string]>) {
        const result = read({ owner: value });
        expect(result.ok).to.equal(false);
        if (result.ok) return;
        expect(result.error.pointer).to.equal('/owner');
        expect(result.error.detail).to.contain(kind);
      }
      expect(read({ owner: ['a', 7, 'b'] })).to.deep.equal({ ok: false, error: { pointer: '/owner/1', detail: 'a channel must be a string, not a number' } });
      expect(read({ owner: ['a', ['b']] })).to.deep.include({ ok: false });
    });

    it('refuses a pointer that is not RFC 6901 syntax when compiled, not at the first write', function () {
      expect(() => channelReader('owner')).to.throw(TypeError, /must be empty or start with "\/"/);
      expect(() => channelReader('/a~2')).to.throw(TypeError, /"~" must be followed by 0 or 1/);
      expect(() => parsePointer('/a~')).to.throw(TypeError);
      expect(parsePointer('/a~01/b')).to.deep.equal(['a~1', 'b']);
    });
  });

  describe('from a function of data', function () {
    it('takes what it returns as the pointer\u2019s value, its errors pointing at the data', function () {
      const read = channelReader((data) => (data as { tags?: Json }).tags);
      expect(read({ tags: ['b', 'a'] })).to.deep.equal({ ok: true, channels: ['a', 'b'] });
      expect(read({})).to.deep.equal({ ok: true, channels: [] });
      const bad = channelReader(() => ['a', 3]);
      const result = bad({});
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.error).to.deep.include({ pointer: '' });
      expect(channelReader(() => 42)({})).to.deep.include({ ok: false });
    });
  });

  describe('visibleUnder', function () {
    it('matches a grant naming one of the channels, and * everything, items without channels too', function () {
      expect(visibleUnder(['a', 'b'], ['b'])).to.equal(true);
      expect(visibleUnder(['a'], ['b', 'c'])).to.equal(false);
      expect(visibleUnder([], ['a'])).to.equal(false);
      expect(visibleUnder([], ['*'])).to.equal(true);
      expect(visibleUnder(['a'], [])).to.equal(false);
    });
  });
});
