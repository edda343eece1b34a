import { expect } from 'chai';
import { constants, createGunzip, gzipSync } from 'node:zlib';
import { GZIP_LEVEL, ZLIB_CHUNK } from '../../lib/protocol/compression.js';

/** How both sides run zlib (lib/protocol/compression.ts): what its two numbers say they buy. */
describe('protocol/compression', () => {
  // A sync log of a thousand entries of about 200 bytes of data, as a first sync sends them.
  const log = JSON.stringify({
    entries: Array.from({ length: 1000 }, (_, i) => ({
      itemId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      updatedAt: '2026-12-01T10:00:00.000Z',
      fingerprint: (i * 2654435761).toString(16).padStart(40, '0').slice(-40),
      deleted: false,
      data: {
        title: `charlie delta ${i}`,
        owner: 'echo@example.org',
        status: i % 2 ? 'open' : 'closed',
        priority: i % 5,
        tags: ['kilo', 'lima'],
        amount: i / 7,
      },
      base: null,
    })),
  });

  /** How many pieces inflating `zipped` hands out with this output buffer. */
  async function pieces(zipped: Buffer, chunkSize?: number): Promise<{ count: number; text: string }> {
    const gunzip = createGunzip(chunkSize ? { chunkSize } : {});
    const chunks: Buffer[] = [];
    gunzip.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise((resolve, reject) => gunzip.on('end', resolve).on('error', reject));
    gunzip.end(zipped);
    await ended;
    return { count: chunks.length, text: Buffer.concat(chunks).toString() };
  }

  it("is zlib's fastest level, and a sync log still shrinks more than threefold at it", () => {
    expect(GZIP_LEVEL).to.equal(constants.Z_BEST_SPEED);
    expect(gzipSync(log, { level: GZIP_LEVEL }).length * 3).to.be.below(Buffer.byteLength(log));
  });

  it("inflates a sync log in a few pieces where zlib's default buffer takes many", async () => {
    const zipped = gzipSync(log, { level: GZIP_LEVEL });
    const [ours, defaults] = [await pieces(zipped, ZLIB_CHUNK), await pieces(zipped)];
    expect(ours.text).to.equal(log);
    expect(defaults.text).to.equal(log);
    expect(ours.count).to.be.at.most(Math.ceil(Buffer.byteLength(log) / ZLIB_CHUNK));
    expect(defaults.count).to.be.above(ours.count * 4);
  });
});
