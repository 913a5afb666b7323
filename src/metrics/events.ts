// Live updates for the big screen: one LISTEN per process on 'case_changed' and 'alert_changed', fanned out
// to every Server-Sent Events client (GET /api/events).
import type { Db } from '../store/db.ts';

export const EVENT_CHANNELS = ['case_changed', 'alert_changed'] as const;
type Listener = (channel: string, payload: string) => void;

export class EventHub {
  private listeners = new Set<Listener>();
  private unlisten: (() => Promise<void>)[] = [];
  private starting: Promise<void> | null = null;
  constructor(private db: Db) {}

  async subscribe(fn: Listener): Promise<() => void> {
    this.listeners.add(fn);
    this.starting ??= Promise.all(EVENT_CHANNELS.map((ch) => this.db.listen(ch, (p) => this.emit(ch, p)))).then((u) => {
      this.unlisten = u;
    });
    await this.starting;
    return () => void this.listeners.delete(fn);
  }

  private emit(channel: string, payload: string): void {
    for (const fn of this.listeners) fn(channel, payload);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.all(this.unlisten.map((u) => u().catch(() => {})));
    this.unlisten = [];
    this.starting = null;
  }
}
