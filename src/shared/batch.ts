// Coalescing of concurrent lookups: calls made in the same turn of the event loop, or while the previous
// round trip is in flight, go together as one call of `run`. Under load N requests cost one statement instead
// of N; a lone caller waits only for the end of the current turn.

// A round trip that has not settled after this long (a connection lost mid-statement may never answer) no
// longer holds the next calls back.
const STUCK_MS = 5_000;

export function coalesced<K, V>(run: (keys: K[]) => Promise<V[]>, maxBatch = 500): (key: K) => Promise<V> {
  let queue: { key: K; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  let since = 0;
  const drain = async () => {
    while (queue.length) {
      since = Date.now();
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const out = await run(batch.map((b) => b.key));
        batch.forEach((b, i) => b.resolve(out[i]!));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    running = false;
  };
  return (key) =>
    new Promise<V>((resolve, reject) => {
      queue.push({ key, resolve, reject });
      if (!running || Date.now() - since > STUCK_MS) {
        running = true;
        since = Date.now();
        setImmediate(() => void drain());
      }
    });
}

/** One coalescing function per owner (a database), made on first use. */
export function coalescedPer<O extends object, K, V>(make: (owner: O) => (keys: K[]) => Promise<V[]>): (owner: O, key: K) => Promise<V> {
  const fns = new WeakMap<O, (key: K) => Promise<V>>();
  return (owner, key) => {
    let fn = fns.get(owner);
    if (!fn) fns.set(owner, (fn = coalesced(make(owner))));
    return fn(key);
  };
}
