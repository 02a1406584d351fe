// Annotated images for `featherdet detect --out`: draws detection boxes and keypoints into an
// RGB8 buffer and encodes it as PNG (zlib from Node, no other dependency).
import { deflateSync } from 'node:zlib';

/** CRC-32 (IEEE, reflected, as PNG chunks use) lookup table. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of bytes. */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** PNG file bytes of RGB8 pixels [height, width, 3] (8-bit truecolor, filter 0 on every row). */
export function encodePng(rgb, width, height) {
  if (rgb.length !== width * height * 3) throw new Error(`encodePng: ${rgb.length} bytes for ${width}x${height} RGB`);
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 3)] = 0;
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (1 + width * 3) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, color type 2 (RGB), deflate, filter 0, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A distinct, saturated color per label id: [r, g, b]. */
export function labelColor(labelId) {
  const hue = ((labelId * 0.618033988749895) % 1) * 6;
  const f = hue - Math.floor(hue);
  const rgb = [[1, f, 0], [1 - f, 1, 0], [0, 1, f], [0, 1 - f, 1], [f, 0, 1], [1, 0, 1 - f]][Math.floor(hue) % 6];
  return rgb.map((v) => Math.round(60 + 195 * v));
}

/** Fills the clipped rectangle [x0, x1) x [y0, y1) of an RGB8 image with color. */
function fillRect(img, x0, y0, x1, y1, color) {
  const xa = Math.max(0, Math.floor(x0));
  const ya = Math.max(0, Math.floor(y0));
  const xb = Math.min(img.width, Math.ceil(x1));
  const yb = Math.min(img.height, Math.ceil(y1));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) img.pixels.set(color, (y * img.width + x) * 3);
  }
}

/**
 * Draws detections (JSON form: {box: {x, y, width, height}, labelId, keypoints: [{x, y}]}, source
 * pixels) into img {width, height, pixels: RGB8}: box outlines in the label's color, keypoints as
 * white squares framed in that color. Line width scales with the image size.
 */
export function drawDetections(img, detections) {
  const t = Math.max(2, Math.round(Math.max(img.width, img.height) / 300));
  for (const d of detections) {
    const color = labelColor(d.labelId);
    const { x, y, width, height } = d.box;
    fillRect(img, x, y, x + width, y + t, color);
    fillRect(img, x, y + height - t, x + width, y + height, color);
    fillRect(img, x, y, x + t, y + height, color);
    fillRect(img, x + width - t, y, x + width, y + height, color);
    for (const k of d.keypoints ?? []) {
      fillRect(img, k.x - t, k.y - t, k.x + t + 1, k.y + t + 1, color);
      fillRect(img, k.x - t + 1, k.y - t + 1, k.x + t, k.y + t, [255, 255, 255]);
    }
  }
  return img;
}
