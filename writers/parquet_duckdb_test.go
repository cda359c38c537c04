package writers

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// duckdbDump is what DuckDB reads from a Parquet file: its columns with
// their types, and its rows. It skips the test when node or
// @duckdb/node-api is missing: .ci/run installs the package into
// .tools/duckdb (or set ENRICH_DUCKDB_DIR to a folder holding it).
func duckdbDump(t *testing.T, path string) (columns [][2]string, rows []map[string]any) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed, so DuckDB cannot check the Parquet output")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(node, filepath.Join("..", "readers", "testdata", "parquet", "dump.mjs"), path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if strings.Contains(stderr.String(), "Cannot find module '@duckdb/node-api'") {
			t.Skip("@duckdb/node-api is not installed: npm install --prefix .tools/duckdb @duckdb/node-api (as .ci/run does), or set ENRICH_DUCKDB_DIR")
		}
		t.Fatalf("dump.mjs %s: %v\n%s", path, err, stderr.String())
	}
	var out struct {
		Columns [][2]string      `json:"columns"`
		Rows    []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out.Columns, out.Rows
}

// Another engine reads enrich's Parquet output with the input's types and
// values in every input column, and the added columns typed as declared.
func TestParquetReadsBackInDuckDB(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.parquet")
	enrichParquet(t, typesFixture, out)
	inCols, inRows := duckdbDump(t, typesFixture)
	outCols, outRows := duckdbDump(t, out)

	wantCols := append(inCols, [][2]string{
		{"response", "VARCHAR"}, {"urgency", "BIGINT"}, {"score", "DOUBLE"}, {"urgent", "BOOLEAN"}, {"response_error", "VARCHAR"},
	}...)
	if !cmp.Equal(outCols, wantCols) {
		t.Errorf("columns:\ngot  %v\nwant %v", outCols, wantCols)
	}
	if len(outRows) != len(inRows) {
		t.Fatalf("%d rows, want %d", len(outRows), len(inRows))
	}
	for i, in := range inRows {
		for k, v := range in {
			if !cmp.Equal(outRows[i][k], v) {
				t.Errorf("row %d, column %s: got %v, want %v", i+1, k, outRows[i][k], v)
			}
		}
	}
	want := map[string]any{"response": "answer 1", "urgency": "1", "score": 1.25, "urgent": true, "response_error": nil}
	for k, v := range want {
		if !cmp.Equal(outRows[0][k], v) {
			t.Errorf("row 1, added column %s: got %#v, want %#v", k, outRows[0][k], v)
		}
	}
	if outRows[1]["response"] != nil || outRows[1]["urgency"] != nil || outRows[1]["response_error"] != "429 Too Many Requests" {
		t.Errorf("row 2 (failed): got %v", outRows[1])
	}
}
