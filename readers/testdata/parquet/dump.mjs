// Prints what DuckDB reads from a Parquet file, as one JSON object:
// {"columns": [[name, type], …], "rows": [{column: value, …}, …]}, values
// as DuckDB's JSON conversion gives them (exact text for decimals, big
// integers and timestamps). Tests compare enrich's output with its input
// this way, through an engine other than the one that wrote it:
//
//	node readers/testdata/parquet/dump.mjs FILE.parquet
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { DuckDBInstance } = require('./duckdb.cjs');
const file = process.argv[2].replaceAll("'", "''");
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
await conn.run("SET TimeZone = 'UTC'");
const desc = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
const columns = desc.getRowObjectsJson().map((r) => [r.column_name, r.column_type]);
const rows = await conn.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
process.stdout.write(JSON.stringify({ columns, rows: rows.getRowObjectsJson() }) + '\n');
conn.closeSync();
