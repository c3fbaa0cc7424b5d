"""
Read every Parquet file of a ghlake lake with four independent readers and check that they all
return the same rows, with the types ghlake declares:

  - DuckDB (Python, its own C++ reader): the reference;
  - pyarrow (Arrow C++: what pandas and most Python tools use);
  - polars (its own Rust reader);
  - fastparquet (a pure Python/numba reader).

Rules on top of "same rows": timestamps are microseconds holding UTC wall-clock without a zone, as
declared (pyarrow: timestamp[us]); text is UTF8-annotated (pyarrow: string, not binary); ids are
int64; flags are bool.

  python3 -m venv /tmp/pyv && /tmp/pyv/bin/pip install pyarrow duckdb polars fastparquet
  /tmp/pyv/bin/python tools/verify-parquet/verify.py <lake>    # exit 0: every file, every reader agrees

Build a lake for it with tools/verify-parquet/make-lake.ts. Not part of `npm test`: the CI image
is only promised Node, npm and Debian packages (`npm test` reads the same lake with DuckDB, hyparquet
and arrow-rs: tools/test/verify-parquet.test.ts).
"""
import datetime as dt
import math
import os
import sys
from decimal import Decimal

import duckdb
import fastparquet
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq


def norm(v):
    """One comparable form per value, whatever the reader's Python type."""
    if v is None:
        return None
    try:
        import pandas as pd

        if v is pd.NaT or (not isinstance(v, (str, bytes, list, dict)) and pd.isna(v)):
            return None
        if isinstance(v, pd.Timestamp):
            v = v.to_pydatetime()
    except (ImportError, TypeError, ValueError):
        pass
    if hasattr(v, "item") and not isinstance(v, (bytes, str)):
        v = v.item()  # numpy scalars
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return "ts:" + v.isoformat(timespec="microseconds")
    if isinstance(v, dt.date):
        return "date:" + v.isoformat()
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "hex:" + bytes(v).hex()
    if isinstance(v, Decimal):
        return str(v)
    return v


def rows_duckdb(path):
    con = duckdb.connect()
    try:
        cur = con.execute("select * from read_parquet(?, hive_partitioning = false)", [path])
        names = [d[0] for d in cur.description]
        return names, [tuple(norm(x) for x in r) for r in cur.fetchall()]
    finally:
        con.close()


def rows_pyarrow(path):
    t = pq.read_table(path)
    cols = [t.column(i).to_pylist() for i in range(t.num_columns)]
    return t.schema, [tuple(norm(c[i]) for c in cols) for i in range(t.num_rows)]


def rows_polars(path):
    df = pl.read_parquet(path)
    return [tuple(norm(x) for x in r) for r in df.rows()]


def rows_fastparquet(path, schema):
    df = fastparquet.ParquetFile(path).to_pandas()
    # pandas has no date type: fastparquet gives DATE columns as midnight timestamps.
    dates = [pa.types.is_date32(f.type) for f in schema]
    return [tuple(norm(x.date() if d and hasattr(x, "date") and x is not None and x == x else x) for x, d in zip(r, dates)) for r in df.itertuples(index=False, name=None)]


def schema_problems(table, schema):
    out = []
    for f in schema:
        t = f.type
        # Declared TIMESTAMP(MICROS, isAdjustedToUTC=false): UTC wall-clock without a zone
        # (DuckDB TIMESTAMP, Snowflake TIMESTAMP_NTZ; packages/core/src/tables/types.ts).
        if pa.types.is_timestamp(t) and (t.unit != "us" or t.tz is not None):
            out.append(f"{table}.{f.name}: {t}, expected timestamp[us] holding UTC wall-clock")
        if pa.types.is_binary(t) and f.name not in ("raw",):
            out.append(f"{table}.{f.name}: binary, expected a UTF8 string")
        if (f.name.endswith("_id") and f.name != "gravatar_id") and not pa.types.is_integer(t):
            out.append(f"{table}.{f.name}: {t}, expected int64")
        if (f.name.startswith("is_") or f.name in ("public", "actor_site_admin")) and not pa.types.is_boolean(t):
            out.append(f"{table}.{f.name}: {t}, expected bool")
    return out


def parquet_files(lake):
    for layer in ("bronze", "silver", "gold"):
        root = os.path.join(lake, layer)
        for dirpath, _dirs, files in os.walk(root, followlinks=True):
            for name in sorted(files):
                if name.endswith(".parquet") and ".tmp-" not in name:
                    yield layer, os.path.join(dirpath, name)


def table_of(lake, layer, path):
    rel = os.path.relpath(path, os.path.join(lake, layer)).split(os.sep)
    return f"{layer}.{rel[0]}"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: verify.py <lake>")
    lake = sys.argv[1]
    print(f"readers: duckdb {duckdb.__version__}, pyarrow {pa.__version__}, polars {pl.__version__}, fastparquet {fastparquet.__version__}")
    tables = {}
    problems = []
    schemas = {}
    for layer, path in parquet_files(lake):
        table = table_of(lake, layer, path)
        names, ref = rows_duckdb(path)
        schema, by_pyarrow = rows_pyarrow(path)
        schemas.setdefault(table, schema)
        stat = tables.setdefault(table, {"files": 0, "rows": 0, "columns": len(names)})
        stat["files"] += 1
        stat["rows"] += len(ref)
        for reader, rows in (("pyarrow", by_pyarrow), ("polars", rows_polars(path)), ("fastparquet", rows_fastparquet(path, schema))):
            if rows == ref:
                continue
            if len(rows) != len(ref):
                problems.append(f"{path}: {reader} read {len(rows)} rows, duckdb {len(ref)}")
                continue
            for i, (a, b) in enumerate(zip(rows, ref)):
                if a != b:
                    diff = [(n, x, y) for n, x, y in zip(names, a, b) if x != y][:3]
                    problems.append(f"{path}: {reader} row {i} differs from duckdb: {diff}")
                    break
    for table, schema in schemas.items():
        problems.extend(schema_problems(table, schema))
    for table in sorted(tables):
        s = tables[table]
        print(f"  {table:34} {s['files']:4} files {s['rows']:8} rows {s['columns']:3} columns")
    for table in sorted(schemas):
        print(f"  {table}: " + ", ".join(f"{f.name} {f.type}" for f in schemas[table]))
    if problems:
        print(f"{len(problems)} problem(s):")
        for p in problems[:50]:
            print("  " + p)
        sys.exit(1)
    print(f"all {sum(s['files'] for s in tables.values())} files: the four readers return identical rows")


if __name__ == "__main__":
    main()
