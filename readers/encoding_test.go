package readers

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/enrich-dev/enrich/table"
)

// utf16LE encodes s as UTF-16LE, with no byte order mark.
func utf16LE(s string) []byte {
	var b bytes.Buffer
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.Bytes()
}

func utf16BE(s string) []byte {
	var b bytes.Buffer
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u >> 8))
		b.WriteByte(byte(u))
	}
	return b.Bytes()
}

// openBytes opens data as a file named name, as the command does, and
// reads it to its end.
func openBytes(t *testing.T, name string, data []byte) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, nil, Options{})
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = readAll(t, r)
	return err
}

// Item 12 of issue 13: UTF-16LE without a byte order mark is valid UTF-8
// full of NULs; one data row became four garbage rows and a request was
// sent. A NUL in the first kilobyte, or a UTF-16 byte order mark, is an
// error that says "UTF-16".
func TestUTF16IsRefused(t *testing.T) {
	csv := "name,city\nJosé,Paris\n"
	jsonl := `{"name":"José"}` + "\n"
	tests := []struct {
		name, file string
		data       []byte
	}{
		{"csv utf-16le", "in.csv", utf16LE(csv)},
		{"csv utf-16be", "in.csv", utf16BE(csv)},
		{"csv utf-16le with bom", "in.csv", append([]byte{0xff, 0xfe}, utf16LE(csv)...)},
		{"tsv utf-16be with bom", "in.tsv", append([]byte{0xfe, 0xff}, utf16BE("a\tb\n1\t2\n")...)},
		{"jsonl utf-16le", "in.jsonl", utf16LE(jsonl)},
		{"jsonl utf-16be with bom", "in.jsonl", append([]byte{0xfe, 0xff}, utf16BE(jsonl)...)},
		{"a NUL in the first kilobyte", "in.csv", []byte("a,b\n1,2\x00\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openBytes(t, tt.file, tt.data)
			if !errors.Is(err, ErrUTF16) || !strings.Contains(err.Error(), "looks like UTF-16") || !strings.Contains(err.Error(), tt.file) {
				t.Errorf("got %v, want ErrUTF16 naming the file", err)
			}
		})
	}
	// Standard input too.
	if _, err := Open("-", bytes.NewReader(utf16LE(csv)), Options{Format: table.CSV}); !errors.Is(err, ErrUTF16) {
		t.Errorf("standard input: got %v, want ErrUTF16", err)
	}
	// A NUL after the first kilobyte is data.
	late := "a\n" + strings.Repeat("x", 2000) + "\n\x00\n"
	if err := openBytes(t, "late.csv", []byte(late)); err != nil {
		t.Errorf("a NUL after the first kilobyte: got %v, want it read", err)
	}
}

// Item 13 of issue 13: {"s":"\ud800x"} became "\uFFFDx" with no error.
// A reader must not alter text, so an unpaired surrogate escape is
// refused, located, as invalid UTF-8 is.
func TestJSONLLoneSurrogateIsRefused(t *testing.T) {
	tests := []struct {
		name, line string
		col        int
	}{
		{"high alone", `{"s":"\ud800x"}`, 7},
		{"low alone", `{"s":"a\udc00"}`, 8},
		{"high then not low", `{"s":"\uD83D\u0041"}`, 7},
		{"two highs", `{"s":"\ud83d\ud83d\ude00"}`, 7},
		{"in a key", `{"k\udfff":"v"}`, 4},
		{"in a nested value", `{"n":{"x":["\ud800"]}}`, 13},
		{"at the end", `{"s":"\ud800"}`, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openBytes(t, "in.jsonl", []byte(`{"s":"ok"}`+"\n"+tt.line+"\n"))
			var pe *ParseError
			if !errors.Is(err, ErrSurrogate) || !errors.As(err, &pe) || pe.Line != 2 || pe.Column != tt.col {
				t.Errorf("got %v (%+v), want ErrSurrogate at line 2, column %d", err, pe, tt.col)
			}
		})
	}
	// Pairs, escaped backslashes and other escapes are fine.
	for _, line := range []string{`{"s":"\ud83d\ude00"}`, `{"s":"\\ud800"}`, `{"s":"\u00e9\n\"\\"}`, `{"s\\u":"\\\\ud800"}`} {
		r, err := NewJSONL(strings.NewReader(line+"\n"), "in", JSONLOptions{})
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		if _, err := r.Next(context.Background()); err != nil {
			t.Errorf("%s: %v", line, err)
		}
	}
}
