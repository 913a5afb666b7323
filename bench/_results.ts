// Writes a benchmark's results to bench/results/NAME.json (and prints them), with the machine it ran on.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

export function writeResults(name: string, results: Record<string, unknown>): string {
  const doc = {
    benchmark: name,
    ranAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    ...results,
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  console.log(JSON.stringify(doc, null, 2));
  return file;
}

/** Milliseconds a fixed single-thread CPU task takes now (hashing, JSON, sorting; median of three): this shared
 *  machine's speed drifts by tens of per cent within minutes, so a run's figures carry the reading next to them. */
export function fixedTaskMs(): number {
  const once = () => {
    const t = performance.now();
    let x = 0;
    for (let i = 0; i < 60_000; i++) x += crypto.createHash('sha256').update(`task ${i}`).digest()[0]!;
    const rows = Array.from({ length: 60_000 }, (_, i) => ({ i, s: String((i * 7919) % 60_000), x }));
    JSON.parse(JSON.stringify(rows)).sort((a: { s: string }, b: { s: string }) => (a.s < b.s ? -1 : 1));
    return performance.now() - t;
  };
  const runs = [once(), once(), once()].sort((a, b) => a - b);
  return Math.round(runs[1]!);
}
