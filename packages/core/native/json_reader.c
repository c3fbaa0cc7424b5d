/*
 * The byte reader's validating pass (src/json-reader.ts, JsonReader.readObject) in C, behind Node-API.
 *
 * Same contract as the JavaScript reader, which stays the fallback and the reference of the differential test
 * (test/json-reader.test.ts runs every case through both): one pass over an object validates it completely —
 * structure, string escapes and `\u` digits, control characters, number grammar (UTF-8 is checked by the caller) —
 * and records, for each member of the field tree it meets, the value's JSON kind, where it starts and ends and
 * whether a string held an escape, in memory shared with JavaScript (no object is made per event). A key given twice
 * keeps its last value; an escaped key is the key it decodes to.
 *
 * Bounds: the JavaScript reader relies on a `\n` after the line. Here every read is inside the Buffer: the scan starts
 * only when a `\n` follows `i` inside the Buffer (a newline is invalid in every JSON token, so each loop stops there at
 * the latest); without one the bytes are copied with a newline appended.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "ghlake_native.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define KIND_OBJECT 1
#define KIND_ARRAY 2
#define KIND_STRING 3
#define KIND_NUMBER 4
#define KIND_TRUE 5
#define KIND_FALSE 6
#define KIND_NULL 7

#define BUCKETS 64

/* Shared state cells (Int32Array in JavaScript), then the last hash's 64 hex characters. */
#define STATE_GEN 0
#define STATE_OTHER 1
#define STATE_HASHED 2
#define STATE_CELLS 4
#define HASH_HEX 64

/*
 * `event_hash` (SHA-256 of the object's bytes) through the OpenSSL that Node itself carries: Node exports its
 * libcrypto's symbols to addons (or links the system's), found at load time with dlsym — no library to link, no
 * headers. The same digest as `crypto.hash('sha256', …)`; without the symbols JavaScript hashes.
 */
typedef struct evp_md_st EVP_MD;
typedef struct evp_md_ctx_st EVP_MD_CTX;
static struct {
  const EVP_MD *(*sha256)(void);
  EVP_MD_CTX *(*ctx_new)(void);
  void (*ctx_free)(EVP_MD_CTX *);
  int (*init)(EVP_MD_CTX *, const EVP_MD *, void *);
  int (*update)(EVP_MD_CTX *, const void *, size_t);
  int (*final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
  int found;
} evp;
static pthread_once_t evp_once = PTHREAD_ONCE_INIT;

static void find_evp(void) {
  *(void **)&evp.sha256 = dlsym(RTLD_DEFAULT, "EVP_sha256");
  *(void **)&evp.ctx_new = dlsym(RTLD_DEFAULT, "EVP_MD_CTX_new");
  *(void **)&evp.ctx_free = dlsym(RTLD_DEFAULT, "EVP_MD_CTX_free");
  *(void **)&evp.init = dlsym(RTLD_DEFAULT, "EVP_DigestInit_ex");
  *(void **)&evp.update = dlsym(RTLD_DEFAULT, "EVP_DigestUpdate");
  *(void **)&evp.final = dlsym(RTLD_DEFAULT, "EVP_DigestFinal_ex");
  evp.found = evp.sha256 && evp.ctx_new && evp.ctx_free && evp.init && evp.update && evp.final;
}

typedef struct {
  int32_t slot;
  int32_t subtree_end;
  int32_t own_column;
  int32_t table; /* index of the children's table, -1 for a leaf */
  int32_t next;  /* next node of the same bucket, -1 at the end */
  int32_t name_len;
  uint8_t *name;
} Node;

typedef struct {
  int32_t head[BUCKETS];
} Table;

typedef struct {
  Node *nodes;
  int32_t node_count;
  Table *tables;
  int32_t table_count;
  int32_t slot_count;
  /* views into the shared ArrayBuffer */
  uint8_t *kind;
  uint8_t *escaped;
  int32_t *start;
  int32_t *end;
  int32_t *stamp;
  int32_t *state;
  uint8_t *hash_hex;
  EVP_MD_CTX *hash_ctx; /* NULL: objects are not hashed here */
  const EVP_MD *hash_md;
  napi_ref memory;
  int32_t *other;
  int32_t other_len;
  int32_t other_cap;
  uint8_t *stack;
  int32_t stack_cap;
  int last_escaped;
  int oom;
  /* the bytes of the last readObject (observations.c reads its slots from them: ghlake_reader_slots) */
  const uint8_t *read_buf;
  size_t read_len;
  /* the Buffer read last and the last newline found in it (most lines share one chunk) */
  const uint8_t *nl_buf;
  size_t nl_len;
  size_t nl_last;
} Reader;

/* Characters allowed after a backslash besides `u`, and hex digits. */
static inline int is_escape(uint8_t c) {
  return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't';
}
static inline int is_hex(uint8_t c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

static inline int bucket_of(int32_t len, uint8_t first, uint8_t last) { return (len * 7 + first * 3 + last) & (BUCKETS - 1); }

static inline size_t skip_ws(const uint8_t *b, size_t i) {
  while (b[i] == 32 || b[i] == 9 || b[i] == 13) i++;
  return i;
}

/* `i` at an opening quote: the index past the closing quote, or -1. Sets last_escaped. */
static inline int64_t skip_string(Reader *r, const uint8_t *b, size_t len, size_t i) {
  int escaped = 0;
  i++;
  for (;;) {
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"');
    const __m128i bs = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1f);
    while (i + 16 <= len) {
      __m128i v = _mm_loadu_si128((const __m128i *)(b + i));
      __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v), _mm_cmpeq_epi8(v, q)), _mm_cmpeq_epi8(v, bs));
      unsigned bits = (unsigned)_mm_movemask_epi8(m);
      if (bits == 0) {
        i += 16;
        continue;
      }
      i += (size_t)__builtin_ctz(bits);
      break;
    }
#endif
    uint8_t c = b[i];
    while (c >= 0x20 && c != '"' && c != '\\') c = b[++i];
    if (c == '"') {
      r->last_escaped = escaped;
      return (int64_t)i + 1;
    }
    if (c != '\\') return -1; /* a control character, or the newline after the line */
    escaped = 1;
    uint8_t d = b[i + 1];
    if (d == 'u') {
      if (is_hex(b[i + 2]) && is_hex(b[i + 3]) && is_hex(b[i + 4]) && is_hex(b[i + 5])) {
        i += 6;
        continue;
      }
      return -1;
    }
    if (!is_escape(d)) return -1;
    i += 2;
  }
}

/* `true`, `false`, `null` or a number (JSON grammar: no leading zeros, no `+`, no bare `.`). */
static inline int64_t skip_literal_or_number(const uint8_t *b, size_t i, uint8_t c) {
  if (c == 't') return b[i + 1] == 'r' && b[i + 2] == 'u' && b[i + 3] == 'e' ? (int64_t)i + 4 : -1;
  if (c == 'f') return b[i + 1] == 'a' && b[i + 2] == 'l' && b[i + 3] == 's' && b[i + 4] == 'e' ? (int64_t)i + 5 : -1;
  if (c == 'n') return b[i + 1] == 'u' && b[i + 2] == 'l' && b[i + 3] == 'l' ? (int64_t)i + 4 : -1;
  if (c == '-') c = b[++i];
  if (c == '0')
    c = b[++i];
  else if (c >= '1' && c <= '9') {
    do c = b[++i];
    while (c >= '0' && c <= '9');
  } else
    return -1;
  if (c == '.') {
    c = b[++i];
    if (c < '0' || c > '9') return -1;
    do c = b[++i];
    while (c >= '0' && c <= '9');
  }
  if (c == 'e' || c == 'E') {
    c = b[++i];
    if (c == '+' || c == '-') c = b[++i];
    if (c < '0' || c > '9') return -1;
    do c = b[++i];
    while (c >= '0' && c <= '9');
  }
  return (int64_t)i;
}

static inline uint8_t kind_of_byte(uint8_t c) {
  switch (c) {
    case '"':
      return KIND_STRING;
    case '{':
      return KIND_OBJECT;
    case '[':
      return KIND_ARRAY;
    case 't':
      return KIND_TRUE;
    case 'f':
      return KIND_FALSE;
    case 'n':
      return KIND_NULL;
    default:
      return KIND_NUMBER;
  }
}

/* `i` at `{` or `[`: validate the whole container without recursion (any depth). */
static int64_t skip_container(Reader *r, const uint8_t *b, size_t len, size_t i) {
  int32_t depth = 0;
  r->stack[depth++] = b[i];
  i++;
  int after_open = 1;
  uint8_t c;
  for (;;) {
    i = skip_ws(b, i);
    c = b[i];
    if (after_open && c == r->stack[depth - 1] + 2) {
      i++;
      if (--depth == 0) return (int64_t)i;
    } else {
      if (r->stack[depth - 1] == '{') {
        if (c != '"') return -1;
        int64_t k = skip_string(r, b, len, i);
        if (k < 0) return -1;
        i = skip_ws(b, (size_t)k);
        if (b[i] != ':') return -1;
        i = skip_ws(b, i + 1);
        c = b[i];
      }
      if (c == '{' || c == '[') {
        if (depth == r->stack_cap) {
          uint8_t *grown = realloc(r->stack, (size_t)r->stack_cap * 2);
          if (grown == NULL) {
            r->oom = 1;
            return -1;
          }
          r->stack = grown;
          r->stack_cap *= 2;
        }
        r->stack[depth++] = c;
        i++;
        after_open = 1;
        continue;
      }
      int64_t k = c == '"' ? skip_string(r, b, len, i) : skip_literal_or_number(b, i, c);
      if (k < 0) return -1;
      i = (size_t)k;
    }
    /* after a value: `,` or the close of the enclosing container */
    for (;;) {
      i = skip_ws(b, i);
      c = b[i];
      if (c == ',') {
        i++;
        after_open = 0;
        break;
      }
      if (c == r->stack[depth - 1] + 2) {
        i++;
        if (--depth == 0) return (int64_t)i;
        continue;
      }
      return -1;
    }
  }
}

static inline int64_t skip_value(Reader *r, const uint8_t *b, size_t len, size_t i, uint8_t c) {
  if (c == '"') return skip_string(r, b, len, i);
  if (c == '{' || c == '[') return skip_container(r, b, len, i);
  return skip_literal_or_number(b, i, c);
}

/* The member of table `t` whose unescaped key is b[ks+1, ke-1), or -1. */
/* The member of table `t` named by the `len` bytes at `key`, or -1. */
static inline int32_t lookup(const Reader *r, const uint8_t *key, int32_t len, int32_t t) {
  if (len <= 0) return -1;
  for (int32_t n = r->tables[t].head[bucket_of(len, key[0], key[len - 1])]; n >= 0; n = r->nodes[n].next) {
    const Node *node = &r->nodes[n];
    if (node->name_len == len && memcmp(node->name, key, (size_t)len) == 0) return n;
  }
  return -1;
}

/* The member of table `t` whose unescaped key is b[ks+1, ke-1), or -1. */
static inline int32_t match(const Reader *r, const uint8_t *b, size_t ks, size_t ke, int32_t t) {
  return lookup(r, b + ks + 1, (int32_t)(ke - ks - 2), t);
}

/*
 * An escaped key (`"pay\u006coad"`): decoded, then matched. The tree's keys are ASCII (create checks), so a key that
 * decodes to anything else matches nothing; the escapes were validated by skip_string.
 */
static int32_t match_escaped(const Reader *r, const uint8_t *b, size_t ks, size_t ke, int32_t t) {
  uint8_t key[64];
  int32_t len = 0;
  for (size_t i = ks + 1; i < ke - 1;) {
    uint8_t c = b[i];
    if (len == (int32_t)sizeof(key)) return -1; /* longer than any key of the tree */
    if (c != '\\') {
      if (c >= 0x80) return -1;
      key[len++] = c;
      i++;
      continue;
    }
    uint8_t d = b[i + 1];
    switch (d) {
      case 'u': {
        unsigned v = 0;
        for (int k = 2; k < 6; k++) {
          uint8_t h = b[i + k];
          v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        if (v >= 0x80) return -1;
        key[len++] = (uint8_t)v;
        i += 6;
        continue;
      }
      case 'b':
        key[len++] = '\b';
        break;
      case 'f':
        key[len++] = '\f';
        break;
      case 'n':
        key[len++] = '\n';
        break;
      case 'r':
        key[len++] = '\r';
        break;
      case 't':
        key[len++] = '\t';
        break;
      default: /* " \ / */
        key[len++] = d;
    }
    i += 2;
  }
  return lookup(r, key, len, t);
}

static int push_other(Reader *r, int64_t ks, int64_t ke, int64_t vs, int64_t ve) {
  if (r->other_len + 4 > r->other_cap) {
    int32_t cap = r->other_cap == 0 ? 64 : r->other_cap * 2;
    int32_t *grown = realloc(r->other, (size_t)cap * sizeof(int32_t));
    if (grown == NULL) {
      r->oom = 1;
      return -1;
    }
    r->other = grown;
    r->other_cap = cap;
  }
  r->other[r->other_len++] = (int32_t)ks;
  r->other[r->other_len++] = (int32_t)ke;
  r->other[r->other_len++] = (int32_t)vs;
  r->other[r->other_len++] = (int32_t)ve;
  return 0;
}

static int64_t scan_object(Reader *r, const uint8_t *b, size_t len, size_t i, int32_t table, int top) {
  const int32_t gen = r->state[STATE_GEN];
  i = skip_ws(b, i + 1);
  uint8_t c = b[i];
  if (c == '}') return (int64_t)i + 1;
  for (;;) {
    if (c != '"') return -1;
    size_t ks = i;
    int64_t k = skip_string(r, b, len, i);
    if (k < 0) return -1;
    size_t ke = (size_t)k;
    i = skip_ws(b, ke);
    if (b[i] != ':') return -1;
    i = skip_ws(b, i + 1);
    c = b[i];
    size_t vs = i;
    int32_t n = table < 0 ? -1 : r->last_escaped ? match_escaped(r, b, ks, ke, table) : match(r, b, ks, ke, table);
    int64_t ve;
    if (n >= 0) {
      const Node *node = &r->nodes[n];
      int32_t slot = node->slot;
      /* A key seen twice keeps its last value (as JSON.parse): forget what the earlier one recorded below it. */
      if (r->stamp[slot] == gen)
        for (int32_t s = slot + 1; s < node->subtree_end; s++) r->stamp[s] = 0;
      uint8_t kind;
      if (c == '{' && node->table >= 0) {
        ve = scan_object(r, b, len, i, node->table, 0);
        kind = KIND_OBJECT;
      } else {
        ve = skip_value(r, b, len, i, c);
        kind = kind_of_byte(c);
      }
      if (ve < 0) return -1;
      r->kind[slot] = kind;
      r->start[slot] = (int32_t)vs;
      r->end[slot] = (int32_t)ve;
      r->escaped[slot] = kind == KIND_STRING && r->last_escaped ? 1 : 0;
      r->stamp[slot] = gen;
    } else {
      ve = skip_value(r, b, len, i, c);
      if (ve < 0) return -1;
    }
    if (top && (n < 0 || !r->nodes[n].own_column) && push_other(r, (int64_t)ks, (int64_t)ke, (int64_t)vs, ve) < 0) return -1;
    i = skip_ws(b, (size_t)ve);
    c = b[i];
    if (c == ',') {
      i = skip_ws(b, i + 1);
      c = b[i];
      continue;
    }
    if (c == '}') return (int64_t)i + 1;
    return -1;
  }
}

static void next_gen(Reader *r) {
  if (++r->state[STATE_GEN] == 0) {
    /* wrapped after 2^32 reads: no stamp may still equal the new generation */
    memset(r->stamp, 0, (size_t)r->slot_count * sizeof(int32_t));
    r->state[STATE_GEN] = 1;
  }
}

/* Is there a newline in b[i, len)? Remembers the buffer's last newline: most lines of a chunk share it (checked
 * again on every call: another Buffer may come at the same address). */
static int newline_follows(Reader *r, const uint8_t *b, size_t len, size_t i) {
  if (r->nl_buf != b || r->nl_len != len || r->nl_last == SIZE_MAX || r->nl_last >= len || b[r->nl_last] != '\n') {
    r->nl_buf = b;
    r->nl_len = len;
    r->nl_last = SIZE_MAX;
    for (size_t k = len; k > 0; k--)
      if (b[k - 1] == '\n') {
        r->nl_last = k - 1;
        break;
      }
  }
  return r->nl_last != SIZE_MAX && i < r->nl_last;
}

static int64_t read_object(Reader *r, const uint8_t *b, size_t len, size_t i) {
  next_gen(r);
  r->other_len = 0;
  r->oom = 0;
  if (i >= len || b[i] != '{') return -1;
  int64_t j;
  if (newline_follows(r, b, len, i)) {
    j = scan_object(r, b, len, i, 0, 1);
  } else {
    /* no newline after `i` (a caller outside the line splitter): read a copy that has one */
    size_t n = len - i;
    uint8_t *copy = malloc(n + 1);
    if (copy == NULL) return -1;
    memcpy(copy, b + i, n);
    copy[n] = '\n';
    j = scan_object(r, copy, n + 1, 0, 0, 1);
    free(copy);
    r->nl_buf = NULL;
    if (j >= 0) {
      j += (int64_t)i;
      for (int32_t s = 0; s < r->slot_count; s++)
        if (r->stamp[s] == r->state[STATE_GEN]) {
          r->start[s] += (int32_t)i;
          r->end[s] += (int32_t)i;
        }
      for (int32_t k = 0; k < r->other_len; k++) r->other[k] += (int32_t)i;
    }
  }
  r->state[STATE_OTHER] = r->other_len / 4;
  r->state[STATE_HASHED] = 0;
  if (j >= 0 && r->hash_ctx != NULL) {
    unsigned char digest[32];
    unsigned int n = 0;
    if (evp.init(r->hash_ctx, r->hash_md, NULL) == 1 && evp.update(r->hash_ctx, b + i, (size_t)j - i) == 1 &&
        evp.final(r->hash_ctx, digest, &n) == 1 && n == 32) {
      static const char HEXCHARS[] = "0123456789abcdef";
      for (int k = 0; k < 32; k++) {
        r->hash_hex[2 * k] = (uint8_t)HEXCHARS[digest[k] >> 4];
        r->hash_hex[2 * k + 1] = (uint8_t)HEXCHARS[digest[k] & 15];
      }
      r->state[STATE_HASHED] = 1;
    }
  }
  return j;
}

/* ---- Node-API glue ------------------------------------------------------------------------------------------- */

/* Marks a reader's handle, so another part can check it was given one (ghlake_reader_of). */
static const napi_type_tag READER_TAG = {0x67686c616b657264ULL, 0x6a736f6e72656164ULL};

napi_status ghlake_reader_of(napi_env env, napi_value handle, const void **reader) {
  return ghlake_tagged_external(env, handle, &READER_TAG, (void **)reader);
}

void ghlake_reader_slots(const void *reader, GhlakeSlots *out) {
  const Reader *r = reader;
  out->buf = r->read_buf;
  out->len = r->read_len;
  out->kind = r->kind;
  out->escaped = r->escaped;
  out->start = r->start;
  out->end = r->end;
  out->stamp = r->stamp;
  out->gen = r->state[STATE_GEN];
  out->slot_count = r->slot_count;
}

#define CHECK(call)                                                              \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error(env, "GHLAKE_NATIVE_READER", "json_reader: " #call " failed"); \
      return NULL;                                                               \
    }                                                                            \
  } while (0)

/* In `create`, before the reader belongs to its external: throw, and free what was built (goto fail). */
#define CHECK_R(call)                                                            \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error(env, "GHLAKE_NATIVE_READER", "json_reader: " #call " failed"); \
      goto fail;                                                                 \
    }                                                                            \
  } while (0)

/* Everything a reader owns, whole or partly built. */
static void free_reader(napi_env env, Reader *r) {
  if (r == NULL) return;
  if (r->memory != NULL) napi_delete_reference(env, r->memory);
  if (r->hash_ctx != NULL) evp.ctx_free(r->hash_ctx);
  if (r->nodes != NULL)
    for (int32_t n = 0; n < r->node_count; n++) free(r->nodes[n].name);
  free(r->nodes);
  free(r->tables);
  free(r->other);
  free(r->stack);
  free(r);
}

static void finalize_reader(napi_env env, void *data, void *hint) {
  (void)hint;
  free_reader(env, data);
}

/* create(keys: string[], slots: Int32Array, subtreeEnds: Int32Array, own: Uint8Array, parents: Int32Array, slotCount,
 *   sha256: boolean) → { handle, memory: ArrayBuffer, sha256: boolean, layout }. Nodes come in depth-first order;
 *   parents[k] is the index of node k's parent, -1 at the top. memory: kind u8[slotCount], escaped u8[slotCount],
 *   padding to 4, start i32[slotCount], end i32[slotCount], stamp i32[slotCount], state i32[4], the last hash's hex
 *   u8[64]; `layout` gives each view's byte offset.
 *   sha256: hash every valid object read (the result says whether this process's OpenSSL was found). */
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) {
    napi_throw_type_error(env, "GHLAKE_NATIVE_READER", "json_reader.create: 7 arguments expected");
    return NULL;
  }
  bool want_hash;
  CHECK(napi_get_value_bool(env, argv[6], &want_hash));
  uint32_t count;
  CHECK(napi_get_array_length(env, argv[0], &count));
  int32_t *slots, *ends, *parents;
  uint8_t *own;
  size_t l1, l2, l3, l4;
  napi_typedarray_type t;
  CHECK(napi_get_typedarray_info(env, argv[1], &t, &l1, (void **)&slots, NULL, NULL));
  CHECK(napi_get_typedarray_info(env, argv[2], &t, &l2, (void **)&ends, NULL, NULL));
  CHECK(napi_get_typedarray_info(env, argv[3], &t, &l3, (void **)&own, NULL, NULL));
  CHECK(napi_get_typedarray_info(env, argv[4], &t, &l4, (void **)&parents, NULL, NULL));
  int32_t slot_count;
  CHECK(napi_get_value_int32(env, argv[5], &slot_count));
  if (l1 != count || l2 != count || l3 != count || l4 != count || slot_count <= 0) {
    napi_throw_range_error(env, "GHLAKE_NATIVE_READER", "json_reader.create: inconsistent field tree");
    return NULL;
  }

  Reader *r = calloc(1, sizeof(Reader));
  if (r == NULL) goto oom;
  r->node_count = (int32_t)count;
  r->slot_count = slot_count;
  r->nodes = calloc(count == 0 ? 1 : count, sizeof(Node));
  /* table 0 is the top level; every node may own one */
  r->tables = malloc(sizeof(Table) * (count + 1));
  r->stack_cap = 64;
  r->stack = malloc((size_t)r->stack_cap);
  if (r->nodes == NULL || r->tables == NULL || r->stack == NULL) goto oom;
  r->table_count = 1;
  for (int32_t b = 0; b < BUCKETS; b++) r->tables[0].head[b] = -1;
  for (uint32_t k = 0; k < count; k++) r->nodes[k].table = -1;
  for (uint32_t k = 0; k < count; k++) {
    napi_value key;
    CHECK_R(napi_get_element(env, argv[0], k, &key));
    size_t key_len;
    CHECK_R(napi_get_value_string_utf8(env, key, NULL, 0, &key_len));
    Node *node = &r->nodes[k];
    node->name = malloc(key_len + 1);
    if (node->name == NULL) goto oom;
    CHECK_R(napi_get_value_string_utf8(env, key, (char *)node->name, key_len + 1, &key_len));
    node->name_len = (int32_t)key_len;
    node->slot = slots[k];
    node->subtree_end = ends[k];
    node->own_column = own[k];
    int ascii = 1;
    for (size_t k2 = 0; k2 < key_len; k2++) ascii &= node->name[k2] >= 0x20 && node->name[k2] < 0x80 && node->name[k2] != '"' && node->name[k2] != '\\';
    if (!ascii || key_len > 64) {
      napi_throw_range_error(env, "GHLAKE_NATIVE_READER", "json_reader.create: field keys must be plain ASCII of at most 64 bytes");
      goto fail;
    }
    if (node->slot < 0 || node->slot >= slot_count || node->subtree_end > slot_count || key_len == 0) {
      napi_throw_range_error(env, "GHLAKE_NATIVE_READER", "json_reader.create: a node's slot is out of range");
      goto fail;
    }
    int32_t parent = parents[k];
    int32_t table;
    if (parent < 0) {
      table = 0;
    } else {
      if ((uint32_t)parent >= k) {
        napi_throw_range_error(env, "GHLAKE_NATIVE_READER", "json_reader.create: nodes must come parents first");
        goto fail;
      }
      if (r->nodes[parent].table < 0) {
        r->nodes[parent].table = r->table_count;
        for (int32_t b = 0; b < BUCKETS; b++) r->tables[r->table_count].head[b] = -1;
        r->table_count++;
      }
      table = r->nodes[parent].table;
    }
    int b = bucket_of(node->name_len, node->name[0], node->name[node->name_len - 1]);
    /* appended at the bucket's end: the same order as the JavaScript lists (keys are unique per table anyway) */
    node->next = -1;
    int32_t *link = &r->tables[table].head[b];
    while (*link >= 0) link = &r->nodes[*link].next;
    *link = (int32_t)k;
  }

  size_t pad = ((size_t)slot_count * 2 + 3) & ~(size_t)3;
  size_t bytes = pad + (size_t)slot_count * 3 * sizeof(int32_t) + STATE_CELLS * sizeof(int32_t) + HASH_HEX;
  napi_value memory;
  void *data;
  CHECK_R(napi_create_arraybuffer(env, bytes, &data, &memory));
  memset(data, 0, bytes);
  r->kind = data;
  r->escaped = (uint8_t *)data + slot_count;
  r->start = (int32_t *)((uint8_t *)data + pad);
  r->end = r->start + slot_count;
  r->stamp = r->end + slot_count;
  r->state = r->stamp + slot_count;
  r->hash_hex = (uint8_t *)(r->state + STATE_CELLS);
  CHECK_R(napi_create_reference(env, memory, 1, &r->memory));
  if (want_hash) {
    pthread_once(&evp_once, find_evp);
    if (evp.found) {
      r->hash_md = evp.sha256();
      r->hash_ctx = r->hash_md != NULL ? evp.ctx_new() : NULL;
    }
  }

  napi_value handle, result;
  CHECK(napi_create_external(env, r, finalize_reader, NULL, &handle));
  CHECK(napi_type_tag_object(env, handle, &READER_TAG));
  CHECK(napi_create_object(env, &result));
  CHECK(napi_set_named_property(env, result, "handle", handle));
  CHECK(napi_set_named_property(env, result, "memory", memory));
  napi_value hashing;
  CHECK(napi_get_boolean(env, r->hash_ctx != NULL, &hashing));
  CHECK(napi_set_named_property(env, result, "sha256", hashing));
  /* where each view starts in `memory`: the layout is declared here only */
  napi_value layout;
  CHECK(napi_create_object(env, &layout));
  const struct {
    const char *name;
    void *at;
  } views[] = {{"kind", r->kind}, {"escaped", r->escaped}, {"start", r->start}, {"end", r->end},
               {"stamp", r->stamp}, {"state", r->state}, {"hash", r->hash_hex}};
  for (size_t k = 0; k < sizeof(views) / sizeof(views[0]); k++) {
    napi_value offset;
    CHECK(napi_create_uint32(env, (uint32_t)((uint8_t *)views[k].at - (uint8_t *)data), &offset));
    CHECK(napi_set_named_property(env, layout, views[k].name, offset));
  }
  CHECK(napi_set_named_property(env, result, "layout", layout));
  return result;

oom:
  napi_throw_error(env, "GHLAKE_NATIVE_READER", "json_reader.create: out of memory");
fail:
  free_reader(env, r);
  return NULL;
}

/* readObject(handle, buf: Buffer, i) → the index past the object's `}`, -1 when not a valid JSON object there. */
static napi_value read_object_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Reader *r;
  CHECK(napi_get_value_external(env, argv[0], (void **)&r));
  uint8_t *b;
  size_t len;
  CHECK(napi_get_buffer_info(env, argv[1], (void **)&b, &len));
  int64_t i;
  CHECK(napi_get_value_int64(env, argv[2], &i));
  int64_t j = i < 0 || len > INT32_MAX ? -1 : read_object(r, b, len, (size_t)i);
  r->read_buf = b;
  r->read_len = len;
  if (r->oom) {
    napi_throw_error(env, "GHLAKE_NATIVE_READER", "json_reader.readObject: out of memory");
    return NULL;
  }
  napi_value out;
  CHECK(napi_create_int32(env, (int32_t)j, &out));
  return out;
}

/* other(handle) → Int32Array of the last read's [keyStart, keyEnd, valueStart, valueEnd] quadruples. */
static napi_value other_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Reader *r;
  CHECK(napi_get_value_external(env, argv[0], (void **)&r));
  napi_value ab, arr;
  void *data;
  CHECK(napi_create_arraybuffer(env, (size_t)r->other_len * sizeof(int32_t), &data, &ab));
  if (r->other_len > 0) memcpy(data, r->other, (size_t)r->other_len * sizeof(int32_t));
  CHECK(napi_create_typedarray(env, napi_int32_array, (size_t)r->other_len, ab, 0, &arr));
  return arr;
}

napi_status ghlake_register_json_reader(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      GHLAKE_FUNCTION("create", create),
      GHLAKE_FUNCTION("readObject", read_object_js),
      GHLAKE_FUNCTION("other", other_js),
  };
  return GHLAKE_DEFINE(env, exports, props);
}
