/*
 * ghlake's native code: one Node-API addon (build/ghlake_native.node, compiled at install by build.mjs) made of
 * parts that each register their functions on the module's exports (addon.c). Each part has a JavaScript twin that
 * stays the fallback and the reference of its differential test.
 */
#ifndef GHLAKE_NATIVE_H
#define GHLAKE_NATIVE_H
#include <node_api.h>

/* One exported function of a part, for its napi_property_descriptor table. */
#define GHLAKE_FUNCTION(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_default, NULL}
#define GHLAKE_DEFINE(env, exports, table) napi_define_properties(env, exports, sizeof(table) / sizeof((table)[0]), table)

/* json_reader.c: JsonReader's validating pass and event_hash (@ghlake/bronze, src/json-reader.ts). */
napi_status ghlake_register_json_reader(napi_env env, napi_value exports);
/* columns.c: dictionary encoding and PLAIN pages of byte columns (@ghlake/core, src/parquet/). */
napi_status ghlake_register_columns(napi_env env, napi_value exports);
/* snappy.c: Snappy compression of Parquet pages into memory the writer reuses (src/parquet/flat-sink.ts). */
napi_status ghlake_register_snappy(napi_env env, napi_value exports);

#endif
