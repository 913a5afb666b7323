// `npm run bench -- NAME [args]` runs bench/NAME.ts; each benchmark writes bench/results/NAME.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const available = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [args]`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(pathToFileURL(path.join(dir, `${name}.ts`)).href);
