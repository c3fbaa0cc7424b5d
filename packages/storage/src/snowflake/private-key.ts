/**
 * The private key of key-pair authentication, checked before connecting: the file exists, is a
 * PEM private key, and the passphrase opens it. The driver would otherwise fail inside its login
 * with OpenSSL's words (`bad decrypt`, `interrupted or cancelled`) and no hint. Never prints the
 * passphrase.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ERROR_CODES, GhlakeError } from '@ghlake/core';

const OPTION = 'SNOWFLAKE_PRIVATE_KEY_PATH (--private-key-path)';

/** `~/x` and relative paths made absolute against `cwd`. */
export function resolveKeyPath(file: string, cwd: string): string {
  const expanded = file === '~' || file.startsWith('~/') ? path.join(homedir(), file.slice(1)) : file;
  return path.resolve(cwd, expanded);
}

function keyError(message: string, hint: string, file: string): GhlakeError {
  return new GhlakeError(ERROR_CODES.INVALID_OPTION, message, { hint, details: { option: OPTION, file } });
}

export function checkPrivateKey(file: string, passphrase: string | undefined): void {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw keyError(
      `${OPTION} names ${file}, which cannot be read (${code ?? 'error'})`,
      'give the path of the PEM private key whose public key is set on the Snowflake user',
      file,
    );
  }
  const text = pem.toString('utf8');
  if (!/-----BEGIN (?:ENCRYPTED |RSA )?PRIVATE KEY-----/.test(text)) {
    throw keyError(
      `${file} is not a PEM private key`,
      'key-pair authentication needs a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)',
      file,
    );
  }
  const encrypted = text.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type: 4,ENCRYPTED/.test(text);
  if (encrypted && !passphrase) {
    throw keyError(`the private key ${file} is encrypted and no passphrase is set`, 'set SNOWFLAKE_PRIVATE_KEY_PASSPHRASE (--private-key-passphrase)', file);
  }
  try {
    createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
  } catch {
    throw keyError(
      encrypted ? `the passphrase does not open the private key ${file}` : `the private key ${file} cannot be read`,
      encrypted ? 'check SNOWFLAKE_PRIVATE_KEY_PASSPHRASE (--private-key-passphrase)' : 'key-pair authentication needs an RSA private key in PKCS#8 PEM',
      file,
    );
  }
}
