package writers

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/enrich-dev/enrich/table"
)

// joinRow is one row of a joined sheet: its position, and its part.
type joinRow struct {
	pos  int64
	part int
}

func nextOf(rows []joinRow) func() (int64, int, error) {
	return func() (int64, int, error) {
		if len(rows) == 0 {
			return 0, 0, io.EOF
		}
		r := rows[0]
		rows = rows[1:]
		return r.pos, r.part, nil
	}
}

// writeXLSX writes recs with Create and returns the file's path.
func writeXLSX(t *testing.T, path string, opts Options, recs []Record) string {
	t.Helper()
	w, err := Create(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, recs)
	return path
}

// TestJoinXLSX joins parts as shards write them, new workbooks and
// workbooks enriched in place, into the bytes one writer writes for all
// the rows; and refuses positions the parts do not hold.
func TestJoinXLSX(t *testing.T) {
	dir := t.TempDir()
	recs := []Record{
		row(2, []string{"1", "a & b"}, "first"),
		row(3, []string{"2", "<c>"}, "second"),
		row(4, []string{"3", ""}, "third"),
		row(5, []string{"4", "d"}, ""),
	}
	fresh := Options{Format: table.XLSX, Header: []string{"id", "text"}, Added: []string{"answer"}, Source: table.Source{Format: table.CSV}}

	book := filepath.Join(dir, "in.xlsx")
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"id", "text"})
	for _, r := range recs {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", r.Row.Num), &[]any{r.Row.Cells[0], r.Row.Cells[1]})
	}
	f.NewSheet("Other")
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	f.Close()
	inPlace := fresh
	inPlace.Source = table.Source{Path: book, Format: table.XLSX, Sheet: "Sheet1", HeaderRow: 1}

	// Part 0 holds rows 0 and 2, part 1 rows 1 and 3.
	owners := []int{0, 1, 0, 1}
	for _, tt := range []struct {
		name  string
		opts  Options
		whole bool
	}{{"new workbook", fresh, false}, {"in place", inPlace, true}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			want, _ := os.ReadFile(writeXLSX(t, filepath.Join(dir, "whole.xlsx"), tt.opts, recs))
			var paths []string
			var order []joinRow
			for part := range 2 {
				var mine []Record
				for i, r := range recs {
					if owners[i] == part {
						mine = append(mine, r)
					}
				}
				paths = append(paths, writeXLSX(t, filepath.Join(dir, fmt.Sprintf("part%d.xlsx", part)), tt.opts, mine))
			}
			for i, r := range recs {
				pos := int64(i)
				if tt.whole {
					pos = int64(r.Row.Num)
				}
				order = append(order, joinRow{pos, owners[i]})
			}
			join := func(rows []joinRow) ([]byte, error) {
				var buf bytes.Buffer
				err := JoinXLSX(&buf, JoinOptions{Parts: paths, Whole: tt.whole, Sheet: "Sheet1", Next: nextOf(rows)})
				return buf.Bytes(), err
			}
			got, err := join(order)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("joined %d bytes, want the whole run's %d: %v", len(got), len(want), err)
			}

			last := order[len(order)-1]
			wrong := map[string][]joinRow{
				"no such part":          append(order[:3:3], joinRow{last.pos, 2}),
				"more rows than a part": append(order[:4:4], joinRow{last.pos + 1, 1}),
			}
			if tt.whole {
				wrong["a row the sheet lacks"] = append(order[:4:4], joinRow{99, 1})
			} else {
				wrong["a gap"] = []joinRow{order[0], order[2]}
			}
			wants := map[string]string{
				"no such part":          "no part 2",
				"more rows than a part": "fewer rows than the part's shard record says",
				"a row the sheet lacks": "holds row 99, which the sheet does not have",
				"a gap":                 "row 2 of the joined sheet is in no part",
			}
			if tt.whole {
				wants["more rows than a part"] = "holds row 6, which the sheet does not have"
			}
			for name, rows := range wrong {
				if _, err := join(rows); err == nil || !strings.Contains(err.Error(), wants[name]) {
					t.Errorf("%s: got %v, want %q", name, err, wants[name])
				}
			}
		})
	}
}
