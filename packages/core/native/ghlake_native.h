/*
 * ghlake's native code: one Node-API addon (build/ghlake_native.node, compiled at install by build.mjs) made of
 * parts that each register their functions on the module's exports (addon.c). Each part has a JavaScript twin that
 * stays the fallback and the reference of its differential test.
 */
#ifndef GHLAKE_NATIVE_H
#define GHLAKE_NATIVE_H
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One exported function of a part, for its napi_property_descriptor table. */
#define GHLAKE_FUNCTION(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_default, NULL}
#define GHLAKE_DEFINE(env, exports, table) napi_define_properties(env, exports, sizeof(table) / sizeof((table)[0]), table)

/* json_reader.c: JsonReader's validating pass and event_hash (@ghlake/bronze, src/json-reader.ts). */
napi_status ghlake_register_json_reader(napi_env env, napi_value exports);
/* A typed array argument of type `want` (a Uint8ClampedArray counts as a Uint8Array): its memory and element count;
 * 0 for anything else. */
static inline int ghlake_typed_view(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok) return 0;
  return type == want || (want == napi_uint8_array && type == napi_uint8_clamped_array);
}

/* The data behind an external a part made and tagged with `tag` (napi_type_tag_object); napi_invalid_arg for any
 * other value, so one part's handle cannot be taken for another's. */
static inline napi_status ghlake_tagged_external(napi_env env, napi_value value, const napi_type_tag *tag, void **data) {
  bool tagged = false;
  napi_status st = napi_check_object_type_tag(env, value, tag, &tagged);
  if (st != napi_ok) return st;
  if (!tagged) return napi_invalid_arg;
  return napi_get_value_external(env, value, data);
}

/* The slots a reader's last readObject recorded (json_reader.c), as observations.c reads them. A slot holds a value
 * of that read when stamp[slot] == gen; its bytes are buf[start[slot], end[slot]). */
typedef struct {
  const uint8_t *buf;
  size_t len;
  const uint8_t *kind;
  const uint8_t *escaped;
  const int32_t *start;
  const int32_t *end;
  const int32_t *stamp;
  int32_t gen;
  int32_t slot_count;
} GhlakeSlots;
/* The reader behind a handle json_reader's create made (napi_invalid_arg for anything else). */
napi_status ghlake_reader_of(napi_env env, napi_value handle, const void **reader);
void ghlake_reader_slots(const void *reader, GhlakeSlots *out);
/* observations.c: silver's per-hour entity observations of Events API events (@ghlake/silver, src/observations.ts). */
napi_status ghlake_register_observations(napi_env env, napi_value exports);
/* columns.c: dictionary encoding and PLAIN pages of byte columns (@ghlake/core, src/parquet/). */
napi_status ghlake_register_columns(napi_env env, napi_value exports);
/* snappy.c: Snappy compression of Parquet pages into memory the writer reuses (src/parquet/flat-sink.ts). */
napi_status ghlake_register_snappy(napi_env env, napi_value exports);

#endif
