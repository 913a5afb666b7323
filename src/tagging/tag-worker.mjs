// Worker bootstrap: registers tsx in the worker thread (no build step), then runs the TypeScript entry.
import { register } from 'tsx/esm/api';
register();
await import('./tag-worker.ts');
