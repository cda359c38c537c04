package readers

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/google/go-cmp/cmp"
)

// corpora is where CI checks out the shared test corpora, beside the repo.
var corpora = filepath.Join("..", "..", "shared", "corpora")

// corpus returns the path of a shared corpus directory, skipping the test
// when the checkout does not have it.
func corpus(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(corpora, dir)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("corpus %s not found (%v): check out the shared corpora next to the repository to run this test", p, err)
	}
	return p
}

// readAll drains r, returning the rows read before the first error.
func readAll(t testing.TB, r Reader) ([]table.Row, error) {
	t.Helper()
	var rows []table.Row
	for {
		row, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

func cellsOf(rows []table.Row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r.Cells
	}
	return out
}

func numsOf(rows []table.Row) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = r.Num
	}
	return out
}

// errText is "" for a nil error, so tables can say "no error" with "".
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// checkRead reads r to the end and compares its header, cells and row
// numbers with what a table case wants.
func checkRead(t *testing.T, r Reader, header []string, cells [][]string, nums []int) []table.Row {
	t.Helper()
	if got := r.Header(); !cmp.Equal(got, header) {
		t.Errorf("header: got %q, want %q", got, header)
	}
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if got := cellsOf(rows); !cmp.Equal(got, cells) {
		t.Errorf("rows: got %q, want %q", got, cells)
	}
	if got := numsOf(rows); !cmp.Equal(got, nums) {
		t.Errorf("row numbers: got %v, want %v", got, nums)
	}
	return rows
}
