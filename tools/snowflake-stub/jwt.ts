/**
 * Key-pair authentication as Snowflake checks it: the login request carries an RS256 JWT whose
 * issuer is `ACCOUNT.USER.SHA256:<base64 sha256 of the public key's DER SPKI>` and whose
 * subject is `ACCOUNT.USER`; the signature must verify with the user's registered public key.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

export interface JwtCheck {
  ok: boolean;
  /** Why the token was refused (for the login error message). */
  reason?: string;
  claims?: Record<string, unknown>;
}

/** `SHA256:...` fingerprint of a public key, as Snowflake shows it in RSA_PUBLIC_KEY_FP. */
export function publicKeyFingerprint(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const der = key.export({ format: 'der', type: 'spki' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function verifySnowflakeJwt(token: string, expected: { account: string; user: string; publicKey: KeyObject | string; nowMs?: number }): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodePart(headerPart);
    claims = decodePart(payloadPart);
  } catch {
    return { ok: false, reason: 'JWT parts are not base64url JSON' };
  }
  if (header.alg !== 'RS256') return { ok: false, reason: `JWT algorithm ${String(header.alg)} is not RS256`, claims };
  const key = typeof expected.publicKey === 'string' ? createPublicKey(expected.publicKey) : expected.publicKey;
  const signed = verify('RSA-SHA256', Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, 'base64url'));
  if (!signed) return { ok: false, reason: 'JWT signature does not verify with the registered public key', claims };
  const subject = `${expected.account.toUpperCase()}.${expected.user.toUpperCase()}`;
  if (claims.sub !== subject) return { ok: false, reason: `JWT subject ${String(claims.sub)} is not ${subject}`, claims };
  const issuer = `${subject}.${publicKeyFingerprint(key)}`;
  if (claims.iss !== issuer) return { ok: false, reason: `JWT issuer ${String(claims.iss)} is not ${issuer}`, claims };
  // The Node driver writes iat/exp in milliseconds; Snowflake tolerates it. Accept either unit.
  const now = expected.nowMs ?? Date.now();
  const exp = Number(claims.exp);
  const expMs = exp > 1e12 ? exp : exp * 1000;
  if (!Number.isFinite(expMs) || expMs < now) return { ok: false, reason: 'JWT has expired', claims };
  return { ok: true, claims };
}
