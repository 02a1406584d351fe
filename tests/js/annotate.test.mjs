// Annotated output of `featherdet detect --out`: the PNG encoder (decoded back by stb_image in
// the wasm runtime), CRC-32, and box/keypoint drawing on exact pixels.
import { describe, expect, test } from 'vitest';
import { crc32, drawDetections, encodePng, labelColor } from '../../bin/annotate.mjs';
import { importApi } from './helpers.mjs';

describe('encodePng', () => {
  test('CRC-32 of "IEND" and of "123456789" (the standard check value)', () => {
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  test('round trip through stb_image: same size and pixels', async () => {
    const width = 7;
    const height = 5;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37 + 11) & 0xff;
    const png = encodePng(rgb, width, height);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const runtime = await (await importApi()).loadRuntime();
    const img = runtime.decodeImage(new Uint8Array(png));
    expect([img.width, img.height]).toEqual([width, height]);
    expect(Array.from(img.pixels)).toEqual(Array.from(rgb));
  });

  test('rejects a buffer of the wrong size', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2)).toThrow('encodePng: 10 bytes for 2x2 RGB');
  });
});

describe('drawDetections', () => {
  const at = (img, x, y) => Array.from(img.pixels.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

  test('box outline in the label color, interior and outside untouched, keypoint marked', () => {
    const img = { width: 40, height: 30, pixels: new Uint8Array(40 * 30 * 3) };
    drawDetections(img, [{ box: { x: 5, y: 4, width: 20, height: 16 }, labelId: 3, keypoints: [{ x: 15, y: 12 }] }]);
    const c = labelColor(3);
    expect(at(img, 5, 4)).toEqual(c); // top-left corner
    expect(at(img, 24, 19)).toEqual(c); // bottom-right corner (x + width - 1, y + height - 1)
    expect(at(img, 15, 4)).toEqual(c); // top edge
    expect(at(img, 5, 10)).toEqual(c); // left edge
    expect(at(img, 8, 8)).toEqual([0, 0, 0]); // inside, away from the keypoint
    expect(at(img, 25, 10)).toEqual([0, 0, 0]); // right of the box
    expect(at(img, 15, 12)).toEqual([255, 255, 255]); // keypoint center
    expect(at(img, 13, 12)).toEqual(c); // keypoint frame
  });

  test('boxes partly outside the image are clipped', () => {
    const img = { width: 10, height: 10, pixels: new Uint8Array(300) };
    drawDetections(img, [{ box: { x: -5, y: -5, width: 30, height: 8 }, labelId: 0, keypoints: [] }]);
    expect(at(img, 0, 2)).toEqual(labelColor(0));
    expect(at(img, 5, 5)).toEqual([0, 0, 0]);
  });

  test('label colors differ between neighbouring ids', () => {
    const colors = new Set(Array.from({ length: 10 }, (_, i) => labelColor(i).join()));
    expect(colors.size).toBe(10);
  });
});
