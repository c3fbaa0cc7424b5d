/*
 * Silver's per-hour entity observations of Events API events (@ghlake/silver, src/observations.ts) in C, behind
 * Node-API. The rule is the JavaScript twin's, which stays the fallback, the reader of Timeline events and the
 * reference of the differential tests: one row per actor, repository and organization id seen in the hour; every
 * attribute takes the value of the latest event (by created_at; a tie goes to the later line) that has it non-NULL;
 * *_seen_at is the latest created_at of the events that gave its group; first/last_seen_at span the entity's events.
 *
 * One call per event (`observe`) reads the slots the reader's native pass recorded for the line just read
 * (json_reader.c, ghlake_reader_slots): no value crosses into JavaScript per event, where the twin spent ~19% of a
 * trimmed hour's CPU. Strings are kept as the bytes between their quotes (their UTF-8: lines are valid UTF-8), an
 * escaped one with its quotes, decoded by JavaScript when the rows are written. A payload time that is not plain
 * `YYYY-MM-DDTHH:MM:SSZ` is handed to a JavaScript callback (Date.parse's rules are JavaScript's).
 */
#define _GNU_SOURCE /* strtod_l */
#include "ghlake_native.h"
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#if defined(__APPLE__)
#include <xlocale.h>
#endif

#define KIND_OBJECT 1
#define KIND_STRING 3
#define KIND_NUMBER 4
#define KIND_TRUE 5
#define KIND_FALSE 6

#define NEVER (-INFINITY)

/* Where an entity's text value is: `len` bytes at `off` of its kind's arena (room for `cap`); escaped: JSON text with quotes. */
typedef struct {
  uint32_t off, len, cap;
  uint32_t escaped;
} Text;

typedef struct {
  double key;
  int64_t index; /* -1: empty */
} MapSlot;

/*
 * The entities of one kind. Per entity a record: its times — first seen, last seen, then each text attribute's time,
 * each number attribute's time, each *_seen_at (NEVER until set) —, each number attribute's value, each text
 * attribute's place.
 */
typedef struct {
  int n_text, n_num, n_seen, n_times;
  /* id → index: open addressing, key and index side by side (one cache line per probe) */
  MapSlot *map;
  size_t mask, used;
  double *ids;
  size_t count, cap;
  /* one record per entity, `stride` bytes: times, then nums, then texts (an event's updates touch adjacent lines) */
  uint8_t *records;
  size_t stride;
  uint8_t *arena;
  size_t arena_len, arena_cap;
} Kind;

static inline double *times_of(const Kind *k, size_t i) { return (double *)(k->records + i * k->stride); }
static inline double *nums_of(const Kind *k, size_t i) { return times_of(k, i) + k->n_times; }
static inline Text *texts_of(const Kind *k, size_t i) { return (Text *)(nums_of(k, i) + k->n_num); }

/* A column of an observation table: the id, a time (first/last/seen), a number attribute or a text attribute. */
enum { COL_ID, COL_TIME, COL_NUM, COL_TEXT };
typedef struct {
  const char *name;
  int what;
  int ix; /* COL_TIME: index into times; COL_NUM / COL_TEXT: the attribute */
} Column;

/* Actor attributes (silver.actor_observations). */
enum { A_LOGIN, A_DISPLAY_LOGIN, A_URL, A_AVATAR_URL, A_GRAVATAR_ID, A_TYPE, A_TEXTS };
enum { A_SITE_ADMIN, A_NUMS };
enum { A_LOGIN_SEEN, A_TYPE_SEEN, A_SEENS };
/* Repository attributes (silver.repository_observations). */
enum { R_NAME, R_URL, R_OWNER_LOGIN, R_LANGUAGE, R_TEXTS };
enum { R_OWNER_ID, R_FORK, R_CREATED_AT, R_UPDATED_AT, R_STARS, R_FORKS, R_ISSUES, R_WATCHERS, R_SIZE, R_NUMS };
enum { R_NAME_SEEN, R_DETAILS_SEEN, R_SEENS };
/* Organization attributes (silver.organization_observations). */
enum { O_LOGIN, O_URL, O_AVATAR_URL, O_TEXTS };
enum { O_LOGIN_SEEN, O_SEENS };

#define SEEN_TIME(k, m) (2 + (k)->n_text + (k)->n_num + (m))

static const Column ACTOR_COLUMNS[] = {
    {"actor_id", COL_ID, 0},           {"actor_login", COL_TEXT, A_LOGIN},  {"actor_display_login", COL_TEXT, A_DISPLAY_LOGIN},
    {"actor_url", COL_TEXT, A_URL},     {"avatar_url", COL_TEXT, A_AVATAR_URL}, {"gravatar_id", COL_TEXT, A_GRAVATAR_ID},
    {"login_seen_at", COL_TIME, 2 + A_TEXTS + A_NUMS + A_LOGIN_SEEN},      {"actor_type", COL_TEXT, A_TYPE},
    {"actor_site_admin", COL_NUM, A_SITE_ADMIN},                          {"type_seen_at", COL_TIME, 2 + A_TEXTS + A_NUMS + A_TYPE_SEEN},
    {"first_seen_at", COL_TIME, 0},     {"last_seen_at", COL_TIME, 1},
};
static const Column REPO_COLUMNS[] = {
    {"repo_id", COL_ID, 0},
    {"repo_name", COL_TEXT, R_NAME},
    {"repo_url", COL_TEXT, R_URL},
    {"name_seen_at", COL_TIME, 2 + R_TEXTS + R_NUMS + R_NAME_SEEN},
    {"owner_id", COL_NUM, R_OWNER_ID},
    {"owner_login", COL_TEXT, R_OWNER_LOGIN},
    {"is_fork", COL_NUM, R_FORK},
    {"language", COL_TEXT, R_LANGUAGE},
    {"created_at", COL_NUM, R_CREATED_AT},
    {"updated_at", COL_NUM, R_UPDATED_AT},
    {"stars_count", COL_NUM, R_STARS},
    {"forks_count", COL_NUM, R_FORKS},
    {"issues_count", COL_NUM, R_ISSUES},
    {"watchers_count", COL_NUM, R_WATCHERS},
    {"size", COL_NUM, R_SIZE},
    {"details_seen_at", COL_TIME, 2 + R_TEXTS + R_NUMS + R_DETAILS_SEEN},
    {"first_seen_at", COL_TIME, 0},
    {"last_seen_at", COL_TIME, 1},
};
static const Column ORG_COLUMNS[] = {
    {"org_id", COL_ID, 0},          {"org_login", COL_TEXT, O_LOGIN}, {"org_url", COL_TEXT, O_URL}, {"avatar_url", COL_TEXT, O_AVATAR_URL},
    {"login_seen_at", COL_TIME, 2 + O_TEXTS + O_LOGIN_SEEN},          {"first_seen_at", COL_TIME, 0}, {"last_seen_at", COL_TIME, 1},
};

/* Slots of a repository object: object, id, owner.id, owner.login, fork, language, created_at, updated_at, counts,
 * size (-1: a member the object never has); a forkee adds full_name and url. */
enum { RS_OBJECT, RS_ID, RS_OWNER_ID, RS_OWNER_LOGIN, RS_FORK, RS_LANGUAGE, RS_CREATED_AT, RS_UPDATED_AT, RS_STARS, RS_FORKS,
       RS_ISSUES, RS_WATCHERS, RS_SIZE, RS_FIELDS, RS_FULL_NAME = RS_FIELDS, RS_URL, RS_FORKEE_FIELDS };
/* Slots of a user object: object, id, type, site_admin. */
enum { US_OBJECT, US_ID, US_TYPE, US_SITE_ADMIN, US_FIELDS };

typedef struct {
  napi_env env;
  napi_ref reader_ref; /* keeps the reader alive: its slots are read on every event */
  const void *reader;
  napi_ref time_of;    /* (slot) => number | null: a payload time in JavaScript's rules */
  int32_t actor[6];    /* id, login, display_login, url, avatar_url, gravatar_id */
  int32_t repo[3];     /* id, name, url */
  int32_t org[4];      /* id, login, url, avatar_url */
  int32_t *user_objects;
  int32_t user_count;
  int32_t *repo_objects;
  int32_t repo_count;
  int32_t forkee[RS_FORKEE_FIELDS];
  Kind kinds[3];
  int oom;
  int callback_failed;
} Observations;

/* ---- reading a slot (the JsonReader decoders' rules) --------------------------------------------------------- */

static inline int kind_of(const GhlakeSlots *s, int32_t slot) {
  return slot >= 0 && slot < s->slot_count && s->stamp[slot] == s->gen ? s->kind[slot] : 0;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0); }

/* The value of the valid JSON number text b[s, e), as JSON.parse gives it (both round correctly). */
static double number_at(const uint8_t *b, int32_t s, int32_t e) {
  if (e - s <= 15) {
    double n = 0;
    int32_t i = s;
    for (; i < e; i++) {
      unsigned d = (unsigned)b[i] - '0';
      if (d > 9) break;
      n = n * 10 + d;
    }
    if (i == e) return n;
  }
  char small[64];
  size_t len = (size_t)(e - s);
  char *text = len < sizeof(small) ? small : malloc(len + 1);
  if (text == NULL) return NAN;
  memcpy(text, b + s, len);
  text[len] = 0;
  pthread_once(&c_locale_once, make_c_locale);
  double v = c_locale != (locale_t)0 ? strtod_l(text, NULL, c_locale) : strtod(text, NULL);
  if (text != small) free(text);
  return v;
}

/* An integer number (ids, counts): true and *v set; anything else is NULL. */
static inline bool int_of(const GhlakeSlots *s, int32_t slot, double *v) {
  if (kind_of(s, slot) != KIND_NUMBER) return false;
  double x = number_at(s->buf, s->start[slot], s->end[slot]);
  if (!isfinite(x) || trunc(x) != x) return false;
  *v = x;
  return true;
}

static inline bool bool_of(const GhlakeSlots *s, int32_t slot, double *v) {
  int k = kind_of(s, slot);
  if (k != KIND_TRUE && k != KIND_FALSE) return false;
  *v = k == KIND_TRUE ? 1 : 0;
  return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static inline int digits(const uint8_t *p, int n) {
  int v = 0;
  for (int k = 0; k < n; k++) {
    unsigned d = (unsigned)p[k] - '0';
    if (d > 9) return -1;
    v = v * 10 + (int)d;
  }
  return v;
}

/* Math.round (halves up). */
static inline double js_round(double x) {
  double r = floor(x);
  return x - r >= 0.5 ? r + 1 : r;
}

/*
 * A payload time (observations.ts payloadTime): ISO text or epoch seconds. Plain `YYYY-MM-DDTHH:MM:SSZ` with a day
 * every month has is computed here; other text goes to JavaScript (time_of), which applies Date.parse.
 */
static bool time_of(Observations *o, const GhlakeSlots *s, int32_t slot, double *v) {
  int k = kind_of(s, slot);
  if (k == KIND_NUMBER) {
    double x = number_at(s->buf, s->start[slot], s->end[slot]);
    if (!isfinite(x)) return false;
    *v = js_round(x * 1000);
    return true;
  }
  if (k != KIND_STRING) return false;
  const uint8_t *p = s->buf + s->start[slot] + 1;
  if (!s->escaped[slot] && s->end[slot] - s->start[slot] == 22 && p[4] == '-' && p[7] == '-' && p[10] == 'T' && p[13] == ':' &&
      p[16] == ':' && p[19] == 'Z') {
    int y = digits(p, 4), mo = digits(p + 5, 2), d = digits(p + 8, 2), h = digits(p + 11, 2), mi = digits(p + 14, 2), se = digits(p + 17, 2);
    if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 28 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && se >= 0 && se <= 59) {
      *v = (double)((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se) * 1000);
      return true;
    }
  }
  napi_env env = o->env;
  napi_value fn, undefined, arg, result;
  napi_valuetype type;
  if (napi_get_reference_value(env, o->time_of, &fn) != napi_ok || napi_get_undefined(env, &undefined) != napi_ok ||
      napi_create_int32(env, slot, &arg) != napi_ok || napi_call_function(env, undefined, fn, 1, &arg, &result) != napi_ok ||
      napi_typeof(env, result, &type) != napi_ok) {
    o->callback_failed = 1;
    return false;
  }
  if (type != napi_number) return false;
  return napi_get_value_double(env, result, v) == napi_ok;
}

/* ---- entities ------------------------------------------------------------------------------------------------- */

static inline uint64_t hash_key(double id) {
  if (id == 0) id = 0; /* -0 is 0, as in JavaScript's IntMap */
  uint64_t x;
  memcpy(&x, &id, 8);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

static bool grow_map(Kind *k) {
  size_t cap = k->mask == 0 ? 4096 : 2 * (k->mask + 1);
  MapSlot *map = malloc(cap * sizeof(MapSlot));
  if (map == NULL) return false;
  for (size_t j = 0; j < cap; j++) map[j].index = -1;
  for (size_t j = 0; k->mask != 0 && j <= k->mask; j++) {
    if (k->map[j].index < 0) continue;
    size_t h = hash_key(k->map[j].key) & (cap - 1);
    while (map[h].index >= 0) h = (h + 1) & (cap - 1);
    map[h] = k->map[j];
  }
  free(k->map);
  k->map = map;
  k->mask = cap - 1;
  return true;
}

static bool grow_entities(Kind *k) {
  size_t cap = k->cap == 0 ? 1024 : 2 * k->cap;
  double *ids = realloc(k->ids, cap * sizeof(double));
  if (ids == NULL) return false;
  k->ids = ids;
  uint8_t *records = realloc(k->records, cap * k->stride);
  if (records == NULL) return false;
  k->records = records;
  k->cap = cap;
  return true;
}

/*
 * The entity's index, added on first sight (its span then t..t); -1 when out of memory. An entity seen before is
 * found through the map alone: its record is widened later (`widen`), once a prefetch had time to bring it in.
 */
static int32_t entity_index(Observations *o, Kind *k, double id, double t) {
  if (2 * (k->used + 1) > k->mask + 1 && !grow_map(k)) goto oom;
  size_t h = hash_key(id) & k->mask;
  while (k->map[h].index >= 0) {
    if (k->map[h].key == id) return (int32_t)k->map[h].index;
    h = (h + 1) & k->mask;
  }
  if (k->count == k->cap && !grow_entities(k)) goto oom;
  int32_t i = (int32_t)k->count++;
  k->map[h].key = id;
  k->map[h].index = i;
  k->used++;
  k->ids[i] = id;
  double *times = times_of(k, (size_t)i);
  times[0] = times[1] = t;
  for (int j = 2; j < k->n_times; j++) times[j] = NEVER;
  memset(texts_of(k, (size_t)i), 0, (size_t)k->n_text * sizeof(Text));
  return i;
oom:
  o->oom = 1;
  return -1;
}

/* The entity's first/last seen widened to t. */
static inline void widen(Kind *k, int32_t i, double t) {
  double *times = times_of(k, (size_t)i);
  if (t < times[0]) times[0] = t;
  if (t > times[1]) times[1] = t;
}

/* Entities.at: the entity's index (added on first sight), its first/last seen widened to t; -1 when out of memory. */
static int32_t entity_at(Observations *o, Kind *k, double id, double t) {
  int32_t i = entity_index(o, k, id, t);
  if (i >= 0) widen(k, i, t);
  return i;
}

/*
 * What an event's updates will touch, asked of the memory ahead: an hour's entities (tens of thousands, ~30 MB of
 * records and texts) do not stay in cache, and three lookups one after the other waited for three misses in turn.
 */
static inline void prefetch_slot(const Kind *k, double id) {
  if (k->mask != 0) __builtin_prefetch(&k->map[hash_key(id) & k->mask]);
}
static inline void prefetch_record(const Kind *k, int32_t i) {
  const uint8_t *p = k->records + (size_t)i * k->stride;
  for (size_t off = 0; off < k->stride; off += 64) __builtin_prefetch(p + off, 1);
}

/* LatestText.observeSlot: a string value at t or later replaces the attribute's. */
static void observe_text(Observations *o, Kind *k, int32_t i, int attr, const GhlakeSlots *s, int32_t slot, double t) {
  double *ti = times_of(k, (size_t)i) + 2 + attr;
  if (t < *ti || kind_of(s, slot) != KIND_STRING) return;
  *ti = t;
  bool escaped = s->escaped[slot] != 0;
  /* an escaped string keeps its quotes: JSON.parse decodes it when the rows are written */
  int32_t from = escaped ? s->start[slot] : s->start[slot] + 1;
  uint32_t len = (uint32_t)((escaped ? s->end[slot] : s->end[slot] - 1) - from);
  Text *x = texts_of(k, (size_t)i) + attr;
  if (len > x->cap) {
    if (k->arena_len + len > k->arena_cap) {
      size_t cap = k->arena_cap == 0 ? 1 << 16 : k->arena_cap;
      while (cap < k->arena_len + len) cap *= 2;
      uint8_t *arena = realloc(k->arena, cap);
      if (arena == NULL) {
        o->oom = 1;
        return;
      }
      k->arena = arena;
      k->arena_cap = cap;
    }
    x->off = (uint32_t)k->arena_len;
    x->cap = len;
    k->arena_len += len;
  }
  if (len > 0) memcpy(k->arena + x->off, s->buf + from, len);
  x->len = len;
  x->escaped = escaped;
}

/* Latest.observe: a non-NULL value at t or later replaces the attribute's. */
static inline void observe_num(Kind *k, int32_t i, int attr, bool has, double v, double t) {
  double *ti = times_of(k, (size_t)i) + 2 + k->n_text + attr;
  if (has && t >= *ti) {
    nums_of(k, (size_t)i)[attr] = v;
    *ti = t;
  }
}

/* MaxTime.see */
static inline void see(Kind *k, int32_t i, int seen, double t) {
  double *ti = times_of(k, (size_t)i) + SEEN_TIME(k, seen);
  if (t > *ti) *ti = t;
}

static void repo_details(Observations *o, int32_t i, const GhlakeSlots *s, const int32_t *rs, double t) {
  Kind *k = &o->kinds[1];
  double v = 0;
  bool has;
  if (rs[RS_OWNER_ID] >= 0) {
    has = int_of(s, rs[RS_OWNER_ID], &v);
    observe_num(k, i, R_OWNER_ID, has, v, t);
  }
  observe_text(o, k, i, R_OWNER_LOGIN, s, rs[RS_OWNER_LOGIN], t);
  has = bool_of(s, rs[RS_FORK], &v);
  observe_num(k, i, R_FORK, has, v, t);
  observe_text(o, k, i, R_LANGUAGE, s, rs[RS_LANGUAGE], t);
  has = time_of(o, s, rs[RS_CREATED_AT], &v);
  observe_num(k, i, R_CREATED_AT, has, v, t);
  if (rs[RS_UPDATED_AT] >= 0) {
    has = time_of(o, s, rs[RS_UPDATED_AT], &v);
    observe_num(k, i, R_UPDATED_AT, has, v, t);
  }
  static const int counts[][2] = {{RS_STARS, R_STARS}, {RS_FORKS, R_FORKS}, {RS_ISSUES, R_ISSUES}, {RS_WATCHERS, R_WATCHERS}, {RS_SIZE, R_SIZE}};
  for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
    has = int_of(s, rs[counts[c][0]], &v);
    observe_num(k, i, counts[c][1], has, v, t);
  }
  see(k, i, R_DETAILS_SEEN, t);
}

/* HourObservations.add for an Events API event (the entities' lookups first, their records prefetched, then the rule). */
static void observe_event(Observations *o, const GhlakeSlots *s, double t, bool is_fork) {
  Kind *actors = &o->kinds[0], *repos = &o->kinds[1], *orgs = &o->kinds[2];
  double actor_id = 0, repo_id = 0, org_id = 0;
  bool has_actor = int_of(s, o->actor[0], &actor_id), has_repo = int_of(s, o->repo[0], &repo_id), has_org = int_of(s, o->org[0], &org_id);
  if (has_actor) prefetch_slot(actors, actor_id);
  if (has_repo) prefetch_slot(repos, repo_id);
  if (has_org) prefetch_slot(orgs, org_id);
  int32_t a = -1, r = -1, g = -1;
  if (has_actor && (a = entity_index(o, actors, actor_id, t)) < 0) return;
  if (a >= 0) prefetch_record(actors, a);
  if (has_repo && (r = entity_index(o, repos, repo_id, t)) < 0) return;
  if (r >= 0) prefetch_record(repos, r);
  if (has_org && (g = entity_index(o, orgs, org_id, t)) < 0) return;
  if (g >= 0) prefetch_record(orgs, g);

  if (a >= 0) {
    widen(actors, a, t);
    for (int k = 0; k < 5; k++) observe_text(o, actors, a, A_LOGIN + k, s, o->actor[1 + k], t); /* login … gravatar_id */
    see(actors, a, A_LOGIN_SEEN, t);
    for (int32_t u = 0; u < o->user_count; u++) {
      const int32_t *us = o->user_objects + (size_t)u * US_FIELDS;
      double uid;
      if (kind_of(s, us[US_OBJECT]) != KIND_OBJECT || !int_of(s, us[US_ID], &uid) || uid != actor_id) continue;
      observe_text(o, actors, a, A_TYPE, s, us[US_TYPE], t);
      double v = 0;
      bool has = bool_of(s, us[US_SITE_ADMIN], &v);
      observe_num(actors, a, A_SITE_ADMIN, has, v, t);
      see(actors, a, A_TYPE_SEEN, t);
    }
  }
  if (r >= 0) {
    widen(repos, r, t);
    observe_text(o, repos, r, R_NAME, s, o->repo[1], t);
    observe_text(o, repos, r, R_URL, s, o->repo[2], t);
    see(repos, r, R_NAME_SEEN, t);
    for (int32_t k = 0; k < o->repo_count; k++) {
      const int32_t *rs = o->repo_objects + (size_t)k * RS_FIELDS;
      double rid;
      if (kind_of(s, rs[RS_OBJECT]) == KIND_OBJECT && int_of(s, rs[RS_ID], &rid) && rid == repo_id) repo_details(o, r, s, rs, t);
    }
  }
  double fid;
  if (is_fork && kind_of(s, o->forkee[RS_OBJECT]) == KIND_OBJECT && int_of(s, o->forkee[RS_ID], &fid)) {
    int32_t f = entity_at(o, repos, fid, t);
    if (f < 0) return;
    observe_text(o, repos, f, R_NAME, s, o->forkee[RS_FULL_NAME], t);
    observe_text(o, repos, f, R_URL, s, o->forkee[RS_URL], t);
    see(repos, f, R_NAME_SEEN, t);
    repo_details(o, f, s, o->forkee, t);
  }
  if (g >= 0) {
    widen(orgs, g, t);
    for (int k = 0; k < 3; k++) observe_text(o, orgs, g, O_LOGIN + k, s, o->org[1 + k], t);
    see(orgs, g, O_LOGIN_SEEN, t);
  }
}

/* ---- Node-API glue ------------------------------------------------------------------------------------------- */

#define THROW(fn, msg)                                            \
  do {                                                            \
    napi_throw_error(env, "GHLAKE_NATIVE_OBSERVATIONS", fn ": " msg); \
    return NULL;                                                  \
  } while (0)
#define CHECK(call)                                   \
  do {                                                \
    if ((call) != napi_ok) THROW("observations", #call " failed"); \
  } while (0)

static void free_kind(Kind *k) {
  free(k->map);
  free(k->ids);
  free(k->records);
  free(k->arena);
  memset(k, 0, sizeof(*k));
}

static void free_observations(napi_env env, Observations *o) {
  if (o == NULL) return;
  if (o->reader_ref != NULL) napi_delete_reference(env, o->reader_ref);
  if (o->time_of != NULL) napi_delete_reference(env, o->time_of);
  for (int k = 0; k < 3; k++) free_kind(&o->kinds[k]);
  free(o->user_objects);
  free(o->repo_objects);
  free(o);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  free_observations(env, data);
}

static const napi_type_tag OBSERVATIONS_TAG = {0x67686c616b656f62ULL, 0x7365727661746e73ULL};

static Observations *unwrap(napi_env env, napi_value handle) {
  void *data = NULL;
  if (ghlake_tagged_external(env, handle, &OBSERVATIONS_TAG, &data) != napi_ok) {
    napi_throw_type_error(env, "GHLAKE_NATIVE_OBSERVATIONS", "observations: not an observations handle");
    return NULL;
  }
  return data;
}

/* An Int32Array argument of exactly n elements (n < 0: a multiple of -n), copied into out (malloc'd when *out is NULL). */
static bool int32s(napi_env env, napi_value v, int32_t n, int32_t *fixed, int32_t **out, int32_t *count) {
  size_t len;
  void *data;
  if (!ghlake_typed_view(env, v, napi_int32_array, &data, &len)) return false;
  if (n >= 0 ? len != (size_t)n : len % (size_t)(-n) != 0) return false;
  if (fixed != NULL) {
    memcpy(fixed, data, len * sizeof(int32_t));
    return true;
  }
  *out = malloc(len == 0 ? 1 : len * sizeof(int32_t));
  if (*out == NULL) return false;
  memcpy(*out, data, len * sizeof(int32_t));
  *count = (int32_t)(len / (size_t)(-n));
  return true;
}

static void init_kind(Kind *k, int n_text, int n_num, int n_seen) {
  k->n_text = n_text;
  k->n_num = n_num;
  k->n_seen = n_seen;
  k->n_times = 2 + n_text + n_num + n_seen;
  k->stride = (size_t)(k->n_times + n_num) * sizeof(double) + (size_t)n_text * sizeof(Text);
}

/*
 * create(reader, actor: Int32Array(6), repo: Int32Array(3), org: Int32Array(4), userObjects: Int32Array(4n),
 *   repoObjects: Int32Array(13n), forkee: Int32Array(15), timeOf: (slot) => number | null) → handle.
 * `reader` is a JsonReader's native handle; the others are its slots (-1: a member never read), in the rule's order.
 */
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8) THROW("observations.create", "8 arguments expected");
  Observations *o = calloc(1, sizeof(Observations));
  if (o == NULL) THROW("observations.create", "out of memory");
  if (ghlake_reader_of(env, argv[0], &o->reader) != napi_ok) {
    free(o);
    THROW("observations.create", "the first argument is not a reader's handle");
  }
  napi_valuetype fn_type;
  if (!int32s(env, argv[1], 6, o->actor, NULL, NULL) || !int32s(env, argv[2], 3, o->repo, NULL, NULL) ||
      !int32s(env, argv[3], 4, o->org, NULL, NULL) || !int32s(env, argv[4], -US_FIELDS, NULL, &o->user_objects, &o->user_count) ||
      !int32s(env, argv[5], -RS_FIELDS, NULL, &o->repo_objects, &o->repo_count) ||
      !int32s(env, argv[6], RS_FORKEE_FIELDS, o->forkee, NULL, NULL) || napi_typeof(env, argv[7], &fn_type) != napi_ok ||
      fn_type != napi_function) {
    free_observations(env, o);
    THROW("observations.create", "slots: Int32Arrays of the documented lengths, then a function");
  }
  if (napi_create_reference(env, argv[0], 1, &o->reader_ref) != napi_ok || napi_create_reference(env, argv[7], 1, &o->time_of) != napi_ok) {
    free_observations(env, o);
    THROW("observations.create", "napi_create_reference failed");
  }
  init_kind(&o->kinds[0], A_TEXTS, A_NUMS, A_SEENS);
  init_kind(&o->kinds[1], R_TEXTS, R_NUMS, R_SEENS);
  init_kind(&o->kinds[2], O_TEXTS, 0, O_SEENS);
  napi_value handle;
  if (napi_create_external(env, o, finalize, NULL, &handle) != napi_ok) {
    free_observations(env, o);
    THROW("observations.create", "napi_create_external failed");
  }
  CHECK(napi_type_tag_object(env, handle, &OBSERVATIONS_TAG));
  return handle;
}

/* observe(handle, createdAtMs, isFork) — the event the reader read last. */
static napi_value observe(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) THROW("observations.observe", "3 arguments expected");
  Observations *o = unwrap(env, argv[0]);
  if (o == NULL) return NULL;
  double t;
  bool is_fork;
  CHECK(napi_get_value_double(env, argv[1], &t));
  CHECK(napi_get_value_bool(env, argv[2], &is_fork));
  GhlakeSlots s;
  ghlake_reader_slots(o->reader, &s);
  if (s.buf == NULL) THROW("observations.observe", "the reader has read nothing");
  o->env = env;
  observe_event(o, &s, t, is_fork);
  if (o->oom) THROW("observations.observe", "out of memory");
  if (o->callback_failed) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_error(env, "GHLAKE_NATIVE_OBSERVATIONS", "observations.observe: the time callback failed");
    return NULL;
  }
  return NULL;
}

/* counts(handle) → [actors, repositories, organizations] */
static napi_value counts(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result, n;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Observations *o = unwrap(env, argv[0]);
  if (o == NULL) return NULL;
  CHECK(napi_create_array_with_length(env, 3, &result));
  for (uint32_t k = 0; k < 3; k++) {
    CHECK(napi_create_uint32(env, (uint32_t)o->kinds[k].count, &n));
    CHECK(napi_set_element(env, result, k, n));
  }
  return result;
}

typedef struct {
  double id;
  int32_t index;
} ById;
static int by_id(const void *a, const void *b) {
  double x = ((const ById *)a)->id, y = ((const ById *)b)->id;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* A new typed array of n elements; *data points at its memory. */
static napi_status new_typed_array(napi_env env, napi_typedarray_type type, size_t n, size_t width, void **data, napi_value *out) {
  napi_value ab;
  napi_status st = napi_create_arraybuffer(env, n * width == 0 ? 1 : n * width, data, &ab);
  if (st != napi_ok) return st;
  return napi_create_typedarray(env, type, n, ab, 0, out);
}

/*
 * table(handle, kind: 0 actors | 1 repositories | 2 organizations, withTimes: boolean) → { count, text: Buffer,
 * columns: { name: column }, times?: { name: Float64Array } }, rows ordered by id. A column is a Float64Array (NaN:
 * NULL; booleans 0/1) or { start, end: Int32Array, flags: Uint8Array } into `text` (flags 0: the bytes, 1: NULL,
 * 2: escaped JSON text with its quotes). withTimes: each attribute's time too (NaN: never), to hand the entities over
 * to the JavaScript twin mid-hour.
 */
static napi_value table(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) THROW("observations.table", "3 arguments expected");
  bool with_times;
  CHECK(napi_get_value_bool(env, argv[2], &with_times));
  Observations *o = unwrap(env, argv[0]);
  if (o == NULL) return NULL;
  int32_t which;
  CHECK(napi_get_value_int32(env, argv[1], &which));
  if (which < 0 || which > 2) THROW("observations.table", "kind is 0, 1 or 2");
  Kind *k = &o->kinds[which];
  const Column *cols = which == 0 ? ACTOR_COLUMNS : which == 1 ? REPO_COLUMNS : ORG_COLUMNS;
  size_t ncols = which == 0 ? sizeof(ACTOR_COLUMNS) / sizeof(Column) : which == 1 ? sizeof(REPO_COLUMNS) / sizeof(Column) : sizeof(ORG_COLUMNS) / sizeof(Column);
  size_t n = k->count;
  ById *sorted = malloc((n == 0 ? 1 : n) * sizeof(ById));
  int32_t *order = malloc((n == 0 ? 1 : n) * sizeof(int32_t));
  if (sorted == NULL || order == NULL) {
    free(sorted);
    free(order);
    THROW("observations.table", "out of memory");
  }
  for (size_t r = 0; r < n; r++) sorted[r] = (ById){k->ids[r], (int32_t)r};
  qsort(sorted, n, sizeof(ById), by_id); /* ids are distinct: any sort gives the one order */
  for (size_t r = 0; r < n; r++) order[r] = sorted[r].index;
  free(sorted);

  napi_value result, columns, times_out, v;
  napi_status st = napi_create_object(env, &result);
  if (st == napi_ok) st = napi_create_object(env, &columns);
  if (st == napi_ok) st = napi_create_object(env, &times_out);
  /* the text of every row, in row order */
  size_t text_bytes = 0;
  for (size_t r = 0; r < n; r++)
    for (int a = 0; a < k->n_text; a++) text_bytes += texts_of(k, r)[a].len;
  uint8_t *text = NULL;
  napi_value text_buf;
  if (st == napi_ok) st = napi_create_buffer(env, text_bytes == 0 ? 1 : text_bytes, (void **)&text, &text_buf);
  size_t at = 0;
  for (size_t c = 0; st == napi_ok && c < ncols; c++) {
    const Column *col = &cols[c];
    if (col->what == COL_TEXT) {
      int32_t *starts, *ends;
      uint8_t *flags;
      napi_value vs, ve, vf;
      if ((st = new_typed_array(env, napi_int32_array, n, 4, (void **)&starts, &vs)) != napi_ok) break;
      if ((st = new_typed_array(env, napi_int32_array, n, 4, (void **)&ends, &ve)) != napi_ok) break;
      if ((st = new_typed_array(env, napi_uint8_array, n, 1, (void **)&flags, &vf)) != napi_ok) break;
      for (size_t r = 0; r < n; r++) {
        size_t e = (size_t)order[r];
        const Text *x = texts_of(k, e) + col->ix;
        starts[r] = ends[r] = (int32_t)at;
        if (times_of(k, e)[2 + col->ix] == NEVER) {
          flags[r] = 1;
          continue;
        }
        if (x->len > 0) memcpy(text + at, k->arena + x->off, x->len);
        at += x->len;
        ends[r] = (int32_t)at;
        flags[r] = x->escaped ? 2 : 0;
      }
      if ((st = napi_create_object(env, &v)) != napi_ok) break;
      if ((st = napi_set_named_property(env, v, "start", vs)) != napi_ok) break;
      if ((st = napi_set_named_property(env, v, "end", ve)) != napi_ok) break;
      if ((st = napi_set_named_property(env, v, "flags", vf)) != napi_ok) break;
    } else {
      double *values;
      if ((st = new_typed_array(env, napi_float64_array, n, 8, (void **)&values, &v)) != napi_ok) break;
      for (size_t r = 0; r < n; r++) {
        size_t e = (size_t)order[r];
        const double *times = times_of(k, e);
        double x;
        if (col->what == COL_ID) x = k->ids[e];
        else if (col->what == COL_TIME) x = times[col->ix] == NEVER ? NAN : times[col->ix];
        else x = times[2 + k->n_text + col->ix] == NEVER ? NAN : nums_of(k, e)[col->ix];
        values[r] = x;
      }
    }
    if ((st = napi_set_named_property(env, columns, col->name, v)) != napi_ok) break;
    if (with_times && (col->what == COL_TEXT || col->what == COL_NUM)) {
      int ti = 2 + (col->what == COL_TEXT ? 0 : k->n_text) + col->ix;
      double *values;
      napi_value vt;
      if ((st = new_typed_array(env, napi_float64_array, n, 8, (void **)&values, &vt)) != napi_ok) break;
      for (size_t r = 0; r < n; r++) {
        double x = times_of(k, (size_t)order[r])[ti];
        values[r] = x == NEVER ? NAN : x;
      }
      st = napi_set_named_property(env, times_out, col->name, vt);
    }
  }
  free(order);
  napi_value count;
  if (st == napi_ok) st = napi_create_uint32(env, (uint32_t)n, &count);
  if (st == napi_ok) st = napi_set_named_property(env, result, "count", count);
  if (st == napi_ok) st = napi_set_named_property(env, result, "text", text_buf);
  if (st == napi_ok) st = napi_set_named_property(env, result, "columns", columns);
  if (st == napi_ok && with_times) st = napi_set_named_property(env, result, "times", times_out);
  if (st != napi_ok) THROW("observations.table", "building the result failed");
  return result;
}

/* release(handle): the memory back now (the hour is written); the handle observes nothing more. */
static napi_value release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Observations *o = unwrap(env, argv[0]);
  if (o == NULL) return NULL;
  for (int k = 0; k < 3; k++) {
    Kind *kind = &o->kinds[k];
    int n_text = kind->n_text, n_num = kind->n_num, n_seen = kind->n_seen;
    free_kind(kind);
    init_kind(kind, n_text, n_num, n_seen);
  }
  return NULL;
}

napi_status ghlake_register_observations(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      GHLAKE_FUNCTION("observationsCreate", create), GHLAKE_FUNCTION("observationsObserve", observe),
      GHLAKE_FUNCTION("observationsCounts", counts), GHLAKE_FUNCTION("observationsTable", table),
      GHLAKE_FUNCTION("observationsRelease", release),
  };
  return GHLAKE_DEFINE(env, exports, props);
}
