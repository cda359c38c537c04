// Loads @duckdb/node-api for the scripts beside this file: from the folder
// named by $ENRICH_DUCKDB_DIR (one holding node_modules), else from the
// repository's .tools/duckdb (where .ci/run installs it), else as usual.
const path = require('node:path');
const dirs = [process.env.ENRICH_DUCKDB_DIR, path.join(__dirname, '..', '..', '..', '.tools', 'duckdb')].filter(Boolean);
module.exports = require(require.resolve('@duckdb/node-api', { paths: [...dirs, __dirname] }));
