// The page work of a Parquet writer, natively, for the native-floor measurement (row-path.rs): what ghlake's writer
// (core parquet/flat-sink) does per column chunk — definition levels (RLE/bit-packed hybrid), PLAIN values, per-row-group
// dictionaries (entries PLAIN, indexes bit-packed), min/max statistics, Snappy of every page — into memory. Page headers,
// the footer and the file write (a few KB and one write per file) are left out. Not product code.

/// Snappy (the raw block format every Parquet reader decodes): greedy matching on a 14-bit hash of 4-byte sequences
/// per 64 KB block, as the reference compressor does. Round-trips through the `snappy` npm binding (native-floor.ts).
pub fn snappy(src: &[u8], dst: &mut Vec<u8>, table: &mut [u16; 1 << 14]) {
    let mut n = src.len();
    loop { let b = (n & 0x7f) as u8; n >>= 7; if n == 0 { dst.push(b); break; } dst.push(b | 0x80); }
    for block in src.chunks(1 << 16) { compress_block(block, dst, table); }
}

#[inline(always)]
fn load32(b: &[u8], i: usize) -> u32 { u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) }

fn literal(dst: &mut Vec<u8>, lit: &[u8]) {
    if lit.is_empty() { return; }
    let n = lit.len() - 1;
    if n < 60 { dst.push((n as u8) << 2); }
    else if n < 1 << 8 { dst.push(60 << 2); dst.push(n as u8); }
    else if n < 1 << 16 { dst.push(61 << 2); dst.extend_from_slice(&(n as u16).to_le_bytes()); }
    else { dst.push(62 << 2); dst.extend_from_slice(&(n as u32).to_le_bytes()[..3]); }
    dst.extend_from_slice(lit);
}

fn copy(dst: &mut Vec<u8>, offset: usize, mut len: usize) {
    while len >= 68 { dst.push(2 | (63 << 2)); dst.extend_from_slice(&(offset as u16).to_le_bytes()); len -= 64; }
    if len > 64 { dst.push(2 | (59 << 2)); dst.extend_from_slice(&(offset as u16).to_le_bytes()); len -= 60; }
    if len < 12 && offset < 2048 { dst.push(1 | (((len - 4) as u8) << 2) | (((offset >> 8) as u8) << 5)); dst.push(offset as u8); }
    else { dst.push(2 | (((len - 1) as u8) << 2)); dst.extend_from_slice(&(offset as u16).to_le_bytes()); }
}

fn compress_block(b: &[u8], dst: &mut Vec<u8>, table: &mut [u16; 1 << 14]) {
    if b.len() < 16 { literal(dst, b); return; }
    table.fill(0);
    let hash = |v: u32| (v.wrapping_mul(0x1e35a7bd) >> 18) as usize;
    let limit = b.len() - 4;
    let (mut ip, mut emit) = (1usize, 0usize);
    let mut skip = 32u32;
    while ip < limit {
        let v = load32(b, ip);
        let h = hash(v);
        let cand = table[h] as usize;
        table[h] = ip as u16;
        if cand < ip && load32(b, cand) == v {
            literal(dst, &b[emit..ip]);
            let mut len = 4;
            while ip + len < b.len() && b[cand + len] == b[ip + len] { len += 1; }
            copy(dst, ip - cand, len);
            ip += len;
            emit = ip;
            skip = 32;
            if ip < limit { let p = ip - 1; table[hash(load32(b, p))] = p as u16; }
        } else {
            ip += (skip >> 5) as usize;
            skip += 1;
        }
    }
    literal(dst, &b[emit..]);
}

/// One column chunk's pages, compressed: what the encoder hands the file.
pub struct Pages { pub page: Vec<u8>, pub out: Vec<u8>, pub table: Box<[u16; 1 << 14]>, pub raw_bytes: usize }
impl Pages {
    pub fn new() -> Self { Pages { page: Vec::with_capacity(1 << 20), out: Vec::with_capacity(1 << 22), table: Box::new([0; 1 << 14]), raw_bytes: 0 } }
    /// Ends the current page: Snappy into the output (cleared per file by the caller).
    pub fn end_page(&mut self) { self.raw_bytes += self.page.len(); snappy(&self.page, &mut self.out, &mut self.table); self.page.clear(); }
    /// Definition levels of a nullable column: one RLE run when nothing is NULL, else bit-packed (width 1).
    pub fn def_levels(&mut self, present: impl Iterator<Item = bool> + Clone, n: usize) {
        if present.clone().all(|p| p) { self.uvarint((n as u64) << 1); self.page.push(1); return; }
        let groups = n.div_ceil(8);
        self.uvarint(((groups as u64) << 1) | 1);
        let mut byte = 0u8;
        for (i, p) in present.enumerate() { if p { byte |= 1 << (i & 7); } if i & 7 == 7 { self.page.push(byte); byte = 0; } }
        if n & 7 != 0 { self.page.push(byte); }
    }
    pub fn uvarint(&mut self, mut v: u64) { loop { let b = (v & 0x7f) as u8; v >>= 7; if v == 0 { self.page.push(b); break; } self.page.push(b | 0x80); } }
    /// Bit-packed indexes of width `w` (one hybrid run of groups of 8).
    pub fn packed(&mut self, idx: &[u32], w: u32) {
        self.page.push(w as u8);
        let groups = idx.len().div_ceil(8);
        self.uvarint(((groups as u64) << 1) | 1);
        let (mut acc, mut bits) = (0u64, 0u32);
        for g in 0..groups * 8 {
            acc |= (*idx.get(g).unwrap_or(&0) as u64) << bits;
            bits += w;
            while bits >= 8 { self.page.push(acc as u8); acc >>= 8; bits -= 8; }
        }
        if bits > 0 { self.page.push(acc as u8); }
    }
}

/// An INT64/TIMESTAMP column chunk (i64::MIN = NULL): levels, PLAIN values, min/max.
pub fn int_chunk(p: &mut Pages, v: &[i64]) -> (i64, i64) {
    p.def_levels(v.iter().map(|&x| x != i64::MIN), v.len());
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &x in v { if x != i64::MIN { p.page.extend_from_slice(&x.to_le_bytes()); lo = lo.min(x); hi = hi.max(x); } }
    p.end_page();
    (lo, hi)
}

/// A dictionary column chunk: the row group's own dictionary (entries in first-use order, PLAIN), then the indexes.
/// `global` are the hour dictionary's indexes (-1 = NULL), `entries` its values; `local` is scratch (all -1 on entry and exit).
pub fn dict_chunk(p: &mut Pages, global: &[i32], entries: &[&[u8]], local: &mut Vec<i32>, used: &mut Vec<u32>, idx: &mut Vec<u32>) {
    if local.len() < entries.len() { local.resize(entries.len(), -1); }
    used.clear(); idx.clear();
    for &g in global {
        if g < 0 { continue; }
        let l = &mut local[g as usize];
        if *l < 0 { *l = used.len() as i32; used.push(g as u32); }
        idx.push(*l as u32);
    }
    // dictionary page, with min/max over the entries (as the writer's statistics do)
    let (mut lo, mut hi): (&[u8], &[u8]) = (&[], &[]);
    for (k, &g) in used.iter().enumerate() {
        let e = entries[g as usize];
        p.page.extend_from_slice(&(e.len() as u32).to_le_bytes());
        p.page.extend_from_slice(e);
        if k == 0 || e < lo { lo = e; }
        if k == 0 || e > hi { hi = e; }
    }
    std::hint::black_box((lo, hi));
    p.end_page();
    p.def_levels(global.iter().map(|&g| g >= 0), global.len());
    let w = 32 - (used.len().max(1) as u32 - 1).leading_zeros();
    let idx_copy = std::mem::take(idx);
    p.packed(&idx_copy, w.max(1));
    *idx = idx_copy;
    p.end_page();
    for &g in used.iter() { local[g as usize] = -1; }
}

/// A PLAIN byte-array column chunk from (start, len) ranges of `base` (len u32::MAX = NULL): no statistics (distinct values).
pub fn bytes_chunk(p: &mut Pages, base: &[u8], ranges: impl Iterator<Item = (u32, u32)> + Clone, n: usize) {
    p.def_levels(ranges.clone().map(|(_, l)| l != u32::MAX), n);
    for (s, l) in ranges { if l != u32::MAX { p.page.extend_from_slice(&l.to_le_bytes()); p.page.extend_from_slice(&base[s as usize..(s + l) as usize]); } }
    p.end_page();
}

/// A BOOLEAN column chunk (0, 1; 2 = NULL): levels and bit-packed values.
pub fn bool_chunk(p: &mut Pages, v: &[u8]) {
    p.def_levels(v.iter().map(|&x| x != 2), v.len());
    let (mut byte, mut k) = (0u8, 0);
    for &x in v { if x == 2 { continue; } if x == 1 { byte |= 1 << (k & 7); } k += 1; if k & 7 == 0 { p.page.push(byte); byte = 0; } }
    if k & 7 != 0 { p.page.push(byte); }
    p.end_page();
}
