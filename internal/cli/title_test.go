package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A workbook with a title above its table (readxl's deaths.xlsx has one)
// gets a header of one filled cell; a template naming the real columns
// then fails, and the hint says how to point at the header row.
func TestTitleAboveTheTableIsExplained(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "deaths.xlsx")
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellValue("Sheet1", "A1", "Lots of people"))
	must(f.SetSheetRow("Sheet1", "A3", &[]any{"Name", "Profession", "Age"}))
	must(f.SetSheetRow("Sheet1", "A4", &[]any{"David Bowie", "musician", 69}))
	must(f.SaveAs(in))
	f.Close()

	r := enrich(t, nil, "", in, "-o", filepath.Join(dir, "out.csv"), "--provider", "mock", "-p", "{{.Name}} ({{.Profession}})")
	if r.code != exitFatal || !strings.Contains(r.stderr, "enrich: hint: row 1, taken as the header, has one filled cell and the table below is wider: it looks like a title; say which row is the header with --header-row N") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r = enrich(t, nil, "", in, "-o", filepath.Join(dir, "out.csv"), "--provider", "mock", "-p", "{{.Name}} ({{.Profession}})", "--header-row", "3")
	succeeded(t, r)
}
