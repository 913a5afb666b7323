// Writes a benchmark's results to bench/results/NAME.json (and prints them), with the machine it ran on.
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
