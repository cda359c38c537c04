package writers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func TestIsJSONNumber(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"0", true}, {"-0", true}, {"3", true}, {"-1.5e3", true}, {"1E+2", true}, {"0.25", true},
		{"12345678901234567890", true}, {"1e400", true},
		{"", false}, {"-", false}, {"01", false}, {".5", false}, {"5.", false}, {"+5", false},
		{"1e", false}, {"1e+", false}, {" 3", false}, {"3 ", false}, {"Inf", false}, {"NaN", false},
		{"0x10", false}, {"1_000", false}, {"1,5", false}, {"--1", false},
	}
	for _, tt := range tests {
		if got := isJSONNumber(tt.s); got != tt.want {
			t.Errorf("isJSONNumber(%q): got %v, want %v", tt.s, got, tt.want)
		}
	}
}

// kindsOpts and kindsRecs exercise every kind with good and bad text, in
// every format.
var kindsOpts = Options{
	Header: []string{"id"},
	Added:  []string{"n", "b", "j", "t"},
}

func kindsRecs() []Record {
	kinds := []table.Kind{table.Number, table.Bool, table.JSON, table.Text}
	recs := []Record{
		row(2, []string{"1"}, "-1.5e3", "true", "{\n  \"a\": [1, 2],\n  \"b\": \"x y\"\n}", "42"),
		row(3, []string{"2"}, "3", "false", `["<&>"]`, "true"),
		row(4, []string{"3"}, "1,5", "TRUE", "{oops", `{"a":1}`),  // mistyped: all text
		row(5, []string{"4"}, "", "", "", ""),                     // empty whatever the kind
		row(6, []string{"5"}, "1e400", "yes", "\"\xff\"", "=1+1"), // out of float64's range; bad UTF-8
		row(7, []string{"6"}, "Inf", "1", "null", "-2"),
	}
	for i := range recs {
		recs[i].Kinds = kinds
	}
	// nil Kinds: every value is text.
	return append(recs, row(8, []string{"7"}, "3", "true", "[1]", "x"))
}

func TestKindsGolden(t *testing.T) {
	for _, tt := range []struct {
		name   string
		format table.Format
	}{{"kinds.csv", table.CSV}, {"kinds.jsonl", table.JSONL}} {
		t.Run(tt.name, func(t *testing.T) {
			opts := kindsOpts
			opts.Format = tt.format
			var buf bytes.Buffer
			w, err := New(&buf, opts)
			if err != nil {
				t.Fatal(err)
			}
			writeAll(t, w, kindsRecs())
			golden(t, tt.name, buf.Bytes())
		})
	}
}

// TestJSONLKindsReadBack decodes the output and checks the type of each
// added value, for built objects and for objects spliced into Raw.
func TestJSONLKindsReadBack(t *testing.T) {
	num := func(s string) json.Number { return json.Number(s) }
	want := [][]any{
		{num("-1.5e3"), true, map[string]any{"a": []any{num("1"), num("2")}, "b": "x y"}, "42"},
		{num("3"), false, []any{"<&>"}, "true"},
		{"1,5", "TRUE", "{oops", `{"a":1}`},
		{"", "", "", ""},
		{"1e400", "yes", "\"\ufffd\"", "=1+1"}, // beyond float64; bad UTF-8
		{"Inf", "1", nil, "-2"},
		{"3", "true", "[1]", "x"},
	}
	for _, raw := range []bool{false, true} {
		opts := kindsOpts
		opts.Format = table.JSONL
		recs := kindsRecs()
		if raw {
			for i := range recs {
				recs[i].Row.Raw = []byte(`{"id": "` + recs[i].Row.Cells[0] + `"}`)
			}
		}
		var buf bytes.Buffer
		w, err := New(&buf, opts)
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, recs)
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != len(want) {
			t.Fatalf("raw=%v: got %d lines, want %d:\n%s", raw, len(lines), len(want), buf.String())
		}
		for i, line := range lines {
			dec := json.NewDecoder(strings.NewReader(line))
			dec.UseNumber()
			var obj map[string]any
			if err := dec.Decode(&obj); err != nil {
				t.Fatalf("raw=%v line %d %q: %v", raw, i+1, line, err)
			}
			if _, ok := obj["j"]; !ok {
				t.Errorf("raw=%v line %d %q: no key j", raw, i+1, line)
			}
			got := []any{obj["n"], obj["b"], obj["j"], obj["t"]}
			if diff := cmp.Diff(want[i], got); diff != "" {
				t.Errorf("raw=%v line %d %q (-want +got):\n%s", raw, i+1, line, diff)
			}
		}
	}
}

// cellKind says how a workbook stores cell: "number", "bool", "text", or
// "" when the cell is absent, and what it holds (booleans as TRUE/FALSE).
func cellKind(t *testing.T, f *excelize.File, sheet, cell string) (kind, value string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	value, err = f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
		return "formula", formula
	}
	switch typ {
	case excelize.CellTypeBool:
		return "bool", map[string]string{"1": "TRUE", "0": "FALSE"}[value]
	case excelize.CellTypeInlineString, excelize.CellTypeSharedString:
		return "text", value
	case excelize.CellTypeUnset, excelize.CellTypeNumber:
		if value == "" {
			return "", ""
		}
		return "number", value
	}
	return fmt.Sprintf("cell type %d", typ), value
}

func TestXLSXKinds(t *testing.T) {
	type kv struct{ kind, value string }
	text := func(s string) kv { return kv{"text", s} }
	want := [][]kv{ // the added columns n, b, j, t of rows 2 to 8
		{{"number", "-1500"}, {"bool", "TRUE"}, text("{\n  \"a\": [1, 2],\n  \"b\": \"x y\"\n}"), text("42")},
		{{"number", "3"}, {"bool", "FALSE"}, text(`["<&>"]`), text("true")},
		{text("1,5"), text("TRUE"), text("{oops"), text(`{"a":1}`)},
		{{}, {}, {}, {}},
		{text("1e400"), text("yes"), text("\"\ufffd\""), text("=1+1")},
		{text("Inf"), text("1"), text("null"), text("-2")},
		{text("3"), text("true"), text("[1]"), text("x")},
	}
	check := func(t *testing.T, f *excelize.File, sheet string, firstCol int) {
		t.Helper()
		for r, cells := range want {
			for c, w := range cells {
				cell, _ := excelize.CoordinatesToCellName(firstCol+c, r+2)
				kind, value := cellKind(t, f, sheet, cell)
				if kind != w.kind || value != w.value {
					t.Errorf("%s: got %s %q, want %s %q", cell, kind, value, w.kind, w.value)
				}
			}
		}
	}

	t.Run("new workbook", func(t *testing.T) {
		opts := kindsOpts
		opts.Format = table.XLSX
		path := filepath.Join(t.TempDir(), "out.xlsx")
		w, err := Create(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, kindsRecs())
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		check(t, f, "Sheet1", 2)
	})

	t.Run("in place", func(t *testing.T) {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.xlsx")
		book := excelize.NewFile()
		for i, id := range []string{"id", "1", "2", "3", "4", "5", "6", "7"} {
			if err := book.SetCellStr("Sheet1", "A"+string(rune('1'+i)), id); err != nil {
				t.Fatal(err)
			}
		}
		if err := book.SaveAs(in); err != nil {
			t.Fatal(err)
		}
		book.Close()
		opts := kindsOpts
		opts.Format, opts.Source = table.XLSX, table.Source{Format: table.XLSX, Path: in}
		var buf bytes.Buffer
		w, err := New(&buf, opts)
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, kindsRecs())
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		check(t, f, "Sheet1", 2)
	})
}
