// The byte reader's validating JSON scan (bronze json-reader.ts) in Rust, std only: complete validation of any value
// — structure, string escapes and `\u` digits, control characters, number grammar — without decoding anything.
// Shared by the measurements that use it (validate.rs here, silver's bench/native-floor/row-path.rs); not product code.
use std::arch::x86_64::*;

pub const K_OBJ: u8 = 1; pub const K_ARR: u8 = 2; pub const K_STR: u8 = 3; pub const K_NUM: u8 = 4; pub const K_TRUE: u8 = 5; pub const K_FALSE: u8 = 6; pub const K_NULL: u8 = 7;

#[inline(always)]
pub fn is_ws(c: u8) -> bool { c == b' ' || c == b'\t' || c == b'\r' }

/// Skips a string starting at its quote (SIMD: 16 bytes at a time with SSE2 while no quote, backslash or control byte); returns the index after the closing quote. `esc` is set if it held escapes.
#[inline(always)]
pub fn skip_string<const SIMD: bool>(b: &[u8], mut p: usize, esc: &mut bool) -> Option<usize> {
    p += 1;
    loop {
        if SIMD { unsafe {
            while p + 16 <= b.len() {
                let v = _mm_loadu_si128(b.as_ptr().add(p) as *const __m128i);
                let lt = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
                let m = _mm_or_si128(_mm_or_si128(lt, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x22))), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5c)));
                let bits = _mm_movemask_epi8(m) as u32;
                if bits == 0 { p += 16; continue; }
                p += bits.trailing_zeros() as usize;
                break;
            }
        } }
        while p < b.len() && b[p] >= 0x20 && b[p] != b'"' && b[p] != b'\\' { p += 1; }
        if p >= b.len() { return None; }
        let c = b[p];
        if c == b'"' { return Some(p + 1); }
        if c != b'\\' { return None; }
        *esc = true;
        let d = *b.get(p + 1)?;
        if d == b'u' {
            for k in 2..6 { if !b.get(p + k)?.is_ascii_hexdigit() { return None; } }
            p += 6; continue;
        }
        if !matches!(d, b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') { return None; }
        p += 2;
    }
}

#[inline(always)]
pub fn skip_scalar(b: &[u8], mut p: usize) -> Option<(usize, u8)> {
    let at = |i: usize| -> u8 { *b.get(i).unwrap_or(&0) };
    match at(p) {
        b't' => return if b.get(p..p + 4) == Some(b"true") { Some((p + 4, K_TRUE)) } else { None },
        b'f' => return if b.get(p..p + 5) == Some(b"false") { Some((p + 5, K_FALSE)) } else { None },
        b'n' => return if b.get(p..p + 4) == Some(b"null") { Some((p + 4, K_NULL)) } else { None },
        _ => {}
    }
    if at(p) == b'-' { p += 1; }
    if at(p) == b'0' { p += 1; } else if at(p).is_ascii_digit() { while at(p).is_ascii_digit() { p += 1; } } else { return None; }
    if at(p) == b'.' { p += 1; if !at(p).is_ascii_digit() { return None; } while at(p).is_ascii_digit() { p += 1; } }
    if at(p) == b'e' || at(p) == b'E' { p += 1; if at(p) == b'+' || at(p) == b'-' { p += 1; } if !at(p).is_ascii_digit() { return None; } while at(p).is_ascii_digit() { p += 1; } }
    Some((p, K_NUM))
}

/// Validates any value (iteratively) without recording slots.
pub fn skip_any<const SIMD: bool>(b: &[u8], mut p: usize, stack: &mut Vec<u8>) -> Option<(usize, u8)> {
    let at = |i: usize| -> u8 { *b.get(i).unwrap_or(&b'\n') };
    let mut esc = false;
    let c = at(p);
    if c == b'"' { return Some((skip_string::<SIMD>(b, p, &mut esc)?, K_STR)); }
    if c != b'{' && c != b'[' { return skip_scalar(b, p); }
    let kind = if c == b'{' { K_OBJ } else { K_ARR };
    stack.clear(); stack.push(c); p += 1;
    let mut after_open = true;
    loop {
        let mut c = at(p);
        while is_ws(c) { p += 1; c = at(p); }
        let top = *stack.last().unwrap();
        if after_open && c == top + 2 { p += 1; stack.pop(); if stack.is_empty() { return Some((p, kind)); } }
        else {
            if top == b'{' {
                if c != b'"' { return None; }
                p = skip_string::<SIMD>(b, p, &mut esc)?;
                c = at(p); while is_ws(c) { p += 1; c = at(p); }
                if c != b':' { return None; }
                p += 1; c = at(p); while is_ws(c) { p += 1; c = at(p); }
            }
            if c == b'{' || c == b'[' { stack.push(c); p += 1; after_open = true; continue; }
            p = if c == b'"' { skip_string::<SIMD>(b, p, &mut esc)? } else { skip_scalar(b, p)?.0 };
        }
        loop {
            let mut c = at(p);
            while is_ws(c) { p += 1; c = at(p); }
            if c == b',' { p += 1; after_open = false; break; }
            if c == *stack.last().unwrap() + 2 { p += 1; stack.pop(); if stack.is_empty() { return Some((p, kind)); } continue; }
            return None;
        }
    }
}

