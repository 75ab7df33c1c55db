// The report's picture loader refuses to decode an oversized image (an ID card photo is kept as
// evidence even when the ID check refused it for its size): it is described as unreadable, the
// report goes on, and a normal photo still loads.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImage } from '../../../src-main/reports/images';
import { makeTempDir } from '../../support/temp-dir';

const dir = makeTempDir('vigil-report-images-');
afterAll(() => dir.cleanup());

describe('report pictures', () => {
  it('a 100-megapixel card photo is unreadable for the report; a normal one loads', async () => {
    const huge = path.join(dir.dir, 'card.png');
    fs.writeFileSync(
      huge,
      await sharp({
        create: { width: 10_000, height: 10_000, channels: 3, background: '#ffffff' },
        limitInputPixels: false,
      })
        .png()
        .toBuffer(),
    );
    const refused = await loadImage({ path: huge, maxWidth: 400, maxHeight: 300 });
    expect(refused).toMatchObject({ ok: false, problem: 'unreadable' });
    if (refused.ok) throw new Error('unreachable');
    expect(refused.message).toMatch(/pixel limit/i);
    const photo = path.join(dir.dir, 'photo.jpg');
    fs.writeFileSync(
      photo,
      await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080' } })
        .jpeg()
        .toBuffer(),
    );
    expect(await loadImage({ path: photo, maxWidth: 400, maxHeight: 300 })).toMatchObject({
      ok: true,
      width: 400,
      height: 300,
    });
  });
});
