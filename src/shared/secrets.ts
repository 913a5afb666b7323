// Personal data protection: phone numbers and names encrypted at rest (AES-256-GCM), phone numbers also
// keyed-hashed (HMAC-SHA256) for matching repeat callers, and masked for display.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Secrets {
  encrypt(plain: string): string;
  decrypt(cipher: string): string;
  /** Keyed hash for equality matching without storing the plain value. */
  hash(value: string): string;
}

// GCM nonces (96 bits) are cut from a pool the CSPRNG fills 4 KiB at a time, each slice handed out once: the
// same random bytes as one randomBytes call per encrypted field, for one call per 341 of them.
const NONCE_BYTES = 12;
const NONCE_POOL_BYTES = NONCE_BYTES * 341;
let noncePool = Buffer.alloc(0);
let nonceAt = 0;
function nextNonce(): Buffer {
  if (nonceAt + NONCE_BYTES > noncePool.length) {
    noncePool = crypto.randomBytes(NONCE_POOL_BYTES);
    nonceAt = 0;
  }
  nonceAt += NONCE_BYTES;
  return noncePool.subarray(nonceAt - NONCE_BYTES, nonceAt);
}

export function createSecrets(secret: string): Secrets {
  const encKey = crypto.createHash('sha256').update(`enc:${secret}`).digest();
  const macKey = crypto.createHash('sha256').update(`mac:${secret}`).digest();
  return {
    encrypt(plain) {
      const iv = nextNonce();
      const c = crypto.createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `v1:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
    },
    decrypt(cipher) {
      const raw = Buffer.from(cipher.replace(/^v1:/, ''), 'base64');
      const d = crypto.createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    },
    hash(value) {
      return crypto.createHmac('sha256', macKey).update(value).digest('base64url').slice(0, 32);
    },
  };
}

/** The configured secret, or one generated once into dataDir/secret.key (mode 600). */
export function loadOrCreateSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'secret.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const s = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, s + '\n', { mode: 0o600 });
  return s;
}

/** 13800138000 → 138****8000; landlines keep their last 4 digits. */
export function maskPhone(phone: string): string {
  const p = phone.replace(/\s|-/g, '');
  if (/^1\d{10}$/.test(p)) return `${p.slice(0, 3)}****${p.slice(7)}`;
  if (p.length > 4) return `${'*'.repeat(Math.min(p.length - 4, 8))}${p.slice(-4)}`;
  return '****';
}

/** 张三丰 → 张**; a name is never shown whole by default. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}
