package readers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// diskTable builds a table that moves to disk after its first few bytes.
func diskTable(t *testing.T, want []string) *sharedStrings {
	t.Helper()
	tab := &sharedStrings{spillAt: 64}
	t.Cleanup(func() { tab.close() })
	for _, s := range want {
		if err := tab.add([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tab.finish(); err != nil {
		t.Fatal(err)
	}
	if tab.disk == nil {
		t.Fatal("the table stayed in memory")
	}
	if tab.len() != len(want) {
		t.Fatalf("got %d strings, want %d", tab.len(), len(want))
	}
	return tab
}

func TestDiskStrings(t *testing.T) {
	var want []string
	for i := range 3 * cacheSlots {
		switch {
		case i%97 == 0:
			want = append(want, "")
		case i == 1000:
			want = append(want, strings.Repeat("L", readAheadText+10)) // read alone
		case i%501 == 0:
			want = append(want, strings.Repeat("m", maxCached+1)) // never cached
		default:
			want = append(want, fmt.Sprintf("string %d é", i))
		}
	}
	order := map[string][]int{}
	for i := range want {
		order["forward"] = append(order["forward"], i)
		order["backward"] = append(order["backward"], len(want)-1-i)
	}
	order["random"] = rand.New(rand.NewPCG(1, 2)).Perm(len(want))
	for name, idx := range order {
		t.Run(name, func(t *testing.T) {
			tab := diskTable(t, want)
			for _, i := range idx {
				got, err := tab.get(i)
				if err != nil {
					t.Fatal(err)
				}
				if got != want[i] {
					t.Fatalf("string %d: got %.40q, want %.40q", i, got, want[i])
				}
			}
		})
	}
}

func TestDiskStringsCacheEviction(t *testing.T) {
	want := make([]string, 2*cacheSlots+10)
	for i := range want {
		want[i] = fmt.Sprint("s", i)
	}
	tab := diskTable(t, want)
	slot := func(i int) cachedString { return tab.disk.cache[i%cacheSlots] }
	for _, i := range []int{5, 5 + cacheSlots, 5, 5 + 2*cacheSlots, 5 + cacheSlots} {
		got, err := tab.get(i)
		if err != nil || got != want[i] {
			t.Fatalf("string %d: got %q, %v, want %q", i, got, err, want[i])
		}
		if c := slot(i); c.i1 != i+1 || c.s != want[i] {
			t.Errorf("after string %d, its slot holds string %d (%q)", i, c.i1-1, c.s)
		}
	}
	// The read ahead filled the slots after the one asked for.
	if c := slot(6 + cacheSlots); c.i1 != 7+cacheSlots {
		t.Errorf("got string %d in the slot after, want %d", c.i1-1, 6+cacheSlots)
	}
}

func TestDiskStringsFull(t *testing.T) {
	tab := diskTable(t, []string{strings.Repeat("a", 100)})
	tab.disk.end = maxStringText - 1
	if err := tab.disk.add([]byte("bc")); !errors.Is(err, errStringsFull) {
		t.Errorf("got %v, want %v", err, errStringsFull)
	}
}

// spilledBook is a workbook whose shared strings are more than
// spillStrings, ending with rich text and an escape, and whose sheet
// names the first, the last, one between, and one past the end.
func spilledBook(t *testing.T, tail string) (path string, n int, want func(int) string) {
	want = func(i int) string { return fmt.Sprintf("shared string number %d, long enough to spill", i) }
	var sst strings.Builder
	sst.WriteString(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for n = 0; n*40 < 2*spillStrings; n++ {
		fmt.Fprintf(&sst, "<si><t>%s</t></si>", want(n))
	}
	sst.WriteString(`<si><r><t>rich </t></r><r><t>_x0041_</t></r><rPh><t>no</t></rPh></si>`)
	n++
	sst.WriteString(tail)
	sheet := rowsXML(5, func(r int, x string) string {
		i := map[int]int{2: n - 1, 3: 0, 4: n / 2, 5: n}[r]
		return fmt.Sprintf(`<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c></row>`, r, r, r, r, i)
	})
	return rawBook(t, sheet, sst.String()), n, want
}

// tempFilesLeft lists what the table left in dir and, on Linux, the files
// the process still holds open that were removed from it.
func tempFilesLeft(t *testing.T, dir string) []string {
	t.Helper()
	var left []string
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if runtime.GOOS == "linux" {
		fds, _ := filepath.Glob("/proc/self/fd/*")
		for _, fd := range fds {
			if target, err := os.Readlink(fd); err == nil && strings.HasPrefix(target, dir) {
				left = append(left, "open: "+target)
			}
		}
	}
	return left
}

func TestXLSXSpilledStrings(t *testing.T) {
	path, n, want := spilledBook(t, `</sst>`)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	x, err := OpenXLSX(path, XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if x.book.strings.disk == nil {
		t.Fatal("the table stayed in memory")
	}
	if left := tempFilesLeft(t, tmp); len(left) != 2 {
		t.Errorf("got %q open, want the table's two removed files", left)
	}
	for pass := range 2 {
		rows, err := readAll(t, x)
		if !errors.Is(err, ErrSharedString) {
			t.Errorf("pass %d: string %d: got %v, want %v", pass, n, err, ErrSharedString)
		}
		got := cellsOf(rows)
		wantCells := [][]string{{"2", "rich A"}, {"3", want(0)}, {"4", want(n / 2)}}
		if len(got) != len(wantCells) {
			t.Fatalf("pass %d: got %d rows, want %d", pass, len(got), len(wantCells))
		}
		for i := range wantCells {
			if got[i][1] != wantCells[i][1] {
				t.Errorf("pass %d, row %d: got %q, want %q", pass, i+2, got[i][1], wantCells[i][1])
			}
		}
		if err := x.Rewind(); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if left := tempFilesLeft(t, tmp); len(left) > 0 {
		t.Errorf("left behind after Close: %q", left)
	}
}

func TestXLSXSpilledStringsBroken(t *testing.T) {
	path, _, _ := spilledBook(t, `<si><t>unterminated</si></sst>`)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if x, err := OpenXLSX(path, XLSXOptions{}); err == nil {
		x.Close()
		t.Fatal("a broken string table opened")
	}
	if left := tempFilesLeft(t, tmp); len(left) > 0 {
		t.Errorf("left behind after a failed open: %q", left)
	}
}
