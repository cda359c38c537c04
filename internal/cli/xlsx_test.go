package cli

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// brokenBook writes a workbook of 101 rows whose sheet XML is damaged
// inside row 52 (the zip itself is sound).
func brokenBook(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	put("_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	var b strings.Builder
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>`)
	for r := 2; r <= 101; r++ {
		garbage := ""
		if r == 52 {
			garbage = "<<oops"
		}
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>row %d</t></is></c>%s</row>`, r, r, r, garbage)
	}
	b.WriteString(`</sheetData></worksheet>`)
	put("xl/worksheets/sheet1.xml", b.String())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// Damaged sheet XML stops the run before any request, naming the file,
// sheet and row, for CSV and XLSX output alike; no OUTPUT is left.
func TestXLSXDamageStopsBeforeAnyRequest(t *testing.T) {
	for _, ext := range []string{"csv", "xlsx"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.xlsx")
			brokenBook(t, in)
			out := filepath.Join(dir, "out."+ext)
			p := fakeprovider.New(fakeprovider.Options{})
			r := enrich(t, p, "", in, "-o", out, "-p", "{{.text}}", "--no-cache")
			if r.code != exitFatal || !strings.Contains(r.stderr, in+`: sheet "Data", `) || !strings.Contains(r.stderr, "52") {
				t.Errorf("exit %d, stderr %s", r.code, r.stderr)
			}
			if n := p.Requests(); n != 0 {
				t.Errorf("%d requests sent", n)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("OUTPUT was written")
			}
		})
	}
}

// A CSV cell longer than an Excel cell holds is refused by the first pass
// when the output is XLSX, not by the writer after every row is paid for.
func TestLongCellRefusedBeforeXLSX(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,body\n1,short\n2,"+strings.Repeat("x", 40000)+"\n3,short\n"), 0o644)
	p := fakeprovider.New(fakeprovider.Options{})
	r := enrich(t, p, "", in, "-o", filepath.Join(dir, "out.xlsx"), "-p", "{{.id}}", "--no-cache")
	want := in + `: line 3: column 2 ("body") holds 40000 characters, more than the 32767 an Excel cell holds`
	if r.code != exitFatal || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "hint: write .csv or .jsonl") {
		t.Errorf("exit %d, stderr %s\nwant %s", r.code, r.stderr, want)
	}
	if n := p.Requests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	// The same input to CSV output is fine.
	r = enrich(t, p, "", in, "-o", filepath.Join(dir, "out.csv"), "-p", "{{.id}}", "--no-cache")
	succeeded(t, r)
}

// --rows leaves the totals row of examples/tickets.xlsx out of the run
// and in the output untouched; --header-row names the header.
func TestRowsAndHeaderRow(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.xlsx")
	r := enrich(t, nil, "", "examples/tickets.xlsx", "-o", out, "--provider", "mock", "-p", "{{.Subject}}", "--header-row", "1", "--rows", "2:7")
	succeeded(t, r)
	if !strings.Contains(r.stderr, "enrich: 6 rows") {
		t.Errorf("stderr %s", r.stderr)
	}
	f := openWorkbook(t, out)
	if v, _ := f.GetCellValue("Tickets", "G8"); v != "" {
		t.Errorf("the totals row got an answer: %q", v)
	}
	if v, _ := f.GetCellValue("Tickets", "E8"); v != "Total seats" {
		t.Errorf("E8 = %q", v)
	}
	for _, bad := range [][]string{{"--rows", "7:2"}, {"--rows", "x"}, {"--header-row", "3", "--rows", "2:9"}} {
		r := enrich(t, nil, "", append([]string{"examples/tickets.xlsx", "-o", out, "--provider", "mock", "-p", "x"}, bad...)...)
		if r.code != exitUsage {
			t.Errorf("%q: exit %d, stderr %s", bad, r.code, r.stderr)
		}
	}
}
