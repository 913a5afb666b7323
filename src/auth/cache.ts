// Resolved credentials (session cookie or API token → actor) cached for a moment: without it every request
// of a signed-in client costs a session or token lookup. Any change this process makes to sessions, users or
// tokens clears the whole cache at once; changes made by another process take effect within AUTH_CACHE_MS.
// Only successful resolutions are cached, never past the session's or token's own expiry.

export const AUTH_CACHE_MS = 2_000;
const MAX_ENTRIES = 10_000;

const entries = new Map<string, { value: unknown; until: number }>();

export async function cachedAuth<T>(key: string, load: () => Promise<T | null>, expiresAt: (v: T) => number | null): Promise<T | null> {
  const now = Date.now();
  const hit = entries.get(key);
  if (hit && hit.until > now) return hit.value as T;
  const value = await load();
  if (value === null) {
    entries.delete(key);
    return null;
  }
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(key, { value, until: Math.min(now + AUTH_CACHE_MS, expiresAt(value) ?? Infinity) });
  return value;
}

/** After sign-out, revocation, role / unit / password changes: the next request is resolved afresh. */
export function clearAuthCache(): void {
  entries.clear();
}
