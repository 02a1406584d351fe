// The AP computation of `featherdet eval` (bin/ap.mjs) on hand-made cases with hand-computed
// answers.
import { describe, expect, test } from 'vitest';
import { COCO_IOUS, ap101, apAllPoints, averagePrecision, cocoMap, iou, matchImage, precisionRecall } from '../../bin/ap.mjs';

const box = (x, y, width, height) => ({ x, y, width, height });

describe('iou', () => {
  test('identical, disjoint, touching and half-shifted boxes', () => {
    expect(iou(box(0, 0, 10, 10), box(0, 0, 10, 10))).toBe(1);
    expect(iou(box(0, 0, 10, 10), box(20, 20, 5, 5))).toBe(0);
    expect(iou(box(0, 0, 10, 10), box(10, 0, 10, 10))).toBe(0);
    expect(iou(box(0, 0, 10, 10), box(5, 0, 10, 10))).toBeCloseTo(50 / 150, 12);
    expect(iou(box(0, 0, 0, 10), box(0, 0, 0, 10))).toBe(0);
  });
});

describe('matchImage', () => {
  test('the higher-scored duplicate is the hit, the other a false positive', () => {
    const gt = [{ box: box(0, 0, 10, 10) }];
    const dets = [{ box: box(1, 0, 10, 10), score: 0.5 }, { box: box(0, 0, 10, 10), score: 0.9 }];
    expect(matchImage(dets, gt, 0.5)).toEqual({ result: ['fp', 'tp'], positives: 1 });
  });

  test('below the IoU threshold is a false positive', () => {
    const gt = [{ box: box(0, 0, 10, 10) }];
    expect(matchImage([{ box: box(5, 0, 10, 10), score: 1 }], gt, 0.5).result).toEqual(['fp']);
    expect(matchImage([{ box: box(5, 0, 10, 10), score: 1 }], gt, 0.3).result).toEqual(['tp']);
  });

  test('ignored ground truth absorbs detections, is no positive, and loses to a real match', () => {
    const gt = [{ box: box(0, 0, 10, 10), ignore: true }, { box: box(2, 0, 10, 10) }];
    const dets = [
      { box: box(0, 0, 10, 10), score: 0.9 }, // IoU 1 with the ignored box, 0.67 with the real one
      { box: box(0, 0, 10, 10), score: 0.8 }, // real box taken: falls back to the ignored one
      { box: box(0, 1, 10, 10), score: 0.7 }, // same
      { box: box(50, 50, 10, 10), score: 0.6 },
    ];
    expect(matchImage(dets, gt, 0.5)).toEqual({ result: ['tp', 'ignore', 'ignore', 'fp'], positives: 1 });
  });
});

describe('average precision', () => {
  // 3 positives; detections by score: hit, miss, hit; one positive never found.
  const pr = precisionRecall([{ score: 0.9, tp: true }, { score: 0.7, tp: true }, { score: 0.8, tp: false }], 3);

  test('precision/recall in descending score order', () => {
    expect(pr.precision).toEqual([1, 0.5, 2 / 3]);
    expect(pr.recall).toEqual([1 / 3, 1 / 3, 2 / 3]);
  });

  test('all-point AP = 1/3 * 1 + 1/3 * 2/3', () => {
    expect(apAllPoints(pr)).toBeCloseTo(1 / 3 + 2 / 9, 12);
  });

  test('101-point AP: 34 levels at precision 1, 33 at 2/3, 34 at 0', () => {
    expect(ap101(pr)).toBeCloseTo((34 + 33 * (2 / 3)) / 101, 12);
  });

  test('perfect detections give 1, no detections 0', () => {
    const images = [
      { detections: [{ box: box(0, 0, 10, 10), score: 0.3 }], groundTruth: [{ box: box(0, 0, 10, 10) }] },
      { detections: [{ box: box(5, 5, 20, 20), score: 0.9 }], groundTruth: [{ box: box(5, 5, 20, 20) }] },
    ];
    expect(averagePrecision(images, 0.5, 'all')).toBe(1);
    expect(averagePrecision(images, 0.5, '101')).toBe(1);
    expect(averagePrecision(images.map((i) => ({ ...i, detections: [] })), 0.5)).toBe(0);
  });

  test('a false positive scored above every hit halves the precision envelope', () => {
    const images = [{
      detections: [{ box: box(100, 100, 5, 5), score: 0.99 }, { box: box(0, 0, 10, 10), score: 0.5 }],
      groundTruth: [{ box: box(0, 0, 10, 10) }],
    }];
    expect(averagePrecision(images, 0.5, 'all')).toBe(0.5);
  });

  test('small ignored faces count neither as hits nor as misses', () => {
    const big = { box: box(0, 0, 40, 40) };
    const small = { box: box(100, 100, 8, 8), ignore: true };
    const hitBig = { box: box(0, 0, 40, 40), score: 0.9 };
    const onSmall = { box: box(100, 100, 8, 8), score: 0.95 };
    // Without the ignore flag, the small face is a second positive: AP 0.5 (or 1 when found).
    expect(averagePrecision([{ detections: [hitBig], groundTruth: [big, { box: small.box }] }], 0.5)).toBe(0.5);
    expect(averagePrecision([{ detections: [hitBig], groundTruth: [big, small] }], 0.5)).toBe(1);
    expect(averagePrecision([{ detections: [onSmall, hitBig], groundTruth: [big, small] }], 0.5)).toBe(1);
  });
});

describe('cocoMap', () => {
  test('IoU thresholds are 0.50, 0.55, ..., 0.95', () => {
    expect(COCO_IOUS).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
  });

  test('per class over thresholds, averaged over classes present in the ground truth', () => {
    const images = [{
      detections: [
        { box: box(0, 0, 10, 10), score: 0.9, labelId: 0 }, // exact: AP 1 at every threshold
        { box: box(20, 0, 10, 6.2), score: 0.8, labelId: 3 }, // IoU 0.62: hit at 0.50, 0.55, 0.60
        { box: box(20, 0, 10, 10), score: 0.7, labelId: 5 }, // class absent from the ground truth
      ],
      groundTruth: [{ box: box(0, 0, 10, 10), labelId: 0 }, { box: box(20, 0, 10, 10), labelId: 3 }],
    }];
    const r = cocoMap(images);
    expect(r.classes).toBe(2);
    expect(r.perClass[0]).toEqual({ ap: 1, ap50: 1, positives: 1 });
    expect(r.perClass[3].ap).toBeCloseTo(0.3, 12);
    expect(r.perClass[3].ap50).toBe(1);
    expect(r.map).toBeCloseTo(0.65, 12);
    expect(r.map50).toBe(1);
  });

  test('a wrong label is a miss for the true class', () => {
    const images = [{
      detections: [{ box: box(0, 0, 10, 10), score: 0.9, labelId: 1 }],
      groundTruth: [{ box: box(0, 0, 10, 10), labelId: 0 }],
    }];
    expect(cocoMap(images)).toMatchObject({ map: 0, map50: 0, classes: 1 });
  });
});
