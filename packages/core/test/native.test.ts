/** ghlake's native addon (src/native.ts): loaded here, and what commands say when it is not. */
import { expect, it } from 'vitest';
import { nativeInUse, nativeNotice, nativeStatus } from '../src/index.js';

it('the native addon is built and in use (npm run build:native; CI builds it with GHLAKE_NATIVE_REQUIRED=1)', () => {
  expect(nativeStatus()).toEqual({ loaded: true });
  expect(nativeInUse()).toBe('native (packages/core/native)');
});

it('says why hours run in JavaScript when the addon did not load, and nothing when it runs or was turned off on purpose', () => {
  expect(nativeNotice()).toBeUndefined();
  expect(nativeNotice({ loaded: false, reason: 'no ghlake_native.node' }, {})).toBe(
    'hours are read and encoded in JavaScript (transforms 45-55% slower, docs/build.md): no ghlake_native.node',
  );
  expect(nativeNotice({ loaded: false, reason: 'GHLAKE_NATIVE=0' }, { GHLAKE_NATIVE: '0' })).toBeUndefined();
  expect(nativeInUse({ loaded: false, reason: 'GHLAKE_NATIVE=0' })).toBe('JavaScript — GHLAKE_NATIVE=0');
});
