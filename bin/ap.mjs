// Average precision for `featherdet eval`: greedy score-ordered matching of detections to ground
// truth (COCO rules, with "ignored" ground truth), precision/recall accumulation over a data set,
// all-point interpolated AP (WIDER FACE / VOC style) and COCO's 101-point AP and mAP@[.5:.95].
// Boxes are {x, y, width, height} in pixels.

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a, b) {
  const ix = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const iy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Matches one image's detections [{box, score}] to its ground truth [{box, ignore?}] at an IoU
 * threshold. Detections are taken by descending score; each takes the unmatched non-ignored
 * ground truth of highest IoU >= threshold, else the ignored one of highest IoU (ignored ground
 * truth can absorb any number of detections). Returns per detection (in input order) 'tp', 'fp'
 * or 'ignore', and the number of non-ignored ground-truth boxes.
 */
export function matchImage(detections, groundTruth, threshold) {
  const order = detections.map((_, i) => i).sort((i, j) => detections[j].score - detections[i].score || i - j);
  const taken = new Array(groundTruth.length).fill(false);
  const result = new Array(detections.length);
  for (const d of order) {
    let best = -1;
    let bestIou = threshold;
    let bestIgnored = -1;
    let bestIgnoredIou = threshold;
    groundTruth.forEach((g, k) => {
      const v = iou(detections[d].box, g.box);
      if (g.ignore) {
        if (v >= bestIgnoredIou) {
          bestIgnoredIou = v;
          bestIgnored = k;
        }
      } else if (!taken[k] && v >= bestIou) {
        bestIou = v;
        best = k;
      }
    });
    if (best >= 0) {
      taken[best] = true;
      result[d] = 'tp';
    } else {
      result[d] = bestIgnored >= 0 ? 'ignore' : 'fp';
    }
  }
  return { result, positives: groundTruth.filter((g) => !g.ignore).length };
}

/**
 * Precision/recall curve of scored outcomes pooled over images: outcomes [{score, tp: bool}]
 * (ignored detections left out), positives = ground-truth count. Returns {precision, recall}
 * arrays in descending-score order.
 */
export function precisionRecall(outcomes, positives) {
  const sorted = [...outcomes].sort((a, b) => b.score - a.score);
  const precision = [];
  const recall = [];
  let tp = 0;
  sorted.forEach((o, i) => {
    if (o.tp) tp++;
    precision.push(tp / (i + 1));
    recall.push(positives > 0 ? tp / positives : 0);
  });
  return { precision, recall };
}

/** Precision made non-increasing from the right (the interpolation envelope). */
function envelope(precision) {
  const p = [...precision];
  for (let i = p.length - 2; i >= 0; i--) p[i] = Math.max(p[i], p[i + 1]);
  return p;
}

/** All-point interpolated AP (area under the precision envelope), as WIDER FACE and VOC 2010+. */
export function apAllPoints({ precision, recall }) {
  const p = envelope(precision);
  let ap = 0;
  let prev = 0;
  for (let i = 0; i < p.length; i++) {
    ap += (recall[i] - prev) * p[i];
    prev = recall[i];
  }
  return ap;
}

/** COCO 101-point AP: mean over recall levels 0, 0.01, ..., 1 of the envelope precision. */
export function ap101({ precision, recall }) {
  const p = envelope(precision);
  let sum = 0;
  let i = 0;
  for (let r = 0; r <= 100; r++) {
    const level = r / 100;
    while (i < recall.length && recall[i] < level - 1e-12) i++;
    sum += i < recall.length ? p[i] : 0;
  }
  return sum / 101;
}

/** COCO IoU thresholds 0.50:0.05:0.95. */
export const COCO_IOUS = Array.from({ length: 10 }, (_, i) => (50 + 5 * i) / 100);

/**
 * Single-class AP over a data set: images [{detections: [{box, score}], groundTruth: [{box,
 * ignore?}]}] at one IoU threshold, with `method` 'all' (all-point) or '101' (COCO).
 */
export function averagePrecision(images, threshold, method = 'all') {
  const outcomes = [];
  let positives = 0;
  for (const img of images) {
    const m = matchImage(img.detections, img.groundTruth, threshold);
    positives += m.positives;
    img.detections.forEach((d, i) => {
      if (m.result[i] !== 'ignore') outcomes.push({ score: d.score, tp: m.result[i] === 'tp' });
    });
  }
  const pr = precisionRecall(outcomes, positives);
  return method === '101' ? ap101(pr) : apAllPoints(pr);
}

/**
 * COCO-style detection metrics over a data set: images [{detections: [{box, score, labelId}],
 * groundTruth: [{box, labelId}]}]. Per class present in the ground truth, 101-point AP at each
 * IoU of COCO_IOUS; classes averaged. Returns {map (mAP@[.5:.95]), map50, classes: count,
 * perClass: {labelId: {ap, ap50, positives}}}.
 */
export function cocoMap(images) {
  const classes = [...new Set(images.flatMap((img) => img.groundTruth.map((g) => g.labelId)))].sort((a, b) => a - b);
  const perClass = {};
  for (const c of classes) {
    const subset = images.map((img) => ({
      detections: img.detections.filter((d) => d.labelId === c),
      groundTruth: img.groundTruth.filter((g) => g.labelId === c),
    }));
    const aps = COCO_IOUS.map((t) => averagePrecision(subset, t, '101'));
    perClass[c] = {
      ap: aps.reduce((a, b) => a + b, 0) / aps.length,
      ap50: aps[0],
      positives: subset.reduce((n, img) => n + img.groundTruth.length, 0),
    };
  }
  const mean = (key) => (classes.length ? classes.reduce((s, c) => s + perClass[c][key], 0) / classes.length : 0);
  return { map: mean('ap'), map50: mean('ap50'), classes: classes.length, perClass };
}
