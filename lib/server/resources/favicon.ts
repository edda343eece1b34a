import type { Context } from 'koa';

/**
 * `/favicon.ico`, which browsers fetch unasked: a 16×16 icon (a ringed disc in the browser page's
 * accent colours, drawn here rather than shipped as a binary file) instead of a 404 in every page's console.
 */
const SIZE = 16;

function drawIcon(): Buffer {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const dx = x - 7.5;
      const dy = y - 7.5;
      const r = Math.sqrt(dx * dx + dy * dy);
      // BGRA, rows bottom-up (a BMP inside the ICO): blue above the diagonal, teal below, white ring.
      const [b, g, r8, a] = r > 7.5 ? [0, 0, 0, 0] : r > 4.5 && r < 6 ? [255, 255, 255, 255] : dx > dy ? [173, 92, 11, 255] : [140, 150, 0, 255];
      const at = ((SIZE - 1 - y) * SIZE + x) * 4;
      pixels[at] = b;
      pixels[at + 1] = g;
      pixels[at + 2] = r8;
      pixels[at + 3] = a;
    }
  }
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(SIZE, 4);
  header.writeInt32LE(SIZE * 2, 8); // colour rows plus the AND mask's
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  const mask = Buffer.alloc(SIZE * 4); // 1 bit a pixel, rows padded to 32 bits; alpha decides
  const image = Buffer.concat([header, pixels, mask]);
  const dir = Buffer.alloc(22);
  dir.writeUInt16LE(1, 2); // type: icon
  dir.writeUInt16LE(1, 4); // one image
  dir.writeUInt8(SIZE, 6);
  dir.writeUInt8(SIZE, 7);
  dir.writeUInt16LE(1, 10);
  dir.writeUInt16LE(32, 12);
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(22, 18);
  return Buffer.concat([dir, image]);
}

const ICON = drawIcon();

export function faviconRoute() {
  return {
    async GET(ctx: Context) {
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.type = 'image/x-icon';
      ctx.body = ICON;
    },
  };
}
