/*
 * Byte columns for the Parquet writer (src/parquet/byte-pages.ts), in C: the per-value loops of a row group's
 * byte columns — dictionary encoding, PLAIN pages and their min/max — one call per column or page instead of
 * JavaScript work per value. byte-pages.ts holds the JavaScript twin (the fallback, and the reference of
 * test/byte-pages.test.ts, which runs every case through both and compares the bytes).
 *
 * A column's rows are given as a "row view" (ByteRows in byte-pages.ts):
 *   buffers  array of Uint8Array: the column's arena first, then the buffers rows point into
 *   srcs     Int32Array or null: row i's bytes are in buffers[srcs[i] + 1] (null: all in buffers[0])
 *   starts   Int32Array or null: where row i starts (null: where row i-1 ended, 0 for row 0 — a dictionary's entries)
 *   ends     Int32Array: where row i ends
 *   nulls    Uint8Array or null: 1 = NULL (no bytes)
 * Every offset is checked against its buffer before a byte is read: a bad view throws, never reads outside.
 */
#include "ghlake_native.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BUFFERS 1024

#define THROW(msg)                                                \
  do {                                                            \
    napi_throw_error(env, "GHLAKE_NATIVE_COLUMNS", "columns: " msg); \
    goto done;                                                    \
  } while (0)

#define CHECK(call)                        \
  do {                                     \
    if ((call) != napi_ok) THROW(#call " failed"); \
  } while (0)

typedef struct {
  const uint8_t *data[MAX_BUFFERS];
  size_t size[MAX_BUFFERS];
  uint32_t buffer_count;
  const int32_t *srcs, *starts, *ends;
  const uint8_t *nulls;
  size_t rows; /* rows the typed arrays hold (the view's capacity) */
} Rows;

static int is_null(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && (t == napi_null || t == napi_undefined);
}

/* A row view's array argument (null/undefined: absent when `optional`); the rows it holds narrow `*rows`. 0: neither. */
static int view_arg(napi_env env, napi_value v, napi_typedarray_type type, int optional, void **out, size_t *rows) {
  if (optional && is_null(env, v)) return 1;
  size_t len;
  if (!ghlake_typed_view(env, v, type, out, &len)) return 0;
  if (len < *rows) *rows = len;
  return 1;
}

/* Reads argv[0..4] into `r`; 0 (with an exception pending) when they are not a row view. */
static int get_rows(napi_env env, napi_value *argv, Rows *r) {
  memset(r, 0, sizeof(*r));
  uint32_t n;
  if (napi_get_array_length(env, argv[0], &n) != napi_ok || n == 0 || n > MAX_BUFFERS) {
    napi_throw_type_error(env, "GHLAKE_NATIVE_COLUMNS", "columns: buffers must be an array of 1..1024 Uint8Arrays");
    return 0;
  }
  r->buffer_count = n;
  for (uint32_t k = 0; k < n; k++) {
    napi_value b;
    void *d;
    if (napi_get_element(env, argv[0], k, &b) != napi_ok || !ghlake_typed_view(env, b, napi_uint8_array, &d, &r->size[k])) {
      napi_throw_type_error(env, "GHLAKE_NATIVE_COLUMNS", "columns: buffers must be an array of Uint8Arrays");
      return 0;
    }
    r->data[k] = d;
  }
  size_t rows = SIZE_MAX;
  if (!view_arg(env, argv[1], napi_int32_array, 1, (void **)&r->srcs, &rows) ||
      !view_arg(env, argv[2], napi_int32_array, 1, (void **)&r->starts, &rows) ||
      !view_arg(env, argv[3], napi_int32_array, 0, (void **)&r->ends, &rows) ||
      !view_arg(env, argv[4], napi_uint8_array, 1, (void **)&r->nulls, &rows))
    goto bad;
  r->rows = rows;
  return 1;
bad:
  napi_throw_type_error(env, "GHLAKE_NATIVE_COLUMNS", "columns: srcs/starts Int32Array or null, ends Int32Array, nulls Uint8Array or null");
  return 0;
}

/* Row i's bytes: 1 with p and n set; 0 for NULL; -1 for an offset outside its buffer. */
static inline int row_at(const Rows *r, size_t i, const uint8_t **p, size_t *n) {
  if (r->nulls != NULL && r->nulls[i] == 1) return 0;
  int64_t src = r->srcs == NULL ? 0 : (int64_t)r->srcs[i] + 1;
  if (src < 0 || src >= (int64_t)r->buffer_count) return -1;
  int64_t s = r->starts != NULL ? r->starts[i] : (i == 0 ? 0 : r->ends[i - 1]);
  int64_t e = r->ends[i];
  if (s < 0 || e < s || (size_t)e > r->size[src]) return -1;
  *p = r->data[src] + s;
  *n = (size_t)(e - s);
  return 1;
}

/* Unsigned byte order, a shorter prefix first (Parquet's order for BYTE_ARRAY statistics). */
static inline int compare_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  if (c != 0) return c;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

static inline uint64_t hash_bytes(const uint8_t *p, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
  }
  uint64_t w = 0;
  for (size_t k = 0; i < n; i++, k++) w |= (uint64_t)p[i] << (8 * k);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 32;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

/*
 * dictEncode(buffers, srcs, starts, ends, nulls, rowCount, outData, outEnds, outIndexes) → entry count
 * The distinct values of rows [0, rowCount) in order of first appearance: entry k's bytes end at outEnds[k] in
 * outData (starting where entry k-1 ended); outIndexes[i] = row i's entry, -1 for NULL. When outData is too small
 * nothing is written and the result is -(bytes needed): the caller grows it and calls again.
 */
static napi_value dict_encode(napi_env env, napi_callback_info info) {
  napi_value result = NULL;
  uint32_t *table = NULL, *slot_entry_hash = NULL;
  size_t argc = 9;
  napi_value argv[9];
  Rows r;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 9) THROW("dictEncode takes 9 arguments");
  if (!get_rows(env, argv, &r)) goto done;
  int64_t count;
  CHECK(napi_get_value_int64(env, argv[5], &count));
  if (count < 0 || (size_t)count > r.rows) THROW("dictEncode: rowCount outside the view");
  size_t rows = (size_t)count;
  uint8_t *out;
  size_t out_size, ends_len, idx_len;
  CHECK(napi_get_buffer_info(env, argv[6], (void **)&out, &out_size));
  int32_t *out_ends, *out_idx;
  if (!ghlake_typed_view(env, argv[7], napi_int32_array, (void **)&out_ends, &ends_len) || !ghlake_typed_view(env, argv[8], napi_int32_array, (void **)&out_idx, &idx_len))
    THROW("dictEncode: outEnds and outIndexes must be Int32Arrays");
  if (ends_len < rows || idx_len < rows) THROW("dictEncode: outEnds and outIndexes must hold rowCount values");
  /* Bytes needed at most: every value distinct. */
  size_t need = 0;
  for (size_t i = 0; i < rows; i++) {
    const uint8_t *p;
    size_t n;
    int k = row_at(&r, i, &p, &n);
    if (k < 0) THROW("dictEncode: a row's offsets are outside its buffer");
    if (k > 0) need += n;
  }
  if (need > INT32_MAX) THROW("dictEncode: more than 2 GB of values");
  if (need > out_size) {
    CHECK(napi_create_int64(env, -(int64_t)need, &result));
    goto done;
  }
  /* Open addressing, entry + 1 per slot (0 = empty), grown at half full; the entry's hash kept beside. */
  size_t cap = 1024;
  table = calloc(cap, sizeof(uint32_t));
  slot_entry_hash = malloc((rows > 0 ? rows : 1) * sizeof(uint32_t));
  if (table == NULL || slot_entry_hash == NULL) THROW("dictEncode: out of memory");
  uint32_t entries = 0;
  size_t used = 0;
  for (size_t i = 0; i < rows; i++) {
    const uint8_t *p = NULL;
    size_t n = 0;
    int kind = row_at(&r, i, &p, &n);
    if (kind < 0) THROW("dictEncode: a row's offsets are outside its buffer");
    if (kind == 0) {
      out_idx[i] = -1;
      continue;
    }
    uint64_t h64 = hash_bytes(p, n);
    uint32_t h = (uint32_t)h64;
    size_t mask = cap - 1;
    size_t s = h & mask;
    int32_t found = -1;
    for (;; s = (s + 1) & mask) {
      uint32_t at = table[s];
      if (at == 0) break;
      uint32_t k = at - 1;
      if (slot_entry_hash[k] != h) continue;
      size_t ks = k == 0 ? 0 : (size_t)out_ends[k - 1];
      size_t kn = (size_t)out_ends[k] - ks;
      if (kn == n && memcmp(out + ks, p, n) == 0) {
        found = (int32_t)k;
        break;
      }
    }
    if (found >= 0) {
      out_idx[i] = found;
      continue;
    }
    uint32_t k = entries++;
    memcpy(out + used, p, n);
    used += n;
    out_ends[k] = (int32_t)used;
    slot_entry_hash[k] = h;
    table[s] = k + 1;
    out_idx[i] = (int32_t)k;
    if ((size_t)entries * 2 > cap) {
      size_t next = cap * 2;
      uint32_t *grown = calloc(next, sizeof(uint32_t));
      if (grown == NULL) THROW("dictEncode: out of memory");
      for (uint32_t e = 0; e < entries; e++) {
        size_t t = slot_entry_hash[e] & (next - 1);
        while (grown[t] != 0) t = (t + 1) & (next - 1);
        grown[t] = e + 1;
      }
      free(table);
      table = grown;
      cap = next;
    }
  }
  CHECK(napi_create_int64(env, entries, &result));
done:
  free(table);
  free(slot_entry_hash);
  return result;
}

/*
 * The arguments every page call starts with: a row view (argv[0..4]) and rows [argv[5], argv[6]) inside it.
 * 0 (with an exception pending) when they are not.
 */
static int get_rows_span(napi_env env, napi_callback_info info, size_t want, napi_value *argv, Rows *r, int64_t *from, int64_t *to) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, "GHLAKE_NATIVE_COLUMNS", "columns: too few arguments");
    return 0;
  }
  if (!get_rows(env, argv, r)) return 0;
  if (napi_get_value_int64(env, argv[5], from) != napi_ok || napi_get_value_int64(env, argv[6], to) != napi_ok || *from < 0 || *to < *from ||
      (size_t)*to > r->rows) {
    napi_throw_range_error(env, "GHLAKE_NATIVE_COLUMNS", "columns: rows outside the view");
    return 0;
  }
  return 1;
}

/*
 * plainExtent(buffers, srcs, starts, ends, nulls, r0, rowCount, pageBytes, result) → result[0] = r1, result[1] = the
 * PLAIN bytes of rows [r0, r1): rows are taken from r0 while fewer than pageBytes bytes are taken (at least one).
 */
static napi_value plain_extent(napi_env env, napi_callback_info info) {
  napi_value result = NULL;
  napi_value argv[9];
  Rows r;
  int64_t r0, count, page;
  if (!get_rows_span(env, info, 9, argv, &r, &r0, &count)) goto done;
  CHECK(napi_get_value_int64(env, argv[7], &page));
  int32_t *out;
  size_t out_len;
  if (!ghlake_typed_view(env, argv[8], napi_int32_array, (void **)&out, &out_len) || out_len < 2) THROW("plainExtent: result must be an Int32Array of 2");
  int64_t bytes = 0;
  int64_t i = r0;
  while (i < count && bytes < page) {
    const uint8_t *p;
    size_t n;
    int k = row_at(&r, (size_t)i, &p, &n);
    if (k < 0) THROW("plainExtent: a row's offsets are outside its buffer");
    if (k > 0) bytes += 4 + (int64_t)n;
    i++;
  }
  if (bytes > INT32_MAX) THROW("plainExtent: a page over 2 GB");
  out[0] = (int32_t)i;
  out[1] = (int32_t)bytes;
  CHECK(napi_get_undefined(env, &result));
done:
  return result;
}

/*
 * plainWrite(buffers, srcs, starts, ends, nulls, r0, r1, out, pos, result) → the position after the PLAIN values of
 * rows [r0, r1) (NULLs skipped: each value a 4-byte little-endian length and its bytes) written into `out` from
 * `pos`; result[0]/result[1] = the row of the smallest/largest value (-1 when all are NULL).
 */
static napi_value plain_write(napi_env env, napi_callback_info info) {
  napi_value result = NULL;
  napi_value argv[10];
  Rows r;
  int64_t r0, r1, pos;
  if (!get_rows_span(env, info, 10, argv, &r, &r0, &r1)) goto done;
  uint8_t *out;
  size_t out_size;
  CHECK(napi_get_buffer_info(env, argv[7], (void **)&out, &out_size));
  CHECK(napi_get_value_int64(env, argv[8], &pos));
  int32_t *mm;
  size_t mm_len;
  if (!ghlake_typed_view(env, argv[9], napi_int32_array, (void **)&mm, &mm_len) || mm_len < 2) THROW("plainWrite: result must be an Int32Array of 2");
  if (pos < 0 || (size_t)pos > out_size) THROW("plainWrite: pos outside out");
  size_t at = (size_t)pos;
  int32_t min_row = -1, max_row = -1;
  const uint8_t *min_p = NULL, *max_p = NULL;
  size_t min_n = 0, max_n = 0;
  for (int64_t i = r0; i < r1; i++) {
    const uint8_t *p;
    size_t n;
    int k = row_at(&r, (size_t)i, &p, &n);
    if (k < 0) THROW("plainWrite: a row's offsets are outside its buffer");
    if (k == 0) continue;
    if (out_size - at < 4 + n) THROW("plainWrite: out is too small (plainExtent gives the bytes)");
    out[at] = (uint8_t)n;
    out[at + 1] = (uint8_t)(n >> 8);
    out[at + 2] = (uint8_t)(n >> 16);
    out[at + 3] = (uint8_t)(n >> 24);
    memcpy(out + at + 4, p, n);
    at += 4 + n;
    if (min_row < 0) {
      min_row = max_row = (int32_t)i;
      min_p = max_p = p;
      min_n = max_n = n;
    } else if (compare_bytes(p, n, min_p, min_n) < 0) {
      min_row = (int32_t)i;
      min_p = p;
      min_n = n;
    } else if (compare_bytes(p, n, max_p, max_n) > 0) {
      max_row = (int32_t)i;
      max_p = p;
      max_n = n;
    }
  }
  mm[0] = min_row;
  mm[1] = max_row;
  CHECK(napi_create_int64(env, (int64_t)at, &result));
done:
  return result;
}

napi_status ghlake_register_columns(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      GHLAKE_FUNCTION("dictEncode", dict_encode),
      GHLAKE_FUNCTION("plainExtent", plain_extent),
      GHLAKE_FUNCTION("plainWrite", plain_write),
  };
  return GHLAKE_DEFINE(env, exports, props);
}
