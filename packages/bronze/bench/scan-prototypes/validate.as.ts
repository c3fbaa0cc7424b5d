// The validating line scan of the byte reader (json-reader.ts skipAny) in AssemblyScript: a prototype that measures
// what WebAssembly (scalar, and with 16-byte SIMD string skipping) would do for the scan. Not product code.
const QUOTE: u8 = 34;
const BACKSLASH: u8 = 92;

@inline function isWs(c: u32): bool { return c == 32 || c == 9 || c == 13; }

let stackBase: usize = 0;

// string starting at p (at the opening quote): returns index past the closing quote, or -1
@inline function skipString(p: usize, simd: bool): isize {
  p++;
  while (true) {
    if (simd) {
      while (true) {
        const v = v128.load(p);
        const m = v128.or(v128.or(i8x16.lt_u(v, i8x16.splat(0x20)), i8x16.eq(v, i8x16.splat(0x22))), i8x16.eq(v, i8x16.splat(0x5c)));
        const bits = i8x16.bitmask(m);
        if (bits == 0) { p += 16; continue; }
        p += <usize>ctz(bits);
        break;
      }
    } else {
      let c = <u32>load<u8>(p);
      while (c >= 0x20 && c != 34 && c != 92) { p++; c = <u32>load<u8>(p); }
    }
    const c = <u32>load<u8>(p);
    if (c == 34) return <isize>(p + 1);
    if (c != 92) return -1;
    const d = <u32>load<u8>(p + 1);
    if (d == 117) {
      for (let k: usize = 2; k < 6; k++) {
        const h = <u32>load<u8>(p + k);
        if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) return -1;
      }
      p += 6;
      continue;
    }
    if (!(d == 34 || d == 92 || d == 47 || d == 98 || d == 102 || d == 110 || d == 114 || d == 116)) return -1;
    p += 2;
  }
}

@inline function isDigit(c: u32): bool { return c >= 48 && c <= 57; }

function skipScalar(p: usize): isize {
  let c = <u32>load<u8>(p);
  if (c == 116) { return load<u8>(p+1) == 114 && load<u8>(p+2) == 117 && load<u8>(p+3) == 101 ? <isize>(p + 4) : -1; }
  if (c == 102) { return load<u8>(p+1) == 97 && load<u8>(p+2) == 108 && load<u8>(p+3) == 115 && load<u8>(p+4) == 101 ? <isize>(p + 5) : -1; }
  if (c == 110) { return load<u8>(p+1) == 117 && load<u8>(p+2) == 108 && load<u8>(p+3) == 108 ? <isize>(p + 4) : -1; }
  if (c == 45) { p++; c = <u32>load<u8>(p); }
  if (c == 48) { p++; c = <u32>load<u8>(p); }
  else if (c >= 49 && c <= 57) { while (isDigit(c)) { p++; c = <u32>load<u8>(p); } }
  else return -1;
  if (c == 46) { p++; c = <u32>load<u8>(p); if (!isDigit(c)) return -1; while (isDigit(c)) { p++; c = <u32>load<u8>(p); } }
  if (c == 101 || c == 69) { p++; c = <u32>load<u8>(p); if (c == 43 || c == 45) { p++; c = <u32>load<u8>(p); } if (!isDigit(c)) return -1; while (isDigit(c)) { p++; c = <u32>load<u8>(p); } }
  return <isize>p;
}

// validate one value at p: returns index past it or -1 (explicit stack)
function skipValue(p: usize, simd: bool): isize {
  let c = <u32>load<u8>(p);
  if (c == 34) return skipString(p, simd);
  if (c != 123 && c != 91) return skipScalar(p);
  let depth = 0;
  store<u8>(stackBase + depth++, <u8>c);
  p++;
  let afterOpen = true;
  while (true) {
    c = <u32>load<u8>(p);
    while (isWs(c)) { p++; c = <u32>load<u8>(p); }
    const top = <u32>load<u8>(stackBase + depth - 1);
    if (afterOpen && c == top + 2) {
      p++;
      if (--depth == 0) return <isize>p;
    } else {
      if (top == 123) {
        if (c != 34) return -1;
        const q = skipString(p, simd); if (q < 0) return -1; p = <usize>q;
        c = <u32>load<u8>(p); while (isWs(c)) { p++; c = <u32>load<u8>(p); }
        if (c != 58) return -1;
        p++; c = <u32>load<u8>(p); while (isWs(c)) { p++; c = <u32>load<u8>(p); }
      }
      if (c == 123 || c == 91) { store<u8>(stackBase + depth++, <u8>c); p++; afterOpen = true; continue; }
      const q = c == 34 ? skipString(p, simd) : skipScalar(p);
      if (q < 0) return -1;
      p = <usize>q;
    }
    while (true) {
      c = <u32>load<u8>(p);
      while (isWs(c)) { p++; c = <u32>load<u8>(p); }
      if (c == 44) { p++; afterOpen = false; break; }
      if (c == <u32>load<u8>(stackBase + depth - 1) + 2) { p++; if (--depth == 0) return <isize>p; continue; }
      return -1;
    }
  }
}

// lines in [base, base+len): each must be one JSON value then the newline; returns valid line count
export function validateLines(base: usize, len: usize, stack: usize, simd: bool): i32 {
  stackBase = stack;
  let p = base; const end = base + len; let valid = 0;
  while (p < end) {
    let e = p; while (load<u8>(e) != 10 && e < end) e++;
    const q = skipValue(p, simd);
    if (q >= 0 && <usize>q == e) valid++;
    p = e + 1;
  }
  return valid;
}
