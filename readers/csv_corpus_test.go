package readers

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCSVSpectrum reads every csv-spectrum case and compares it with the
// case's JSON twin: an array of objects keyed by header, all strings. This
// includes newlines_crlf, which encoding/csv fails by rewriting "\r\n".
func TestCSVSpectrum(t *testing.T) {
	dir := corpus(t, "csv-spectrum")
	files, err := filepath.Glob(filepath.Join(dir, "csvs", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no csv files in %s (%v)", dir, err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".csv")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "json", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var want []map[string]string
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewCSV(f, path, ',')
			if err != nil {
				t.Fatal(err)
			}
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			header := r.Header()
			got := make([]map[string]string, len(rows))
			for i, row := range rows {
				got[i] = map[string]string{}
				for j, h := range header {
					got[i][h] = row.Cells[j]
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows differ from %s.json (-want +got):\n%s", name, diff)
			}
			for _, obj := range want {
				keys := make([]string, 0, len(obj))
				for k := range obj {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				sorted := slices.Sorted(slices.Values(header))
				if !cmp.Equal(keys, sorted) {
					t.Errorf("header: got %q, want the keys %q", header, keys)
				}
			}
		})
	}
}
