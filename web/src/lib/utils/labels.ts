/**
 * @module web/utils/labels
 * Greedy placement of map labels so they do not overlap: labels are placed by priority, each at
 * the first candidate offset (on its anchor, then above, below, further above/below) that does
 * not collide with a label already placed.
 */

export interface LabelBox {
  /** anchor in screen px; the label is centred on it */
  x: number;
  y: number;
  w: number;
  h: number;
  /** higher is placed first */
  priority: number;
}

export interface Placement {
  dx: number;
  dy: number;
  /** no free spot was found: the label stays on its anchor, overlapping */
  overlaps: boolean;
}

const STEPS = [0, -1, 1, -2, 2, -3, 3];

function hits(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }): boolean {
  return Math.abs(a.x - b.x) * 2 < a.w + b.w && Math.abs(a.y - b.y) * 2 < a.h + b.h;
}

/** Offsets for each label (same order as `boxes`). */
export function placeLabels(boxes: readonly LabelBox[], gap = 2): Placement[] {
  const order = boxes.map((b, i) => i).sort((a, b) => boxes[b]!.priority - boxes[a]!.priority || a - b);
  const placed: { x: number; y: number; w: number; h: number }[] = [];
  const out: Placement[] = boxes.map(() => ({ dx: 0, dy: 0, overlaps: false }));
  for (const i of order) {
    const b = boxes[i]!;
    let done = false;
    for (const k of STEPS) {
      const cand = { x: b.x, y: b.y + k * (b.h + gap), w: b.w + gap, h: b.h + gap };
      if (!placed.some((p) => hits(p, cand))) {
        placed.push(cand);
        out[i] = { dx: 0, dy: cand.y - b.y, overlaps: false };
        done = true;
        break;
      }
    }
    if (!done) {
      placed.push({ x: b.x, y: b.y, w: b.w + gap, h: b.h + gap });
      out[i] = { dx: 0, dy: 0, overlaps: true };
    }
  }
  return out;
}

/** Rough width of a text in px: CJK characters are one em, others about 0.58 em. */
export function textWidth(text: string, fontPx: number): number {
  let em = 0;
  for (const ch of text) em += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 1 : 0.58;
  return em * fontPx;
}

/** A street's short label: `定海路街道` → `定海路` (the map shows only streets). */
export function shortStreetName(name: string): string {
  return name.length > 3 && name.endsWith('街道') ? name.slice(0, -2) : name;
}

/** A street's short English label for tight places: `Dinghai Road` → `Dinghai Rd`. */
export function shortStreetNameEn(name: string): string {
  return name.replace(/ Road$/, ' Rd');
}
