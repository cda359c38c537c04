package readers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/google/go-cmp/cmp"
)

// pipe hides Seek, as standard input from a pipe does.
type pipe struct{ io.Reader }

func TestJSONL(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		pipe    bool // read without seeking
		keepNew bool
		header  []string
		rows    [][]string
		nums    []int
		raw     []string
	}{
		{name: "strings, numbers, null",
			in:     `{"a":"x","b":1.50}` + "\n" + `{"b":true,"a":null}` + "\n",
			header: []string{"a", "b"}, rows: [][]string{{"x", "1.50"}, {"", "true"}}, nums: []int{1, 2},
			raw: []string{`{"a":"x","b":1.50}`, `{"b":true,"a":null}`}},
		{name: "keys from every line in first-seen order",
			in:     `{"a":1}` + "\n" + `{"b":2,"a":3}` + "\n" + `{"c":{"x": [1, 2]}}` + "\n",
			header: []string{"a", "b", "c"}, rows: [][]string{{"1", "", ""}, {"3", "2", ""}, {"", "", `{"x":[1,2]}`}}, nums: []int{1, 2, 3}},
		{name: "pipe keeping new keys out of cells", pipe: true, keepNew: true,
			in:     `{"a":1}` + "\n" + `{"b":2,"a":3}` + "\n",
			header: []string{"a"}, rows: [][]string{{"1"}, {"3"}}, nums: []int{1, 2},
			raw: []string{`{"a":1}`, `{"b":2,"a":3}`}},
		{name: "pipe with the same keys throughout", pipe: true,
			in:     `{"a":1,"b":2}` + "\n" + `{"b":3}` + "\n",
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"", "3"}}, nums: []int{1, 2}},
		{name: "blank lines, crlf and a bom",
			in:     "\ufeff\r\n" + `{"a":"x"}` + "\r\n\r\n  \t\n" + `{"a":"y"}`,
			header: []string{"a"}, rows: [][]string{{"x"}, {"y"}}, nums: []int{2, 5},
			raw: []string{`{"a":"x"}`, `{"a":"y"}`}},
		{name: "string escapes are decoded",
			in:     `{"a":"line\nbreak \u00e9 \"q\" \\ \/"}`,
			header: []string{"a"}, rows: [][]string{{"line\nbreak é \"q\" \\ /"}}, nums: []int{1}},
		{name: "numbers keep their spelling",
			in:     `{"a":1.50,"b":1e3,"c":-0,"d":12345678901234567890,"e":0.1000}`,
			header: []string{"a", "b", "c", "d", "e"}, rows: [][]string{{"1.50", "1e3", "-0", "12345678901234567890", "0.1000"}}, nums: []int{1}},
		{name: "objects and arrays are compact json",
			in:     `{"a": [ 1 , {"b" : "c<>&"} ] , "e": {}, "f": [], "g": false}`,
			header: []string{"a", "e", "f", "g"}, rows: [][]string{{`[1,{"b":"c<>&"}]`, "{}", "[]", "false"}}, nums: []int{1}},
		{name: "a repeated key: last value wins, first position",
			in:     `{"a":1,"b":2,"a":3}`,
			header: []string{"a", "b"}, rows: [][]string{{"3", "2"}}, nums: []int{1}},
		{name: "empty objects", in: "{}\n{}\n", header: nil, rows: [][]string{{}, {}}, nums: []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in io.Reader = strings.NewReader(tt.in)
			if tt.pipe {
				in = pipe{in}
			}
			r, err := NewJSONL(in, "t.jsonl", JSONLOptions{KeepNewKeys: tt.keepNew})
			if err != nil {
				t.Fatalf("NewJSONL: %v", err)
			}
			rows := checkRead(t, r, tt.header, tt.rows, tt.nums)
			for i, want := range tt.raw {
				if got := string(rows[i].Raw); got != want {
					t.Errorf("row %d raw: got %q, want %q", i, got, want)
				}
			}
		})
	}
}

func TestJSONLErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		pipe      bool
		kind      error
		want      string
		rowsFirst int
	}{
		{name: "an array", in: `{"a":1}` + "\n\n\n[1,2]\n", kind: ErrNotObject, rowsFirst: 1,
			want: "t.jsonl: line 4: expected a JSON object, got an array; each line must hold one object, so put the array's objects one per line (jq -c '.[]' does this)"},
		{name: "a whole json array", in: `[{"a":1},{"a":2}]` + "\n", kind: ErrNotObject,
			want: "t.jsonl: line 1: expected a JSON object, got an array; each line must hold one object, so put the array's objects one per line (jq -c '.[]' does this)"},
		{name: "a number", in: `{"a":1}` + "\n" + `{"a":2}` + "\n" + "  42  \n", kind: ErrNotObject, rowsFirst: 2,
			want: "t.jsonl: line 3: expected a JSON object, got a number; each line must hold one object, such as {\"id\": 1}"},
		{name: "a boolean", in: "\ntrue\n", kind: ErrNotObject,
			want: "t.jsonl: line 2: expected a JSON object, got a boolean; each line must hold one object, such as {\"id\": 1}"},
		{name: "invalid json after good lines", in: `{"a":1}` + "\n" + `{"a":2}` + "\n" + `{"a":tru}` + "\n", kind: ErrJSON, rowsFirst: 2,
			want: "t.jsonl: line 3, column 9: invalid JSON: invalid character '}' in literal true (expecting 'e')"},
		{name: "not json at all", in: "id,text\n1,x\n", kind: ErrJSON,
			want: "t.jsonl: line 1, column 1: invalid JSON: invalid character 'i' looking for beginning of value"},
		{name: "a string", in: `"x"`, kind: ErrNotObject, want: "t.jsonl: line 1: expected a JSON object, got a string; each line must hold one object, such as {\"id\": 1}"},
		{name: "null", in: `null`, kind: ErrNotObject, want: "t.jsonl: line 1: expected a JSON object, got null; each line must hold one object, such as {\"id\": 1}"},
		{name: "a number on a pipe", in: `{"a":1}` + "\n7\n", pipe: true, kind: ErrNotObject, rowsFirst: 1,
			want: "t.jsonl: line 2: expected a JSON object, got a number; each line must hold one object, such as {\"id\": 1}"},
		{name: "syntax error", in: `{"a":1,}`, kind: ErrJSON,
			want: "t.jsonl: line 1, column 8: invalid JSON: invalid character '}' looking for beginning of object key string"},
		{name: "pretty-printed json", in: "{\n  \"a\": 1\n}\n", kind: ErrJSON,
			want: "t.jsonl: line 1, column 2: invalid JSON: the line ends inside a value; JSON Lines needs each object on one line (pretty-printed JSON will not do)"},
		{name: "two objects on a line", in: `{"a":1} {"a":2}`, kind: ErrJSON,
			want: "t.jsonl: line 1, column 9: unexpected data after the object; put one object per line"},
		{name: "bad utf-8", in: `{"a":"é` + "\xe9" + `"}`, kind: ErrUTF8,
			want: "t.jsonl: line 1, column 8: invalid UTF-8 (byte 0xe9): save the file as UTF-8"},
		{name: "new key on a pipe", in: `{"a":1}` + "\n" + `{"a":2}` + "\n" + `{"a":3,"b":4}` + "\n", pipe: true, kind: ErrNewKey, rowsFirst: 2,
			want: `t.jsonl: line 3: key "b" is not in the first line; when the input cannot be read twice (standard input, a pipe), every key must appear in the first line: pass the file path instead`},
		{name: "a bad line after good ones", in: `{"a":1}` + "\n" + `{"b":2}` + "\n" + `{oops}` + "\n" + `{"c":3}`, kind: ErrJSON, rowsFirst: 2},
		{name: "empty", in: "", kind: ErrEmpty, want: "t.jsonl is empty: no JSON objects"},
		{name: "empty pipe", in: "\n \n", pipe: true, kind: ErrEmpty, want: "t.jsonl is empty: no JSON objects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in io.Reader = strings.NewReader(tt.in)
			if tt.pipe {
				in = pipe{in}
			}
			var rows []table.Row
			r, err := NewJSONL(in, "t.jsonl", JSONLOptions{})
			if err == nil {
				rows, err = readAll(t, r)
			} else if r != nil {
				t.Errorf("got a reader along with error %v", err)
			}
			if !errors.Is(err, tt.kind) {
				t.Fatalf("got error %v, want %v", err, tt.kind)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("got %q, want %q", err.Error(), tt.want)
			}
			if len(rows) != tt.rowsFirst {
				t.Errorf("got %d rows before the error, want %d", len(rows), tt.rowsFirst)
			}
		})
	}
}

// Lines are read whole however long they are; bufio.Scanner would stop at
// 64 KiB. The pipe case is smaller only to keep the test quick under -race:
// it shares the line reading with the seekable case.
func TestJSONLLongLine(t *testing.T) {
	for _, tt := range []struct {
		seekable bool
		size     int
	}{{true, 10 << 20}, {false, 1 << 20}} {
		big := strings.Repeat("é", tt.size/2)
		in := `{"id":1,"text":"` + big + `"}` + "\n" + `{"id":2,"text":"short"}` + "\n"
		var src io.Reader = strings.NewReader(in)
		if !tt.seekable {
			src = pipe{src}
		}
		r, err := NewJSONL(src, "big.jsonl", JSONLOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := readAll(t, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Cells[1] != big || rows[1].Cells[1] != "short" {
			t.Errorf("seekable=%v: a %d-byte line was not read back intact", tt.seekable, tt.size)
		}
	}
}

// A reader positioned part-way through its input scans and rewinds to that
// position, not to the start.
func TestJSONLSeeksBackToWhereItStarted(t *testing.T) {
	src := strings.NewReader("ignored\n" + `{"a":1}` + "\n" + `{"b":2}` + "\n")
	if _, err := src.Seek(int64(len("ignored\n")), io.SeekStart); err != nil {
		t.Fatal(err)
	}
	r, err := NewJSONL(src, "t.jsonl", JSONLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cellsOf(rows), [][]string{{"1", ""}, {"", "2"}}; !cmp.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestJSONLRawIsACopy(t *testing.T) {
	r, err := NewJSONL(strings.NewReader(`{"a":1}`+"\n"+`{"a":2}`+"\n"), "t.jsonl", JSONLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := r.Next(context.Background())
	second, _ := r.Next(context.Background())
	if got := string(first.Raw); got != `{"a":1}` {
		t.Errorf("got %q, want %q", got, `{"a":1}`)
	}
	if got := string(second.Raw); got != `{"a":2}` {
		t.Errorf("got %q, want %q", got, `{"a":2}`)
	}
}

func FuzzJSONL(f *testing.F) {
	for _, seed := range []string{
		`{"a":"x","b":1.50}` + "\n" + `{"b":true,"a":null,"c":[1, {"d":2}]}`,
		`{"a":1,"a":2}`,
		"\ufeff{\"é\":\"\\u00e9\\n\"}\r\n\r\n{}",
		`[1]`,
		`{"a":`,
		"{\"a\":\"\xff\"}",
		`{"a":1} {"b":2}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		seek, err := NewJSONL(bytes.NewReader(data), "fuzz", JSONLOptions{})
		if err != nil {
			return
		}
		piped, err := NewJSONL(pipe{bytes.NewReader(data)}, "fuzz", JSONLOptions{KeepNewKeys: true})
		if err != nil {
			t.Fatalf("readable with seeking but not without: %v", err)
		}
		all, errSeek := readAll(t, seek)
		some, errPipe := readAll(t, piped)
		if (errSeek == nil) != (errPipe == nil) || len(all) != len(some) {
			t.Fatalf("seeking read %d rows (%v), piped %d (%v)", len(all), errSeek, len(some), errPipe)
		}
		header := seek.Header()
		for i, row := range all {
			if len(row.Cells) != len(header) {
				t.Fatalf("row %d: %d cells, header %d", i, len(row.Cells), len(header))
			}
			var obj map[string]json.RawMessage // encoding/json also lets the last repeated key win
			if err := json.Unmarshal(row.Raw, &obj); err != nil {
				t.Fatalf("row %d: Raw %q is not an object: %v", i, row.Raw, err)
			}
			for j, key := range header {
				v, ok := obj[key]
				if !ok {
					if row.Cells[j] != "" {
						t.Fatalf("row %d: missing key %q gave %q", i, key, row.Cells[j])
					}
					continue
				}
				var s string
				if json.Unmarshal(v, &s) == nil && row.Cells[j] != s {
					t.Fatalf("row %d key %q: got %q, want %q", i, key, row.Cells[j], s)
				}
			}
			// The piped reader's header is the first object's keys, a
			// prefix of the full header; the cells under it must agree.
			if got, want := some[i].Cells, row.Cells[:len(some[i].Cells)]; !cmp.Equal(got, want) {
				t.Fatalf("row %d: piped %q, seeking %q", i, got, want)
			}
		}
	})
}
