// The byte reader's validating line scan (json-reader.ts skipAny) in Rust, std only: scalar and with SSE2 string
// skipping. A measurement of what native code would do for the scan (docs/bench-silver.md), not product code.
//   rustc -C opt-level=3 -C target-cpu=native validate.rs -o /tmp/validate && gunzip -c <hour.json.gz> > /tmp/h.json && /tmp/validate /tmp/h.json
use std::arch::x86_64::*;
use std::time::Instant;

fn is_ws(c: u8) -> bool { c == b' ' || c == b'\t' || c == b'\r' }

#[inline(always)]
fn skip_string(b: &[u8], mut p: usize, simd: bool) -> Option<usize> {
    p += 1;
    loop {
        if simd {
            unsafe {
                loop {
                    if p + 16 > b.len() { break; }
                    let v = _mm_loadu_si128(b.as_ptr().add(p) as *const __m128i);
                    // bytes < 0x20 (unsigned): min(v, 0x1f) == v
                    let lt = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
                    let m = _mm_or_si128(_mm_or_si128(lt, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x22))), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5c)));
                    let bits = _mm_movemask_epi8(m) as u32;
                    if bits == 0 { p += 16; continue; }
                    p += bits.trailing_zeros() as usize;
                    break;
                }
            }
        }
        while p < b.len() && b[p] >= 0x20 && b[p] != b'"' && b[p] != b'\\' { p += 1; }
        if p >= b.len() { return None; }
        let c = b[p];
        if c == b'"' { return Some(p + 1); }
        if c != b'\\' { return None; }
        let d = *b.get(p + 1)?;
        if d == b'u' {
            for k in 2..6 { if !b.get(p + k)?.is_ascii_hexdigit() { return None; } }
            p += 6; continue;
        }
        if !matches!(d, b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') { return None; }
        p += 2;
    }
}

fn skip_scalar(b: &[u8], mut p: usize) -> Option<usize> {
    let at = |i: usize| -> u8 { *b.get(i).unwrap_or(&0) };
    match at(p) {
        b't' => return if &b[p..(p + 4).min(b.len())] == b"true" { Some(p + 4) } else { None },
        b'f' => return if &b[p..(p + 5).min(b.len())] == b"false" { Some(p + 5) } else { None },
        b'n' => return if &b[p..(p + 4).min(b.len())] == b"null" { Some(p + 4) } else { None },
        _ => {}
    }
    if at(p) == b'-' { p += 1; }
    if at(p) == b'0' { p += 1; } else if at(p).is_ascii_digit() { while at(p).is_ascii_digit() { p += 1; } } else { return None; }
    if at(p) == b'.' { p += 1; if !at(p).is_ascii_digit() { return None; } while at(p).is_ascii_digit() { p += 1; } }
    if at(p) == b'e' || at(p) == b'E' { p += 1; if at(p) == b'+' || at(p) == b'-' { p += 1; } if !at(p).is_ascii_digit() { return None; } while at(p).is_ascii_digit() { p += 1; } }
    Some(p)
}

fn skip_value(b: &[u8], mut p: usize, simd: bool, stack: &mut Vec<u8>) -> Option<usize> {
    let at = |i: usize| -> u8 { *b.get(i).unwrap_or(&b'\n') };
    let c = at(p);
    if c == b'"' { return skip_string(b, p, simd); }
    if c != b'{' && c != b'[' { return skip_scalar(b, p); }
    stack.clear(); stack.push(c); p += 1;
    let mut after_open = true;
    loop {
        let mut c = at(p);
        while is_ws(c) { p += 1; c = at(p); }
        let top = *stack.last().unwrap();
        if after_open && c == top + 2 { p += 1; stack.pop(); if stack.is_empty() { return Some(p); } }
        else {
            if top == b'{' {
                if c != b'"' { return None; }
                p = skip_string(b, p, simd)?;
                c = at(p); while is_ws(c) { p += 1; c = at(p); }
                if c != b':' { return None; }
                p += 1; c = at(p); while is_ws(c) { p += 1; c = at(p); }
            }
            if c == b'{' || c == b'[' { stack.push(c); p += 1; after_open = true; continue; }
            p = if c == b'"' { skip_string(b, p, simd)? } else { skip_scalar(b, p)? };
        }
        loop {
            let mut c = at(p);
            while is_ws(c) { p += 1; c = at(p); }
            if c == b',' { p += 1; after_open = false; break; }
            if c == *stack.last().unwrap() + 2 { p += 1; stack.pop(); if stack.is_empty() { return Some(p); } continue; }
            return None;
        }
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: validate <decompressed ndjson>");
    let b = std::fs::read(&path).unwrap();
    let mut stack = Vec::with_capacity(64);
    for simd in [false, true, false, true, false, true] {
        let t = Instant::now();
        let (mut p, mut valid) = (0usize, 0usize);
        while p < b.len() {
            let e = b[p..].iter().position(|&c| c == b'\n').map(|i| p + i).unwrap_or(b.len());
            if skip_value(&b[..e], p, simd, &mut stack) == Some(e) { valid += 1; }
            p = e + 1;
        }
        println!("{} {}: {} valid, {:.0} ms", path, if simd { "sse2" } else { "scalar" }, valid, t.elapsed().as_secs_f64() * 1000.0);
    }
}
