// Classification quality: macro-F1, accuracy, per-class F1, and a reliability table for calibration.

export interface Scores {
  macro_f1: number;
  accuracy: number;
  per_class_f1: Record<string, number>;
}

export function scoreLabels(gold: string[], pred: string[]): Scores {
  const labels = [...new Set(gold)].sort();
  const per: Record<string, number> = {};
  let correct = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === pred[i]) correct++;
  let sum = 0;
  for (const l of labels) {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < gold.length; i++) {
      if (pred[i] === l && gold[i] === l) tp++;
      else if (pred[i] === l) fp++;
      else if (gold[i] === l) fn++;
    }
    const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    per[l] = round4(f1);
    sum += f1;
  }
  return { macro_f1: round4(labels.length ? sum / labels.length : 0), accuracy: round4(gold.length ? correct / gold.length : 0), per_class_f1: per };
}

/** Expected calibration error over 10 confidence bins, with the bins. */
export function reliability(confidence: number[], correct: boolean[], bins = 10) {
  const table = Array.from({ length: bins }, (_, b) => ({ from: b / bins, to: (b + 1) / bins, n: 0, confidence: 0, accuracy: 0 }));
  confidence.forEach((c, i) => {
    const b = table[Math.min(bins - 1, Math.floor(c * bins))];
    b.n++;
    b.confidence += c;
    b.accuracy += correct[i] ? 1 : 0;
  });
  let ece = 0;
  for (const b of table) {
    if (b.n) {
      ece += (b.n / confidence.length) * Math.abs(b.accuracy / b.n - b.confidence / b.n);
      b.confidence = round4(b.confidence / b.n);
      b.accuracy = round4(b.accuracy / b.n);
    }
  }
  return { ece: round4(ece), bins: table.filter((b) => b.n) };
}

export const round4 = (x: number) => Math.round(x * 10000) / 10000;
