// drawDetections: boxes, labels and keypoints of detect() results on a 2D canvas context, the
// way the demo shows them. Sizes are in CSS pixels, scaled by `pixel` for contexts whose
// transform maps source pixels to the screen.
import type { Detection } from './core.js';

/** How drawDetections draws. Every field is optional. */
export interface DrawStyle {
  /** Box and label colour: a CSS colour, or one per detection (default: a distinct hue per labelId). */
  color?: string | ((detection: Detection) => string);
  /** Box line width in CSS pixels (default 2.5). */
  lineWidth?: number;
  /** The label text: false for none, or a function (default: label and score, "face 92%"). */
  label?: boolean | ((detection: Detection) => string);
  /** Label font size in CSS pixels (default 13) and family (default system-ui, sans-serif). */
  fontSize?: number;
  fontFamily?: string;
  /** Label text colour, drawn on the box colour (default '#0b0d10'). */
  textColor?: string;
  /** Keypoint radius in CSS pixels (default 3.5; 0 draws none). */
  keypointRadius?: number;
  /** Keypoint fill colours, by keypoint index (default: six distinct colours). */
  keypointColors?: string[];
  /**
   * One CSS pixel in the context's units (default 1). A context transformed to draw in source
   * pixels at `scale` CSS pixels per source pixel passes 1 / scale.
   */
  pixel?: number;
  /** The area labels must stay within, in the context's units (default: the canvas size / pixel). */
  bounds?: { width: number; height: number };
  /** Label rectangles for which this returns true are moved elsewhere (e.g. off a HUD). */
  avoid?: (x: number, y: number, width: number, height: number) => boolean;
}

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

const KEYPOINT_COLORS = ['#ff5d5d', '#5db8ff', '#ffd35d', '#b05dff', '#5dffa8', '#ff9d5d'];

/** A distinct, readable colour for a label index (golden-angle hues). */
export function labelColor(labelId: number): string {
  return `hsl(${(labelId * 137.5 + 150) % 360} 85% 60%)`;
}

/**
 * Draws detections (in the context's coordinates: source pixels for results of detect(), unless
 * the context is transformed) with boxes, a label above each box (inside or below it where above
 * leaves the bounds or is avoided) and keypoints. Does not clear the canvas.
 */
export function drawDetections(ctx: Context2D, detections: readonly Detection[], style: DrawStyle = {}): void {
  const px = style.pixel ?? 1;
  const bounds = style.bounds ?? { width: ctx.canvas.width / px, height: ctx.canvas.height / px };
  const lineWidth = (style.lineWidth ?? 2.5) * px;
  const radius = (style.keypointRadius ?? 3.5) * px;
  const keypointColors = style.keypointColors ?? KEYPOINT_COLORS;
  const text = style.label === false ? null : typeof style.label === 'function' ? style.label
    : (d: Detection) => `${d.label} ${Math.round(d.score * 100)}%`;
  ctx.save();
  ctx.font = `600 ${(style.fontSize ?? 13) * px}px ${style.fontFamily ?? 'system-ui, sans-serif'}`;
  ctx.textBaseline = 'top';
  for (const d of detections) {
    const { x, y, width, height } = d.box;
    const color = typeof style.color === 'function' ? style.color(d) : style.color ?? labelColor(d.labelId ?? 0);
    ctx.lineWidth = lineWidth;
    ctx.strokeStyle = color;
    ctx.strokeRect(x, y, width, height);
    if (text) {
      const t = text(d);
      const tw = ctx.measureText(t).width + 8 * px;
      const th = ((style.fontSize ?? 13) + 5) * px;
      // Left-aligned with the box, moved left where it would leave the bounds on the right.
      const lx = Math.max(0, Math.min(x, bounds.width - tw));
      const fits = (ty: number) => ty >= 0 && ty + th <= bounds.height && !(style.avoid?.(lx, ty, tw, th) ?? false);
      const ty = [y - th, y, y + height].find(fits) ?? y;
      ctx.fillStyle = color;
      ctx.fillRect(lx - lineWidth / 2, ty, tw, th);
      ctx.fillStyle = style.textColor ?? '#0b0d10';
      ctx.fillText(t, lx + 4 * px - lineWidth / 2, ty + 2.5 * px);
    }
    if (radius > 0) {
      d.keypoints.forEach((k, i) => {
        ctx.beginPath();
        ctx.arc(k.x, k.y, radius, 0, Math.PI * 2);
        ctx.fillStyle = keypointColors[i % keypointColors.length];
        ctx.fill();
        ctx.lineWidth = 1.5 * px;
        ctx.strokeStyle = '#0b0d10';
        ctx.stroke();
      });
    }
  }
  ctx.restore();
}
