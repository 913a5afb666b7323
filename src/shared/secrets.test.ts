import { describe, expect, it } from 'vitest';
import { createSecrets, maskName, maskPhone } from './secrets.ts';

describe('secrets', () => {
  const secrets = createSecrets('test-secret');

  it('round-trips personal data and never reuses a nonce, across refills of the nonce pool', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const c = secrets.encrypt('13800138000');
      expect(secrets.decrypt(c)).toBe('13800138000');
      nonces.add(Buffer.from(c.slice(3), 'base64').subarray(0, 12).toString('hex'));
    }
    expect(nonces.size).toBe(1_000);
    expect(secrets.decrypt(secrets.encrypt('张三丰'))).toBe('张三丰');
  });

  it('refuses a tampered ciphertext and one made with another key', () => {
    const c = secrets.encrypt('13800138000');
    const raw = Buffer.from(c.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => secrets.decrypt(`v1:${raw.toString('base64')}`)).toThrow();
    expect(() => createSecrets('other-secret').decrypt(c)).toThrow();
  });

  it('hashes with the key: equal for the same number, different with another key', () => {
    expect(secrets.hash('13800138000')).toBe(secrets.hash('13800138000'));
    expect(secrets.hash('13800138000')).not.toBe(secrets.hash('13800138001'));
    expect(createSecrets('other-secret').hash('13800138000')).not.toBe(secrets.hash('13800138000'));
  });

  it('masks phone numbers and names for display', () => {
    expect(maskPhone('138 0013 8000')).toBe('138****8000');
    expect(maskPhone('0731-88886666')).toBe('********6666');
    expect(maskName('张三丰')).toBe('张**');
  });
});
