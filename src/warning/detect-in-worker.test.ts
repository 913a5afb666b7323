// The detector threads: started warm, and running below the serving threads' priority (Linux).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DETECTOR_NICE, warmWarningWorkers } from './detect-in-worker.ts';

const niceOfThreads = () =>
  fs.readdirSync(`/proc/${process.pid}/task`).map((t) => Number(fs.readFileSync(`/proc/${process.pid}/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));

describe('detector threads', () => {
  it.skipIf(!fs.existsSync('/proc/thread-self'))('start on request and run niced', async () => {
    const before = niceOfThreads().filter((n) => n === DETECTOR_NICE).length;
    await warmWarningWorkers(['concentrated', 'emerging']);
    expect(niceOfThreads().filter((n) => n === DETECTOR_NICE).length).toBe(before + 2);
    expect(niceOfThreads()).toContain(0); // this (serving) thread keeps its priority
  }, 60_000);
});
