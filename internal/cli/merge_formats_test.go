package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// awkwardCSV writes rows whose cells hold what record splitting gets
// wrong: quotes, commas, line breaks, tabs, non-ASCII, cells that look
// like formulas or numbers.
func awkwardCSV(t *testing.T, path string, rows int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,text,note\n")
	for i := range rows {
		fmt.Fprintf(&b, "%d,\"topic %d, \"\"quoted\"\"\nsecond line\",%s\n", i, i%(rows/2+1), []string{"plain", "=1+1", "\"tab\there\"", "ünïcødé", "007", ""}[i%6])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ledgerWorkbook writes, with excelize, a workbook of the kind people
// enrich in place: a title above the header, styled cells, a formula
// column, blank rows between the data, and a second sheet.
func ledgerWorkbook(t *testing.T, path string, rows int) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "Ledger")
	f.SetCellValue("Ledger", "A1", "Quarterly ledger")
	f.SetSheetRow("Ledger", "A2", &[]any{"id", "item", "amount", "double"})
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	f.SetCellStyle("Ledger", "A2", "D2", bold)
	r := 3
	for i := range rows {
		if i%50 == 49 {
			r++ // a blank row
		}
		f.SetSheetRow("Ledger", fmt.Sprintf("A%d", r), &[]any{i, fmt.Sprintf("item %d & <more>", i%(rows/3+1)), float64(i) * 1.25})
		f.SetCellFormula("Ledger", fmt.Sprintf("D%d", r), fmt.Sprintf("C%d*2", r))
		r++
	}
	f.NewSheet("Notes")
	f.SetCellValue("Notes", "A1", "not enriched")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestShardsMergeInEveryFormat runs each job once whole and once as
// three shards merged in a shuffled order: the merged file has the
// whole run's bytes, for every format merge joins.
func TestShardsMergeInEveryFormat(t *testing.T) {
	dir := t.TempDir()
	csvIn := filepath.Join(dir, "in.csv")
	awkwardCSV(t, csvIn, 300)
	tsvIn := filepath.Join(dir, "in.tsv")
	os.WriteFile(tsvIn, []byte("id\ttext\n1\tsay \"hi\n2\tplain\n3\tmore \"quotes\n4\tx\n5\ty\n6\tz\n"), 0o644)
	ledger := filepath.Join(dir, "ledger.xlsx")
	ledgerWorkbook(t, ledger, 900)
	corpus := filepath.Join("..", "shared", "corpora", "xlsx")
	tests := []struct {
		name, in, ext string
		args          []string
		mergedExt     string // when the merged file is named otherwise
	}{
		{name: "csv", in: csvIn, ext: ".csv"},
		{name: "csv gzip", in: csvIn, ext: ".csv.gz"},
		{name: "csv gzip parts, plain merge", in: csvIn, ext: ".csv.gz", mergedExt: ".csv"},
		{name: "jsonl", in: csvIn, ext: ".jsonl"},
		{name: "jsonl zstd", in: csvIn, ext: ".jsonl.zst"},
		{name: "plain tsv with quotes", in: tsvIn, ext: ".tsv"},
		{name: "quoted tsv", in: csvIn, ext: ".tsv", args: []string{"--tsv-quoted"}},
		{name: "new workbook", in: csvIn, ext: ".xlsx"},
		{name: "workbook in place", in: ledger, ext: ".xlsx", args: []string{"--header-row", "2"}},
		{name: "workbook in place, limit", in: ledger, ext: ".xlsx", args: []string{"--header-row", "2", "--limit", "400"}},
		{name: "example workbook", in: filepath.Join("examples", "tickets.xlsx"), ext: ".xlsx"},
		{name: "header far down", in: filepath.Join(corpus, "excelize", "Book1.xlsx"), ext: ".xlsx"},
		{name: "second sheet", in: ledger, ext: ".xlsx", args: []string{"--sheet", "notes"}},
		{name: "merged cells", in: filepath.Join(corpus, "excelize", "MergeCell.xlsx"), ext: ".xlsx"},
		{name: "empty cells", in: filepath.Join(corpus, "tealeg-xlsx", "empty_cells.xlsx"), ext: ".xlsx"},
		{name: "cell types", in: filepath.Join(corpus, "tealeg-xlsx", "testcelltypes.xlsx"), ext: ".xlsx"},
		{name: "WPS blank lines", in: filepath.Join(corpus, "tealeg-xlsx", "wpsBlankLineTest.xlsx"), ext: ".xlsx"},
	}
	var ledgerMerged string
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(dir, fmt.Sprint(i))
			os.Mkdir(dir, 0o755)
			run := func(out, cache string, extra ...string) {
				t.Helper()
				args := append([]string{tt.in, "-o", out, "-p", "{{json .}}", "--provider", "mock", "-q", "--cache", filepath.Join(dir, cache)}, tt.args...)
				if code, stderr := enrichIn(t, append(args, extra...)...); code != 0 {
					t.Fatalf("enrich %s: exit %d\n%s", strings.Join(extra, " "), code, stderr)
				}
			}
			wholeExt := tt.ext
			if tt.mergedExt != "" {
				wholeExt = tt.mergedExt
			}
			whole := filepath.Join(dir, "whole"+wholeExt)
			run(whole, "c1")
			var parts []string
			for i := range 3 {
				part := filepath.Join(dir, fmt.Sprintf("part%d%s", i, tt.ext))
				run(part, "c2", "--shard", fmt.Sprintf("%d/3", i))
				parts = append(parts, part)
			}
			merged := filepath.Join(dir, "merged"+wholeExt)
			if code, stderr := enrichIn(t, "merge", "-o", merged, parts[2], parts[0], parts[1]); code != 0 {
				t.Fatalf("merge: exit %d\n%s", code, stderr)
			}
			want, _ := os.ReadFile(whole)
			got, err := os.ReadFile(merged)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("the merged file (%d bytes) is not the whole run's (%d bytes): %v", len(got), len(want), err)
			}
			if tt.name == "workbook in place" {
				ledgerMerged = merged
			}
		})
	}
	t.Run("openpyxl reads the merged ledger", func(t *testing.T) {
		if ledgerMerged == "" {
			t.Fatal("the ledger's merge failed above")
		}
		checkLedger(t, ledgerMerged, 900)
	})
}

// checkLedger opens a merged ledger with openpyxl, which pandas uses, and
// checks every data row has its answer beside cells kept as they were.
func checkLedger(t *testing.T, path string, rows int) {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import openpyxl").Run(); err != nil {
		t.Skipf("openpyxl check skipped: %s with openpyxl not found (apt-get install python3-openpyxl): %v", python, err)
	}
	script := `import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Ledger"]
rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if any(v is not None for v in r)]
print(json.dumps({"sheets": wb.sheetnames, "header": list(next(ws.iter_rows(min_row=2, max_row=2, values_only=True))),
  "rows": len(rows), "answered": sum(1 for r in rows if r[4] and str(r[0]) in r[4]),
  "formulas": sum(1 for r in rows if str(r[3]).startswith("=C")), "errors": sum(1 for r in rows if r[5])}))`
	b, err := exec.Command(python, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, b)
	}
	var got struct {
		Sheets, Header                   []any
		Rows, Answered, Formulas, Errors int
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("openpyxl said %s: %v", b, err)
	}
	if fmt.Sprint(got.Sheets) != "[Ledger Notes]" || fmt.Sprint(got.Header) != "[id item amount double response response_error]" ||
		got.Rows != rows || got.Answered != rows || got.Formulas != rows || got.Errors != 0 {
		t.Errorf("openpyxl read %s", b)
	}
}
