import { expect } from 'chai';
import type { Context } from 'koa';
import { faviconRoute } from '../../../lib/server/resources/favicon.js';

async function serve(): Promise<{ headers: Record<string, string>; type: string; body: Buffer }> {
  const headers: Record<string, string> = {};
  const ctx = { set: (name: string, value: string) => (headers[name] = value), type: '', body: undefined as unknown };
  await faviconRoute().GET(ctx as unknown as Context);
  return { headers, type: ctx.type, body: ctx.body as Buffer };
}

describe('server/resources/favicon: /favicon.ico', () => {
  it('serves a cacheable image/x-icon', async () => {
    const { headers, type, body } = await serve();
    expect(type).to.equal('image/x-icon');
    expect(headers['Cache-Control']).to.equal('public, max-age=86400');
    expect(Buffer.isBuffer(body)).to.equal(true);
  });

  it('is a valid ICO holding one 16×16 32-bit BMP image', async () => {
    const { body } = await serve();
    expect([...body.subarray(0, 4)]).to.deep.equal([0, 0, 1, 0]);
    expect(body.readUInt16LE(4)).to.equal(1); // image count
    expect(body[6]).to.equal(16);
    expect(body[7]).to.equal(16);
    expect(body.readUInt16LE(12)).to.equal(32);
    const size = body.readUInt32LE(14);
    const offset = body.readUInt32LE(18);
    expect(offset).to.equal(22);
    expect(offset + size).to.equal(body.length);
    expect(size).to.equal(40 + 16 * 16 * 4 + 16 * 4);
    // The BITMAPINFOHEADER: 40 bytes, 16 wide, twice 16 high (colour plus mask), 32 bits a pixel.
    expect(body.readUInt32LE(offset)).to.equal(40);
    expect(body.readInt32LE(offset + 4)).to.equal(16);
    expect(body.readInt32LE(offset + 8)).to.equal(32);
    expect(body.readUInt16LE(offset + 14)).to.equal(32);
  });

  it('draws a disc: transparent corners, opaque centre', async () => {
    const { body } = await serve();
    const pixels = 22 + 40;
    const alpha = (x: number, y: number) => body[pixels + ((15 - y) * 16 + x) * 4 + 3];
    expect(alpha(0, 0)).to.equal(0);
    expect(alpha(15, 15)).to.equal(0);
    expect(alpha(7, 7)).to.equal(255);
    expect(alpha(7, 2)).to.equal(255); // on the white ring
    expect([...body.subarray(pixels + ((15 - 2) * 16 + 7) * 4, pixels + ((15 - 2) * 16 + 7) * 4 + 3)]).to.deep.equal([255, 255, 255]);
  });

  it('serves the same bytes each time', async () => {
    expect((await serve()).body.equals((await serve()).body)).to.equal(true);
  });
});
