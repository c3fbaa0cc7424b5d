/* The addon's entry: every part registers its functions (ghlake_native.h). */
#include "ghlake_native.h"

NAPI_MODULE_INIT() {
  if (ghlake_register_json_reader(env, exports) != napi_ok) return NULL;
  if (ghlake_register_columns(env, exports) != napi_ok) return NULL;
  if (ghlake_register_snappy(env, exports) != napi_ok) return NULL;
  if (ghlake_register_observations(env, exports) != napi_ok) return NULL;
  return exports;
}
