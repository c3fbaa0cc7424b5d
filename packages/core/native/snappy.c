/*
 * Snappy compression of a Parquet page body (src/parquet/flat-sink.ts), written into memory the writer reuses.
 *
 * Why not the `snappy` package: it returns a new Buffer per page — V8-managed when copied (`copyOutputData`), an
 * external buffer the GC cannot see otherwise — and on 1 GB hours those allocations kept the GC marking for external
 * memory pressure. Here the caller owns the output memory, so a page costs no allocation at all.
 *
 * The format (github.com/google/snappy, format_description.txt): the uncompressed length as a varint, then literals
 * and copies. Like the reference compressor, the input is taken in blocks of 64 KB, each with its own hash table of
 * 4-byte sequences; a miss makes the search skip faster over incompressible bytes. Every output is a valid Snappy
 * stream of exactly the input (test/byte-pages.test.ts decompresses it with the `snappy` package, and DuckDB reads
 * the files); the bytes may differ from another compressor's, the content does not.
 */
#include "ghlake_native.h"
#include <stdint.h>
#include <string.h>

#define BLOCK (1 << 16)
#define HASH_BITS 14
#define INPUT_MARGIN 15

static inline uint32_t load32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static inline uint32_t hash32(uint32_t v) { return (v * 0x1e35a7bdu) >> (32 - HASH_BITS); }

static inline uint8_t *emit_literal(uint8_t *op, const uint8_t *lit, size_t len) {
  size_t n = len - 1;
  if (n < 60) *op++ = (uint8_t)(n << 2);
  else if (n < (1u << 8)) {
    *op++ = 60 << 2;
    *op++ = (uint8_t)n;
  } else if (n < (1u << 16)) {
    *op++ = 61 << 2;
    *op++ = (uint8_t)n;
    *op++ = (uint8_t)(n >> 8);
  } else if (n < (1u << 24)) {
    *op++ = 62 << 2;
    *op++ = (uint8_t)n;
    *op++ = (uint8_t)(n >> 8);
    *op++ = (uint8_t)(n >> 16);
  } else {
    *op++ = 63 << 2;
    *op++ = (uint8_t)n;
    *op++ = (uint8_t)(n >> 8);
    *op++ = (uint8_t)(n >> 16);
    *op++ = (uint8_t)(n >> 24);
  }
  memcpy(op, lit, len);
  return op + len;
}

/* A copy of len (4..64) bytes from offset back (< 65536). */
static inline uint8_t *emit_copy_upto64(uint8_t *op, size_t offset, size_t len) {
  if (len < 12 && offset < 2048) {
    *op++ = (uint8_t)(1 | ((len - 4) << 2) | ((offset >> 8) << 5));
    *op++ = (uint8_t)offset;
  } else {
    *op++ = (uint8_t)(2 | ((len - 1) << 2));
    *op++ = (uint8_t)offset;
    *op++ = (uint8_t)(offset >> 8);
  }
  return op;
}

static inline uint8_t *emit_copy(uint8_t *op, size_t offset, size_t len) {
  while (len >= 68) {
    op = emit_copy_upto64(op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emit_copy_upto64(op, offset, 60);
    len -= 60;
  }
  return emit_copy_upto64(op, offset, len);
}

/* How many bytes at a and b agree, b < a, reading no further than limit. */
static inline size_t match_length(const uint8_t *a, const uint8_t *b, const uint8_t *limit) {
  size_t n = 0;
  while (a + n + 8 <= limit) {
    uint64_t x = load64(a + n) ^ load64(b + n);
    if (x != 0) return n + (size_t)(__builtin_ctzll(x) >> 3);
    n += 8;
  }
  while (a + n < limit && a[n] == b[n]) n++;
  return n;
}

/*
 * A literal of up to 16 bytes copied as one fixed 16-byte move (no call into memcpy for the many short literals between
 * copies) when both buffers have the room: the bytes past the literal are overwritten by what comes next.
 */
static inline uint8_t *emit_short_literal(uint8_t *op, const uint8_t *lit, size_t len, const uint8_t *in_end, const uint8_t *op_end) {
  if (len <= 16 && lit + 16 <= in_end && op + 17 <= op_end) {
    *op++ = (uint8_t)((len - 1) << 2);
    memcpy(op, lit, 16);
    return op + len;
  }
  return emit_literal(op, lit, len);
}

static uint8_t *compress_block(const uint8_t *in, size_t len, uint8_t *op, uint16_t *table, const uint8_t *in_end, const uint8_t *op_end) {
  const uint8_t *ip = in, *end = in + len, *next_emit = in;
  if (len >= INPUT_MARGIN) {
    memset(table, 0, sizeof(uint16_t) << HASH_BITS);
    const uint8_t *limit = end - INPUT_MARGIN;
    ip++;
    for (;;) {
      /* Find a 4-byte match, skipping faster the longer nothing matches (32 misses: step 2, …). */
      uint32_t skip = 32;
      const uint8_t *candidate;
      for (;;) {
        uint32_t h = hash32(load32(ip));
        const uint8_t *next = ip + (skip++ >> 5);
        if (next > limit) goto tail;
        candidate = in + table[h];
        table[h] = (uint16_t)(ip - in);
        if (load32(ip) == load32(candidate) && candidate < ip) break;
        ip = next;
      }
      op = emit_short_literal(op, next_emit, (size_t)(ip - next_emit), in_end, op_end);
      /* Emit copies while the next position matches at once. */
      do {
        size_t n = 4 + match_length(ip + 4, candidate + 4, end);
        op = emit_copy(op, (size_t)(ip - candidate), n);
        ip += n;
        next_emit = ip;
        if (ip >= limit) goto tail;
        table[hash32(load32(ip - 1))] = (uint16_t)(ip - 1 - in);
        uint32_t h = hash32(load32(ip));
        candidate = in + table[h];
        table[h] = (uint16_t)(ip - in);
      } while (load32(ip) == load32(candidate) && candidate < ip);
      ip++;
    }
  }
tail:
  if (next_emit < end) op = emit_literal(op, next_emit, (size_t)(end - next_emit));
  return op;
}

/* The most a Snappy stream of n bytes can take (the reference's MaxCompressedLength). */
static size_t max_compressed(size_t n) { return 32 + n + n / 6; }

/*
 * snappyCompress(input, start, end, out, pos) → the position after the compressed input[start, end) written into out
 * from pos; when out is too small nothing is written and the result is -(bytes needed from pos).
 */
static napi_value snappy_compress(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
    napi_throw_error(env, "GHLAKE_NATIVE_SNAPPY", "snappyCompress takes 5 arguments");
    return NULL;
  }
  uint8_t *in, *out;
  size_t in_size, out_size;
  int64_t s, e, pos;
  if (napi_get_buffer_info(env, argv[0], (void **)&in, &in_size) != napi_ok || napi_get_value_int64(env, argv[1], &s) != napi_ok ||
      napi_get_value_int64(env, argv[2], &e) != napi_ok || napi_get_buffer_info(env, argv[3], (void **)&out, &out_size) != napi_ok ||
      napi_get_value_int64(env, argv[4], &pos) != napi_ok) {
    napi_throw_type_error(env, "GHLAKE_NATIVE_SNAPPY", "snappyCompress(input: Buffer, start, end, out: Buffer, pos)");
    return NULL;
  }
  if (s < 0 || e < s || (size_t)e > in_size || pos < 0 || (size_t)pos > out_size || e - s > 0xffffffffLL) {
    napi_throw_range_error(env, "GHLAKE_NATIVE_SNAPPY", "snappyCompress: a range outside its buffer");
    return NULL;
  }
  size_t n = (size_t)(e - s);
  size_t need = max_compressed(n);
  if (out_size - (size_t)pos < need) {
    napi_create_int64(env, -(int64_t)need, &result);
    return result;
  }
  uint8_t *op = out + pos;
  for (size_t v = n; ; v >>= 7) {
    if (v < 0x80) {
      *op++ = (uint8_t)v;
      break;
    }
    *op++ = (uint8_t)(v | 0x80);
  }
  uint16_t table[1 << HASH_BITS];
  const uint8_t *ip = in + s;
  for (size_t at = 0; at < n; at += BLOCK) {
    size_t len = n - at < BLOCK ? n - at : BLOCK;
    op = compress_block(ip + at, len, op, table, in + in_size, out + out_size);
  }
  napi_create_int64(env, (int64_t)(op - out), &result);
  return result;
}

napi_status ghlake_register_snappy(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      GHLAKE_FUNCTION("snappyCompress", snappy_compress),
  };
  return GHLAKE_DEFINE(env, exports, props);
}
