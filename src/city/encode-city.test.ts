// The loader's encoding: the worker thread produces the same bytes as the in-process encoder, and sealed
// caller columns never hold the plain phone number.
import { describe, expect, it } from 'vitest';
import { createSealCache, encodeCity, encodeCityInWorker, sealCases, CASE_COLUMNS, type EncodedBatch } from './encode-city.ts';
import { createSecrets } from '../shared/secrets.ts';

async function collect(it: Iterator<EncodedBatch, unknown> | AsyncIterator<EncodedBatch, unknown>) {
  const batches: EncodedBatch[] = [];
  for (let r = await it.next(); ; r = await it.next()) {
    if (r.done) return { batches, truth: r.value };
    batches.push(r.value);
  }
}

describe('city encoding', { timeout: 60_000 }, () => {
  const opts = { seed: 9, start: '2026-04-28', days: 6, perDay: 200, incidents: { concentrated: 1, trending: 1, emerging: 1 } };

  it('a worker thread yields the same batches and truth as the in-process encoder', async () => {
    const here = await collect(encodeCity(opts, 4));
    const there = await collect(encodeCityInWorker(opts, 4));
    expect(here.batches.map((b) => b.days.length)).toEqual([4, 2]);
    expect(there).toEqual(here);
  });

  it('seals callers: consecutive ids, ciphertext, keyed hash and mask, never the plain number', async () => {
    const secrets = createSecrets('encode-city-test-secret-0123456789');
    const { batches } = await collect(encodeCity(opts, 6));
    const b = batches[0];
    const lines = sealCases(b, createSealCache(secrets)).trimEnd().split('\n');
    expect(lines).toHaveLength(b.caseTails.length);
    const [id, nameEnc, phoneEnc, hash, masked] = lines[1].split(',');
    expect(Number(id)).toBe(b.firstId + 1);
    expect(secrets.decrypt(nameEnc)).toBe(b.names[1]);
    expect(secrets.decrypt(phoneEnc)).toBe(b.phones[1]);
    expect(hash).toBe(secrets.hash(b.phones[1]));
    expect(masked).toContain('****');
    expect(lines.join('\n')).not.toContain(b.phones[1]);
    expect(CASE_COLUMNS.slice(0, 5)).toEqual(['id', 'caller_name_enc', 'caller_phone_enc', 'caller_phone_hash', 'caller_phone_masked']);
  });
});
