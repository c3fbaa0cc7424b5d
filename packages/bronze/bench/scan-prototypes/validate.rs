// The byte reader's validating line scan (json-reader.ts skipAny; json_scan.rs) over every line of an hour, scalar and
// with SSE2 string skipping. A measurement of what native code would do for the scan (docs/bench-silver.md), not product code.
//   rustc --edition 2021 -C opt-level=3 -C target-cpu=native validate.rs -o /tmp/validate && gunzip -c <hour.json.gz> > /tmp/h.json && /tmp/validate /tmp/h.json
mod json_scan;
use json_scan::skip_any;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: validate <decompressed ndjson>");
    let b = std::fs::read(&path).unwrap();
    let mut stack = Vec::with_capacity(64);
    for simd in [false, true, false, true, false, true] {
        let t = Instant::now();
        let (mut p, mut valid) = (0usize, 0usize);
        while p < b.len() {
            let e = b[p..].iter().position(|&c| c == b'\n').map(|i| p + i).unwrap_or(b.len());
            let end = if simd { skip_any::<true>(&b[..e], p, &mut stack) } else { skip_any::<false>(&b[..e], p, &mut stack) };
            if end.map(|x| x.0) == Some(e) { valid += 1; }
            p = e + 1;
        }
        println!("{} {}: {} valid, {:.0} ms", path, if simd { "sse2" } else { "scalar" }, valid, t.elapsed().as_secs_f64() * 1000.0);
    }
}
