// Live updates: one shared EventSource on /api/events; if it cannot connect, poll callers every 10 s instead.
import { serves } from './api/http.ts';

type Fn = (data: unknown) => void;
const subs = new Map<string, Set<Fn>>();
let es: EventSource | null = null;
let poll: ReturnType<typeof setInterval> | null = null;
export let liveMode: 'sse' | 'poll' | 'off' = 'off';

function emit(event: string, data: unknown) {
  for (const f of subs.get(event) ?? []) f(data);
}

let connecting = false;
async function connect() {
  if (es || poll || connecting) return;
  connecting = true;
  const ok = typeof EventSource !== 'undefined' && (await serves('GET', '/api/events'));
  connecting = false;
  if (!subs.size || es || poll) return;
  if (!ok) return startPolling();
  es = new EventSource('/api/events');
  let opened = false;
  es.onopen = () => {
    opened = true;
    liveMode = 'sse';
  };
  es.onerror = () => {
    // Before the first open this means the endpoint is missing: fall back to polling for good.
    if (!opened) {
      es?.close();
      es = null;
      startPolling();
    }
  };
  const handler = (name: string) => (ev: MessageEvent) => {
    let data: unknown = ev.data;
    try {
      data = JSON.parse(ev.data);
    } catch { /* plain text */ }
    const kind = name === 'message' && data && typeof data === 'object' && 'type' in data ? String((data as any).type) : name;
    emit(kind, data);
    emit('*', data);
  };
  for (const n of ['case_changed', 'alert_changed', 'metrics', 'message']) es.addEventListener(n, handler(n) as EventListener);
}

function startPolling() {
  liveMode = 'poll';
  poll = setInterval(() => emit('*', { type: 'poll' }), 10_000);
}

/** Subscribes to an event ('case_changed', 'alert_changed' or '*'); returns the unsubscribe function. */
export function subscribe(event: string, fn: Fn): () => void {
  if (!subs.has(event)) subs.set(event, new Set());
  subs.get(event)!.add(fn);
  void connect();
  const polled = (d: unknown) => (d as any)?.type === 'poll' && event !== '*' && fn(d);
  if (event !== '*') {
    if (!subs.has('*')) subs.set('*', new Set());
    subs.get('*')!.add(polled);
  }
  return () => {
    subs.get(event)?.delete(fn);
    subs.get('*')?.delete(polled);
    if ([...subs.values()].every((s) => !s.size)) {
      es?.close();
      es = null;
      if (poll) clearInterval(poll);
      poll = null;
      liveMode = 'off';
    }
  };
}
