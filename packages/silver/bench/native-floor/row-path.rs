// The floor of a native row path for the fused bronze+silver hour (issue 17): what the JavaScript transform does per
// event, in Rust (std only, zlib and OpenSSL's libcrypto through their C ABI), measured on the same hour files.
// Not product code: a measurement (docs/bench-silver.md, "The floor of a native row path"), driven by
// native-floor.ts, which also measures ghlake's own Parquet writer on the same hours (and DuckDB's, for reference).
//
// Per line, as the JavaScript path: UTF-8 check; one validating pass (structure, escapes, control characters,
// number grammar) that records where each member of the field tree (bronze event-fields.ts) starts and ends;
// SHA-256 of the event bytes; the (id, type, created_at) dedup key; bronze columns (ids, types, logins and names,
// the actor/repo/org objects interned into dictionaries by their bytes — an entity carrying the same object as last
// time reuses its indexes — the payload kept as a byte range), silver columns (hex hash, is_bot, hour bucket, payload
// details) and the hour's entity observations (latest non-NULL per attribute per actor, repository and organization,
// payload user and repository objects included), timed once with the columns only filled and once with every table's
// pages encoded as ghlake writes them (parquet_pages.rs: levels, PLAIN values, per-row-group dictionaries, statistics,
// Snappy); the difference is the native encoder's CPU.
//
//   rustc --edition 2021 -C opt-level=3 -C target-cpu=native row-path.rs -o row-path
//   BRONZE_ROW_GROUP_ROWS=4096 SILVER_ROW_GROUP_ROWS=65536 ./row-path <hour.json.gz>...   (native-floor.ts passes ghlake's defaults)
use std::arch::x86_64::*;
#[path = "../../../bronze/bench/scan-prototypes/json_scan.rs"]
mod json_scan;
use json_scan::*;
mod parquet_pages;
use parquet_pages::*;
use std::collections::HashMap as StdMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ffi::CString;

#[link(name = "z")]
extern "C" {
    fn gzopen(path: *const i8, mode: *const i8) -> *mut u8;
    fn gzbuffer(f: *mut u8, size: u32) -> i32;
    fn gzread(f: *mut u8, buf: *mut u8, len: u32) -> i32;
    fn gzclose(f: *mut u8) -> i32;
}
#[link(name = "crypto")]
extern "C" {
    // The low-level calls: OpenSSL 3's one-shot SHA256() fetches the algorithm on every call (a fifth of its time here).
    fn SHA256_Init(c: *mut u8) -> i32;
    fn SHA256_Update(c: *mut u8, d: *const u8, n: usize) -> i32;
    fn SHA256_Final(md: *mut u8, c: *mut u8) -> i32;
}

#[inline]
fn sha256(d: &[u8], out: &mut [u8; 32]) {
    let mut ctx = [0u8; 128]; // SHA256_CTX is 112 bytes
    unsafe { SHA256_Init(ctx.as_mut_ptr()); SHA256_Update(ctx.as_mut_ptr(), d.as_ptr(), d.len()); SHA256_Final(out.as_mut_ptr(), ctx.as_mut_ptr()); }
}

/// A multiply-rotate hash over 8-byte words (FxHash's scheme), mixed at the end: what a native row path would use for its maps.
#[derive(Default, Clone, Copy)]
struct Fx(u64);
impl Hasher for Fx {
    #[inline] fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut c = bytes.chunks_exact(8);
        for w in &mut c { h = (h.rotate_left(5) ^ u64::from_le_bytes(w.try_into().unwrap())).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95); }
        let r = c.remainder();
        if !r.is_empty() { let mut t = [0u8; 8]; t[..r.len()].copy_from_slice(r); h = (h.rotate_left(5) ^ u64::from_le_bytes(t)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95); }
        self.0 = h;
    }
    #[inline] fn write_u64(&mut self, i: u64) { self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95); }
    #[inline] fn write_i64(&mut self, i: i64) { self.write_u64(i as u64) }
    #[inline] fn write_u32(&mut self, i: u32) { self.write_u64(i as u64) }
    #[inline] fn write_usize(&mut self, i: usize) { self.write_u64(i as u64) }
    /// Mixed (murmur3's fmix64): the map takes its bucket from the low bits, which the multiply alone leaves weak.
    #[inline] fn finish(&self) -> u64 { let mut h = self.0; h ^= h >> 33; h = h.wrapping_mul(0xff51_afd7_ed55_8ccd); h ^= h >> 33; h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53); h ^ (h >> 33) }
}
type HashMap<K, V> = StdMap<K, V, BuildHasherDefault<Fx>>;

fn cpu_seconds() -> f64 {
    // getrusage(RUSAGE_SELF): user + system of this (single-threaded) process.
    #[repr(C)]
    struct Timeval { sec: i64, usec: i64 }
    #[repr(C)]
    struct Rusage { utime: Timeval, stime: Timeval, rest: [i64; 14] }
    extern "C" { fn getrusage(who: i32, usage: *mut Rusage) -> i32; }
    let mut r = Rusage { utime: Timeval { sec: 0, usec: 0 }, stime: Timeval { sec: 0, usec: 0 }, rest: [0; 14] };
    unsafe { getrusage(0, &mut r) };
    (r.utime.sec + r.stime.sec) as f64 + (r.utime.usec + r.stime.usec) as f64 / 1e6
}

fn gunzip(path: &str) -> Vec<u8> {
    let c = CString::new(path).unwrap();
    let mode = CString::new("rb").unwrap();
    let f = unsafe { gzopen(c.as_ptr(), mode.as_ptr()) };
    assert!(!f.is_null(), "cannot open {path}");
    unsafe { gzbuffer(f, 1 << 20) };
    let mut out: Vec<u8> = Vec::with_capacity(64 << 20);
    loop {
        if out.capacity() - out.len() < (4 << 20) { out.reserve(out.capacity()); }
        let room = (out.capacity() - out.len()).min(1 << 30) as u32;
        let n = unsafe { gzread(f, out.as_mut_ptr().add(out.len()), room) };
        assert!(n >= 0, "gzread failed on {path}");
        if n == 0 { break; }
        unsafe { out.set_len(out.len() + n as usize) };
    }
    unsafe { gzclose(f) };
    out
}

// ---------------------------------------------------------------- the field tree (bronze event-fields.ts)

struct Node { key: &'static [u8], children: Vec<usize> }
struct Tree { nodes: Vec<Node>, paths: Vec<String> }

#[derive(Clone)]
struct S(&'static str, Vec<S>);

fn user() -> Vec<S> { ["id", "login", "type", "site_admin"].iter().map(|k| S(k, vec![])).collect() }
fn repo() -> Vec<S> {
    let mut v: Vec<S> = vec![S("id", vec![]), S("owner", user())];
    for k in ["fork", "language", "created_at", "updated_at", "stargazers_count", "forks_count", "open_issues_count", "watchers_count", "size"] { v.push(S(k, vec![])); }
    v
}
fn leaves(keys: &[&'static str]) -> Vec<S> { keys.iter().map(|k| S(k, vec![])).collect() }

fn event_spec() -> Vec<S> {
    let mut forkee = repo();
    forkee.push(S("full_name", vec![]));
    forkee.push(S("url", vec![]));
    vec![
        S("id", vec![]), S("type", vec![]), S("created_at", vec![]), S("public", vec![]),
        S("actor", leaves(&["id", "login", "display_login", "url", "avatar_url", "gravatar_id"])),
        S("repo", leaves(&["id", "name", "url"])),
        S("org", leaves(&["id", "login", "url", "avatar_url"])),
        S("repository", leaves(&["id", "name", "owner", "organization", "url", "fork", "language", "created_at", "stargazers", "watchers", "forks", "open_issues", "size"])),
        S("actor_attributes", leaves(&["id", "login", "type", "gravatar_id"])),
        S("url", vec![]),
        S("payload", vec![
            S("action", vec![]), S("ref", vec![]), S("ref_type", vec![]), S("head", vec![]), S("before", vec![]), S("size", vec![]), S("distinct_size", vec![]),
            S("issue", vec![S("id", vec![]), S("user", user()), S("assignee", user())]),
            S("pull_request", vec![S("id", vec![]), S("merged", vec![]), S("user", user()), S("merged_by", user()), S("assignee", user()),
                S("head", vec![S("user", user()), S("repo", repo())]), S("base", vec![S("user", user()), S("repo", repo())])]),
            S("comment", vec![S("id", vec![]), S("user", user())]),
            S("issue_id", vec![]), S("comment_id", vec![]), S("shas", vec![]),
            S("review", vec![S("user", user())]), S("member", user()), S("target", user()),
            S("forkee", forkee), S("release", vec![S("author", user())]), S("repository", repo()),
        ]),
    ]
}

fn build(tree: &mut Tree, spec: &[S], prefix: &str) -> Vec<usize> {
    let mut out = vec![];
    for S(k, sub) in spec {
        let id = tree.nodes.len();
        let path = if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
        tree.nodes.push(Node { key: k.as_bytes(), children: vec![] });
        tree.paths.push(path.clone());
        let ch = build(tree, sub, &path);
        tree.nodes[id].children = ch;
        out.push(id);
    }
    out
}

// ---------------------------------------------------------------- the validating reader

struct Slots { start: Vec<u32>, end: Vec<u32>, kind: Vec<u8>, gen: Vec<u32>, cur: u32 }
impl Slots {
    #[inline] fn get(&self, s: usize) -> Option<(usize, usize, u8)> {
        if self.gen[s] == self.cur { Some((self.start[s] as usize, self.end[s] as usize, self.kind[s])) } else { None }
    }
}

/// Reads an object whose members are the children of `node`, recording their slots; returns the index after it.
fn read_object(b: &[u8], mut p: usize, tree: &Tree, node: usize, slots: &mut Slots, stack: &mut Vec<u8>) -> Option<usize> {
    let at = |i: usize| -> u8 { *b.get(i).unwrap_or(&b'\n') };
    p += 1;
    let mut c = at(p);
    while is_ws(c) { p += 1; c = at(p); }
    if c == b'}' { return Some(p + 1); }
    loop {
        if c != b'"' { return None; }
        let ks = p + 1;
        let mut esc = false;
        p = skip_string::<true>(b, p, &mut esc)?;
        let key = &b[ks..p - 1];
        c = at(p); while is_ws(c) { p += 1; c = at(p); }
        if c != b':' { return None; }
        p += 1; c = at(p); while is_ws(c) { p += 1; c = at(p); }
        // escaped keys are rare; the JS reader decodes them — a prototype matches raw bytes only
        let child = tree.nodes[node].children.iter().copied().find(|&ch| { let k = tree.nodes[ch].key; k.len() == key.len() && k[0] == key[0] && k == key });
        let vs = p;
        let (ve, kind) = match child {
            Some(ch) if c == b'{' && !tree.nodes[ch].children.is_empty() => (read_object(b, p, tree, ch, slots, stack)?, K_OBJ),
            _ => if c == b'"' { (skip_string::<true>(b, p, &mut esc)?, K_STR) } else { skip_any::<true>(b, p, stack)? },
        };
        if let Some(ch) = child { slots.start[ch] = vs as u32; slots.end[ch] = ve as u32; slots.kind[ch] = kind; slots.gen[ch] = slots.cur; }
        p = ve;
        c = at(p); while is_ws(c) { p += 1; c = at(p); }
        if c == b'}' { return Some(p + 1); }
        if c != b',' { return None; }
        p += 1; c = at(p); while is_ws(c) { p += 1; c = at(p); }
    }
}

// ---------------------------------------------------------------- decoders and columns

#[inline] fn num(b: &[u8], s: usize, e: usize) -> Option<i64> {
    let (mut s, e) = if b[s] == b'"' { (s + 1, e - 1) } else { (s, e) };
    let neg = b[s] == b'-'; if neg { s += 1; }
    let mut v: i64 = 0;
    for &c in &b[s..e] { if !c.is_ascii_digit() { return None; } v = v.wrapping_mul(10).wrapping_add((c - b'0') as i64); }
    Some(if neg { -v } else { v })
}
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}
#[inline] fn ts_micros(b: &[u8], s: usize, e: usize) -> Option<i64> {
    let t = &b[s + 1..e - 1]; // "YYYY-MM-DDTHH:MM:SSZ"
    if t.len() != 20 || t[19] != b'Z' { return None; }
    let n = |i: usize, l: usize| -> i64 { t[i..i + l].iter().fold(0i64, |a, &c| a * 10 + (c - b'0') as i64) };
    let days = days_from_civil(n(0, 4), n(5, 2), n(8, 2));
    Some(((days * 86400) + n(11, 2) * 3600 + n(14, 2) * 60 + n(17, 2)) * 1_000_000)
}

/// A dictionary-encoded text column (as ghlake's DictColumn): distinct values keyed by their bytes in the decompressed
/// hour (no copy; a chunked reader would copy a value into an arena when it is first seen), one index per row.
#[derive(Default)]
struct Dict<'a> { map: HashMap<&'a [u8], u32>, entries: Vec<&'a [u8]>, idx: Vec<i32> }
impl<'a> Dict<'a> {
    #[inline] fn push(&mut self, v: Option<&'a [u8]>) {
        match v {
            None => self.idx.push(-1),
            Some(v) => {
                let n = self.map.len() as u32;
                let i = *self.map.entry(v).or_insert(n);
                if i == n { self.entries.push(v); }
                self.idx.push(i as i32);
            }
        }
    }
}
/// A PLAIN text column: bytes and offsets.
#[derive(Default)]
struct Bytes { data: Vec<u8>, off: Vec<u32> }
impl Bytes { #[inline] fn push(&mut self, v: Option<&[u8]>) { if let Some(v) = v { self.data.extend_from_slice(v); } self.off.push(self.data.len() as u32); } }

#[derive(Default)]
struct Text { v: Vec<u8>, at: i64 }
impl Text {
    /// Latest non-NULL wins.
    #[inline] fn offer(&mut self, v: Option<&[u8]>, at: i64) { if let Some(v) = v { if at >= self.at { self.at = at; self.v.clear(); self.v.extend_from_slice(v); } } }
}
#[derive(Default)]
struct ActorRec<'a> { obj: &'a [u8], obj_idx: i32, name_idx: i32, first: i64, last: i64, login: Text, display: Text, url: Text, avatar: Text, gravatar: Text, typ: Text, admin: Option<bool>, type_at: i64 }
#[derive(Default)]
struct RepoRec<'a> { obj: &'a [u8], obj_idx: i32, name_idx: i32, first: i64, last: i64, name: Text, url: Text, owner_id: Option<i64>, owner_login: Text, fork: Option<bool>, language: Text, created: Option<i64>, updated: Option<i64>, counts: [Option<i64>; 5], details_at: i64 }
#[derive(Default)]
struct OrgRec<'a> { obj: &'a [u8], obj_idx: i32, name_idx: i32, first: i64, last: i64, login: Text, url: Text, avatar: Text }

#[derive(Default)]
struct Columns<'a> {
    // bronze
    id: Vec<i64>, typ: Dict<'a>, created: Vec<i64>, actor_id: Vec<i64>, actor_login: Dict<'a>, repo_id: Vec<i64>, repo_name: Dict<'a>, org_id: Vec<i64>, org_login: Dict<'a>,
    public: Vec<u8>, payload: Vec<(u32, u32)>, actor_obj: Dict<'a>, repo_obj: Dict<'a>, org_obj: Dict<'a>, line: Vec<u32>,
    // silver
    hash_hex: Bytes, is_bot: Vec<u8>, hour: Vec<i64>,
    // payload details
    action: Dict<'a>, issue_id: Vec<i64>, pr_id: Vec<i64>, comment_id: Vec<i64>, push_size: Vec<i64>, pref: Dict<'a>, ref_type: Dict<'a>, head: Bytes, before: Bytes, payload_size: Vec<i64>, distinct_size: Vec<i64>,
}

fn is_bot(login: &[u8]) -> bool {
    let mut buf = [0u8; 64];
    if login.len() > 64 { return false; }
    for (i, c) in login.iter().enumerate() { buf[i] = c.to_ascii_lowercase(); }
    let l = &buf[..login.len()];
    if l.ends_with(b"[bot]") { return true; }
    for w in [&b"bot"[..], b"robot"] {
        if l.ends_with(w) && (l.len() == w.len() || matches!(l[l.len() - w.len() - 1], b'-' | b'_' | b'.')) { return true; }
        if l.starts_with(w) && l.len() > w.len() && matches!(l[w.len()], b'-' | b'_' | b'.') { return true; }
    }
    false
}

const HEX: &[u8; 16] = b"0123456789abcdef";

struct Paths { ids: HashMap<String, usize> }
impl Paths { fn s(&self, p: &str) -> usize { *self.ids.get(p).unwrap_or_else(|| panic!("no path {p}")) } }

fn main() {
    let mut tree = Tree { nodes: vec![Node { key: b"", children: vec![] }], paths: vec![String::new()] };
    let top = build(&mut tree, &event_spec(), "");
    tree.nodes[0].children = top;
    let paths = Paths { ids: tree.paths.iter().enumerate().map(|(i, p)| (p.clone(), i)).collect() };
    let n = tree.nodes.len();
    let sp = |p: &str| paths.s(p);
    let (s_id, s_type, s_created, s_public) = (sp("id"), sp("type"), sp("created_at"), sp("public"));
    let (s_actor, s_aid, s_alogin, s_adisp, s_aurl, s_aavatar, s_agrav) = (sp("actor"), sp("actor.id"), sp("actor.login"), sp("actor.display_login"), sp("actor.url"), sp("actor.avatar_url"), sp("actor.gravatar_id"));
    let (s_repo, s_rid, s_rname, s_rurl) = (sp("repo"), sp("repo.id"), sp("repo.name"), sp("repo.url"));
    let (s_org, s_oid, s_ologin, s_ourl, s_oavatar) = (sp("org"), sp("org.id"), sp("org.login"), sp("org.url"), sp("org.avatar_url"));
    let (s_payload, s_action, s_ref, s_reftype, s_head, s_before, s_size, s_dsize) =
        (sp("payload"), sp("payload.action"), sp("payload.ref"), sp("payload.ref_type"), sp("payload.head"), sp("payload.before"), sp("payload.size"), sp("payload.distinct_size"));
    let (s_issue_id, s_pr_id, s_comment_id) = (sp("payload.issue.id"), sp("payload.pull_request.id"), sp("payload.comment.id"));
    let user_objs: Vec<usize> = tree.paths.iter().enumerate()
        .filter(|(_, p)| p.starts_with("payload.") && tree.paths.contains(&format!("{p}.site_admin")))
        .map(|(i, _)| i).collect();
    let repo_objs: Vec<usize> = tree.paths.iter().enumerate()
        .filter(|(_, p)| p.starts_with("payload.") && tree.paths.contains(&format!("{p}.watchers_count")))
        .map(|(i, _)| i).collect();

    let ctx = Ctx { tree: &tree, n, s_id, s_type, s_created, s_public, s_actor, s_aid, s_alogin, s_adisp, s_aurl, s_aavatar, s_agrav, s_repo, s_rid, s_rname, s_rurl,
        s_org, s_oid, s_ologin, s_ourl, s_oavatar, s_payload, s_action, s_ref, s_reftype, s_head, s_before, s_size, s_dsize, s_issue_id, s_pr_id, s_comment_id,
        user_objs: &user_objs, repo_objs: &repo_objs };
    // `--snappy IN OUT`: IN's bytes in 1 MB pieces, each as its length (u32 LE) and its Snappy block: native-floor.ts
    // decompresses them with the `snappy` binding to check that the encoder's compression is real Snappy.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(|a| a.as_str()) == Some("--snappy") {
        let src = std::fs::read(&args[2]).unwrap();
        let (mut out, mut table) = (Vec::new(), Box::new([0u16; 1 << 14]));
        for piece in src.chunks(1 << 20) {
            let mut block = Vec::new();
            snappy(piece, &mut block, &mut table);
            out.extend_from_slice(&(block.len() as u32).to_le_bytes());
            out.extend_from_slice(&block);
        }
        std::fs::write(&args[3], out).unwrap();
        return;
    }
    let runs: usize = std::env::var("RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let files: Vec<String> = std::env::args().skip(1).collect();
    println!("file\tMB\tlines\tevents\tquarantined\tactors\trepos\torgs\tgunzip_cpu_s\tread_sha_cpu_s\tall_cpu_s\tencode_cpu_s\tpage_MB\tsnappy_MB");
    for file in &files {
        let (mut gz, mut rd, mut all, mut enc) = (vec![], vec![], vec![], vec![]);
        let mut last = Outcome::default();
        for _ in 0..runs {
            let c0 = cpu_seconds();
            let b = gunzip(file);
            let c1 = cpu_seconds();
            let o = pass(&ctx, &b, false, false);
            let c2 = cpu_seconds();
            let rows = pass(&ctx, &b, true, false);
            let c3 = cpu_seconds();
            last = pass(&ctx, &b, true, true);
            let c4 = cpu_seconds();
            assert_eq!(o.lines, last.lines);
            assert_eq!(rows.events, last.events);
            gz.push(c1 - c0); rd.push(c2 - c1); all.push(c3 - c2); enc.push((c4 - c3) - (c3 - c2));
            last.mb = b.len() as f64 / 1e6;
        }
        let med = |v: &mut Vec<f64>| { v.sort_by(|a, b| a.partial_cmp(b).unwrap()); v[v.len() / 2] };
        println!("{}\t{:.0}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\t{:.1}\t{:.1}", file.rsplit('/').next().unwrap(), last.mb, last.lines, last.events, last.quarantined,
            last.actors, last.repos, last.orgs, med(&mut gz), med(&mut rd), med(&mut all), med(&mut enc), last.raw_pages as f64 / 1e6, last.compressed as f64 / 1e6);
    }
}

#[derive(Default)]
struct Outcome { mb: f64, lines: u32, events: usize, quarantined: usize, actors: usize, repos: usize, orgs: usize, raw_pages: usize, compressed: usize }

struct Ctx<'a> {
    tree: &'a Tree, n: usize, s_id: usize, s_type: usize, s_created: usize, s_public: usize, s_actor: usize, s_aid: usize, s_alogin: usize, s_adisp: usize, s_aurl: usize,
    s_aavatar: usize, s_agrav: usize, s_repo: usize, s_rid: usize, s_rname: usize, s_rurl: usize, s_org: usize, s_oid: usize, s_ologin: usize, s_ourl: usize,
    s_oavatar: usize, s_payload: usize, s_action: usize, s_ref: usize, s_reftype: usize, s_head: usize, s_before: usize, s_size: usize, s_dsize: usize,
    s_issue_id: usize, s_pr_id: usize, s_comment_id: usize, user_objs: &'a [usize], repo_objs: &'a [usize],
}

/// One pass over a decompressed hour: `full` = false reads, validates and hashes only (the reader floor); `encode`
/// also encodes every table's pages (parquet_pages.rs).
fn pass(ctx: &Ctx, b: &[u8], full: bool, encode: bool) -> Outcome {
    let Ctx { tree, n, s_id, s_type, s_created, s_public, s_actor, s_aid, s_alogin, s_adisp, s_aurl, s_aavatar, s_agrav, s_repo, s_rid, s_rname, s_rurl,
        s_org, s_oid, s_ologin, s_ourl, s_oavatar, s_payload, s_action, s_ref, s_reftype, s_head, s_before, s_size, s_dsize, s_issue_id, s_pr_id, s_comment_id,
        user_objs, repo_objs } = *ctx;
    let child = |node: usize, key: &str| tree.nodes[node].children.iter().copied().find(|&c| tree.nodes[c].key == key.as_bytes()).unwrap();
    let mut slots = Slots { start: vec![0; n], end: vec![0; n], kind: vec![0; n], gen: vec![0; n], cur: 0 };
    let mut stack = Vec::with_capacity(64);
    let mut cols = Columns::default();
    let mut dedup: HashMap<(i64, u32, i64), u32> = HashMap::with_capacity_and_hasher(1 << 18, Default::default());
    let mut actors: HashMap<i64, ActorRec<'_>> = HashMap::default();
    let mut repos: HashMap<i64, RepoRec<'_>> = HashMap::default();
    let mut orgs: HashMap<i64, OrgRec<'_>> = HashMap::default();
    let mut quarantined = 0usize;
    let mut hash = [0u8; 32];
    let (mut lines, mut p) = (0u32, 0usize);
    while p < b.len() {
        let e = memchr_nl(&b, p);
        lines += 1;
        let line = &b[..e];
        slots.cur += 1;
        let ok = std::str::from_utf8(&b[p..e]).is_ok() && b.get(p) == Some(&b'{') && read_object(line, p, &tree, 0, &mut slots, &mut stack) == Some(e);
        if ok { sha256(&b[p..e], &mut hash); }
        let (ls, le) = (p, e);
        p = e + 1;
        if !ok { quarantined += 1; continue; }
        if !full { continue; }
        let get = |s: usize| slots.get(s);
        let b = &b[..];
        let str_of = |s: usize| -> Option<&[u8]> { match get(s) { Some((a, z, K_STR)) => Some(&b[a + 1..z - 1]), _ => None } };
        let num_of = |s: usize| -> Option<i64> { match get(s) { Some((a, z, K_NUM)) | Some((a, z, K_STR)) => num(&b, a, z), _ => None } };
        let bool_of = |s: usize| -> Option<bool> { match get(s) { Some((_, _, K_TRUE)) => Some(true), Some((_, _, K_FALSE)) => Some(false), _ => None } };
        let Some(id) = num_of(s_id) else { quarantined += 1; continue };
        let Some(typ) = str_of(s_type) else { quarantined += 1; continue };
        let Some(created) = get(s_created).and_then(|(a, z, _)| ts_micros(&b, a, z)) else { quarantined += 1; continue };
        let tkey = match cols.typ.map.get(typ) { Some(&i) => i, None => cols.typ.map.len() as u32 };
        if dedup.insert((id, tkey, created), lines).is_some() { continue; }
        // bronze
        cols.id.push(id); cols.typ.push(Some(typ)); cols.created.push(created);
        let aid = num_of(s_aid); let alogin = str_of(s_alogin);
        cols.actor_id.push(aid.unwrap_or(i64::MIN));
        let rid = num_of(s_rid); let rname = str_of(s_rname);
        cols.repo_id.push(rid.unwrap_or(i64::MIN));
        let oid = num_of(s_oid); let ologin = str_of(s_ologin);
        cols.org_id.push(oid.unwrap_or(i64::MIN));
        cols.public.push(match bool_of(s_public) { Some(true) => 1, Some(false) => 0, None => 2 });
        let pay = get(s_payload);
        cols.payload.push(pay.map(|(a, z, _)| (a as u32, (z - a) as u32)).unwrap_or((0, u32::MAX)));
        let (aobj, robj, oobj) = (get(s_actor).map(|(a, z, _)| &b[a..z]), get(s_repo).map(|(a, z, _)| &b[a..z]), get(s_org).map(|(a, z, _)| &b[a..z]));
        cols.line.push(lines);
        // silver
        let mut hex = [0u8; 64];
        for (i, x) in hash.iter().enumerate() { hex[2 * i] = HEX[(x >> 4) as usize]; hex[2 * i + 1] = HEX[(x & 15) as usize]; }
        cols.hash_hex.push(Some(&hex));
        cols.is_bot.push(match alogin { Some(l) => is_bot(l) as u8, None => 2 });
        cols.hour.push(created - created.rem_euclid(3_600_000_000));
        // payload details
        cols.action.push(str_of(s_action));
        cols.issue_id.push(num_of(s_issue_id).unwrap_or(i64::MIN));
        cols.pr_id.push(num_of(s_pr_id).unwrap_or(i64::MIN));
        cols.comment_id.push(num_of(s_comment_id).unwrap_or(i64::MIN));
        let push = typ == b"PushEvent";
        cols.push_size.push(if push { num_of(s_size).unwrap_or(i64::MIN) } else { i64::MIN });
        cols.distinct_size.push(if push { num_of(s_dsize).unwrap_or(i64::MIN) } else { i64::MIN });
        cols.pref.push(str_of(s_ref)); cols.ref_type.push(str_of(s_reftype));
        cols.head.push(str_of(s_head)); cols.before.push(str_of(s_before));
        cols.payload_size.push(pay.map(|(a, z, _)| (z - a) as i64).unwrap_or(i64::MIN));
        // observations, and the envelope objects' dictionary indexes: an entity whose object is byte for byte the one
        // it carried last time (most events) reuses that object's and its login's indexes and only moves its times;
        // another object is interned and folded attribute by attribute.
        match (aid, aobj) {
            (Some(aid), Some(obj)) => {
                let r = actors.entry(aid).or_insert_with(|| ActorRec { first: created, last: created, obj_idx: -1, ..Default::default() });
                r.first = r.first.min(created); r.last = r.last.max(created);
                if r.obj_idx >= 0 && r.obj == obj {
                    cols.actor_obj.idx.push(r.obj_idx); cols.actor_login.idx.push(r.name_idx);
                    for t in [&mut r.login, &mut r.display, &mut r.url, &mut r.avatar, &mut r.gravatar] { if !t.v.is_empty() { t.at = t.at.max(created); } }
                } else {
                    cols.actor_obj.push(Some(obj)); cols.actor_login.push(alogin);
                    r.obj = obj; r.obj_idx = *cols.actor_obj.idx.last().unwrap(); r.name_idx = *cols.actor_login.idx.last().unwrap();
                    r.login.offer(alogin, created); r.display.offer(str_of(s_adisp), created); r.url.offer(str_of(s_aurl), created);
                    r.avatar.offer(str_of(s_aavatar), created); r.gravatar.offer(str_of(s_agrav), created);
                }
            }
            _ => { cols.actor_obj.push(aobj); cols.actor_login.push(alogin); }
        }
        match (rid, robj) {
            (Some(rid), Some(obj)) => {
                let r = repos.entry(rid).or_insert_with(|| RepoRec { first: created, last: created, obj_idx: -1, ..Default::default() });
                r.first = r.first.min(created); r.last = r.last.max(created);
                if r.obj_idx >= 0 && r.obj == obj {
                    cols.repo_obj.idx.push(r.obj_idx); cols.repo_name.idx.push(r.name_idx);
                    for t in [&mut r.name, &mut r.url] { if !t.v.is_empty() { t.at = t.at.max(created); } }
                } else {
                    cols.repo_obj.push(Some(obj)); cols.repo_name.push(rname);
                    r.obj = obj; r.obj_idx = *cols.repo_obj.idx.last().unwrap(); r.name_idx = *cols.repo_name.idx.last().unwrap();
                    r.name.offer(rname, created); r.url.offer(str_of(s_rurl), created);
                }
            }
            _ => { cols.repo_obj.push(robj); cols.repo_name.push(rname); }
        }
        match (oid, oobj) {
            (Some(oid), Some(obj)) => {
                let r = orgs.entry(oid).or_insert_with(|| OrgRec { first: created, last: created, obj_idx: -1, ..Default::default() });
                r.first = r.first.min(created); r.last = r.last.max(created);
                if r.obj_idx >= 0 && r.obj == obj {
                    cols.org_obj.idx.push(r.obj_idx); cols.org_login.idx.push(r.name_idx);
                    for t in [&mut r.login, &mut r.url, &mut r.avatar] { if !t.v.is_empty() { t.at = t.at.max(created); } }
                } else {
                    cols.org_obj.push(Some(obj)); cols.org_login.push(ologin);
                    r.obj = obj; r.obj_idx = *cols.org_obj.idx.last().unwrap(); r.name_idx = *cols.org_login.idx.last().unwrap();
                    r.login.offer(ologin, created); r.url.offer(str_of(s_ourl), created); r.avatar.offer(str_of(s_oavatar), created);
                }
            }
            _ => { cols.org_obj.push(oobj); cols.org_login.push(ologin); }
        }
        for &u in user_objs {
            if get(u).map(|x| x.2) != Some(K_OBJ) { continue; }
            if let Some(uid) = num_of(child(u, "id")) {
                if let Some(r) = actors.get_mut(&uid) {
                    if created >= r.type_at { r.type_at = created; r.typ.offer(str_of(child(u, "type")), created); if let Some(a) = bool_of(child(u, "site_admin")) { r.admin = Some(a); } }
                }
            }
        }
        for &ro in repo_objs {
            if get(ro).map(|x| x.2) != Some(K_OBJ) { continue; }
            let Some(rid) = num_of(child(ro, "id")) else { continue };
            let r = repos.entry(rid).or_insert_with(|| RepoRec { first: created, last: created, ..Default::default() });
            if created >= r.details_at {
                r.details_at = created;
                let owner = child(ro, "owner");
                r.owner_id = num_of(child(owner, "id")).or(r.owner_id);
                r.owner_login.offer(str_of(child(owner, "login")), created);
                r.fork = bool_of(child(ro, "fork")).or(r.fork);
                r.language.offer(str_of(child(ro, "language")), created);
                r.created = get(child(ro, "created_at")).and_then(|(a, z, k)| if k == K_STR { ts_micros(&b, a, z) } else { None }).or(r.created);
                r.updated = get(child(ro, "updated_at")).and_then(|(a, z, k)| if k == K_STR { ts_micros(&b, a, z) } else { None }).or(r.updated);
                for (i, k) in ["stargazers_count", "forks_count", "open_issues_count", "watchers_count", "size"].iter().enumerate() {
                    r.counts[i] = num_of(child(ro, k)).or(r.counts[i]);
                }
            }
        }
        let _ = (ls, le);
    }
    std::hint::black_box(&cols);
    let (mut raw_pages, mut compressed) = (0, 0);
    if encode { (raw_pages, compressed) = encode_tables(b, &cols, &actors, &repos, &orgs); }
    Outcome { mb: 0.0, lines, events: cols.id.len(), quarantined, actors: actors.len(), repos: repos.len(), orgs: orgs.len(), raw_pages, compressed }
}

#[inline]
fn memchr_nl(b: &[u8], p: usize) -> usize {
    unsafe {
        let mut i = p;
        let nl = _mm_set1_epi8(b'\n' as i8);
        while i + 16 <= b.len() {
            let m = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(b.as_ptr().add(i) as *const __m128i), nl)) as u32;
            if m != 0 { return i + m.trailing_zeros() as usize; }
            i += 16;
        }
        while i < b.len() && b[i] != b'\n' { i += 1; }
        i
    }
}

/// Rows per row group (BRONZE_ROW_GROUP_ROWS, SILVER_ROW_GROUP_ROWS: native-floor.ts passes ghlake's defaults).
fn row_group_rows(var: &str) -> usize { std::env::var(var).ok().and_then(|v| v.parse().ok()).expect(var) }

/// Every table's pages, as ghlake writes them: bronze.events and silver.events/payload_details in row groups of their
/// configured sizes, the three observation tables in one. Returns (page bytes before Snappy, after).
fn encode_tables(b: &[u8], c: &Columns, actors: &HashMap<i64, ActorRec>, repos: &HashMap<i64, RepoRec>, orgs: &HashMap<i64, OrgRec>) -> (usize, usize) {
    let mut p = Pages::new();
    let (mut local, mut used, mut idx) = (vec![], vec![], vec![]);
    let (mut raw, mut out) = (0, 0);
    let n = c.id.len();
    let consts = |v: i64, len: usize| vec![v; len];
    let bytes_ranges = |x: &Bytes, r: std::ops::Range<usize>| -> Vec<(u32, u32)> { r.map(|i| { let s = if i == 0 { 0 } else { x.off[i - 1] }; (s, x.off[i] - s) }).collect() };
    let mut flush = |p: &mut Pages| { raw += p.raw_bytes; out += p.out.len(); p.raw_bytes = 0; p.out.clear(); };
    // bronze.events
    let (bronze_rg, silver_rg) = (row_group_rows("BRONZE_ROW_GROUP_ROWS"), row_group_rows("SILVER_ROW_GROUP_ROWS"));
    for s in (0..n).step_by(bronze_rg) {
        let r = s..(s + bronze_rg).min(n);
        for v in [&c.id, &c.created, &c.actor_id, &c.repo_id, &c.org_id] { int_chunk(&mut p, &v[r.clone()]); }
        for d in [&c.typ, &c.actor_login, &c.repo_name, &c.org_login, &c.actor_obj, &c.repo_obj, &c.org_obj] { dict_chunk(&mut p, &d.idx[r.clone()], &d.entries, &mut local, &mut used, &mut idx); }
        bool_chunk(&mut p, &c.public[r.clone()]);
        bytes_chunk(&mut p, b, c.payload[r.clone()].iter().copied(), r.len());
        let h = bytes_ranges(&c.hash_hex, r.clone());
        bytes_chunk(&mut p, &c.hash_hex.data, h.iter().copied(), r.len());
        let lines: Vec<i64> = c.line[r.clone()].iter().map(|&l| l as i64).collect();
        int_chunk(&mut p, &lines);
        int_chunk(&mut p, &consts(0, r.len())); // fragment
        int_chunk(&mut p, &consts(1, r.len())); // ingested_at
    }
    flush(&mut p);
    // silver.events and payload_details
    let sources = Dict { entries: vec![&b"event"[..]], idx: c.actor_id.iter().map(|&a| if a == i64::MIN { -1 } else { 0 }).collect(), ..Default::default() };
    for s in (0..n).step_by(silver_rg) {
        let r = s..(s + silver_rg).min(n);
        let h = bytes_ranges(&c.hash_hex, r.clone());
        int_chunk(&mut p, &c.id[r.clone()]);
        bytes_chunk(&mut p, &c.hash_hex.data, h.iter().copied(), r.len());
        dict_chunk(&mut p, &c.typ.idx[r.clone()], &c.typ.entries, &mut local, &mut used, &mut idx);
        for v in [&c.created, &c.actor_id, &c.repo_id, &c.org_id, &c.hour] { int_chunk(&mut p, &v[r.clone()]); }
        dict_chunk(&mut p, &sources.idx[r.clone()], &sources.entries, &mut local, &mut used, &mut idx);
        dict_chunk(&mut p, &sources.idx[r.clone()], &sources.entries, &mut local, &mut used, &mut idx);
        bool_chunk(&mut p, &c.is_bot[r.clone()]);
        bool_chunk(&mut p, &c.public[r.clone()]);
        int_chunk(&mut p, &consts(1, r.len())); // processed_at
    }
    flush(&mut p);
    for s in (0..n).step_by(silver_rg) {
        let r = s..(s + silver_rg).min(n);
        int_chunk(&mut p, &c.id[r.clone()]);
        for d in [&c.typ, &c.action, &c.pref, &c.ref_type] { dict_chunk(&mut p, &d.idx[r.clone()], &d.entries, &mut local, &mut used, &mut idx); }
        for v in [&c.issue_id, &c.pr_id, &c.comment_id, &c.push_size, &c.payload_size, &c.distinct_size, &c.created] { int_chunk(&mut p, &v[r.clone()]); }
        for x in [&c.head, &c.before] { let h = bytes_ranges(x, r.clone()); bytes_chunk(&mut p, &x.data, h.iter().copied(), r.len()); }
    }
    flush(&mut p);
    // observation tables: one row per entity, texts PLAIN (distinct values)
    fn texts<'t>(p: &mut Pages, vals: impl Iterator<Item = &'t Text>) {
        let mut arena: Vec<u8> = Vec::new();
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for t in vals { if t.v.is_empty() { ranges.push((0, u32::MAX)); } else { ranges.push((arena.len() as u32, t.v.len() as u32)); arena.extend_from_slice(&t.v); } }
        let n = ranges.len();
        bytes_chunk(p, &arena, ranges.into_iter(), n);
    }
    let a: Vec<(&i64, &ActorRec)> = actors.iter().collect();
    int_chunk(&mut p, &a.iter().map(|x| *x.0).collect::<Vec<_>>());
    let actor_texts: [for<'r> fn(&'r ActorRec<'_>) -> &'r Text; 6] = [|r| &r.login, |r| &r.display, |r| &r.url, |r| &r.avatar, |r| &r.gravatar, |r| &r.typ];
    for f in actor_texts { texts(&mut p, a.iter().map(|x| f(x.1))); }
    let actor_times: [fn(&ActorRec) -> i64; 4] = [|r| r.login.at, |r| r.type_at, |r| r.first, |r| r.last];
    for f in actor_times { int_chunk(&mut p, &a.iter().map(|x| f(x.1)).collect::<Vec<_>>()); }
    bool_chunk(&mut p, &a.iter().map(|x| x.1.admin.map(|v| v as u8).unwrap_or(2)).collect::<Vec<_>>());
    let rp: Vec<(&i64, &RepoRec)> = repos.iter().collect();
    int_chunk(&mut p, &rp.iter().map(|x| *x.0).collect::<Vec<_>>());
    let repo_texts: [for<'r> fn(&'r RepoRec<'_>) -> &'r Text; 4] = [|r| &r.name, |r| &r.url, |r| &r.owner_login, |r| &r.language];
    for f in repo_texts { texts(&mut p, rp.iter().map(|x| f(x.1))); }
    let repo_ints: [fn(&RepoRec) -> i64; 7] =
        [|r| r.name.at, |r| r.owner_id.unwrap_or(i64::MIN), |r| r.created.unwrap_or(i64::MIN), |r| r.updated.unwrap_or(i64::MIN), |r| r.details_at, |r| r.first, |r| r.last];
    for f in repo_ints {
        int_chunk(&mut p, &rp.iter().map(|x| f(x.1)).collect::<Vec<_>>());
    }
    for k in 0..5 { int_chunk(&mut p, &rp.iter().map(|x| x.1.counts[k].unwrap_or(i64::MIN)).collect::<Vec<_>>()); }
    bool_chunk(&mut p, &rp.iter().map(|x| x.1.fork.map(|v| v as u8).unwrap_or(2)).collect::<Vec<_>>());
    let o: Vec<(&i64, &OrgRec)> = orgs.iter().collect();
    int_chunk(&mut p, &o.iter().map(|x| *x.0).collect::<Vec<_>>());
    let org_texts: [for<'r> fn(&'r OrgRec<'_>) -> &'r Text; 3] = [|r| &r.login, |r| &r.url, |r| &r.avatar];
    for f in org_texts { texts(&mut p, o.iter().map(|x| f(x.1))); }
    let org_times: [fn(&OrgRec) -> i64; 3] = [|r| r.login.at, |r| r.first, |r| r.last];
    for f in org_times { int_chunk(&mut p, &o.iter().map(|x| f(x.1)).collect::<Vec<_>>()); }
    flush(&mut p);
    (raw, out)
}
