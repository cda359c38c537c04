package writers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/enrich-dev/enrich/table"
)

// jsonl writes one table.JSON object per line. When the input row kept its
// original object (Row.Raw), the added keys are spliced in before its
// closing brace, so the input object comes back byte-identical apart from
// the added keys; otherwise an object is built from Header and Cells.
type jsonl struct {
	bw    *bufio.Writer
	opts  Options
	keys  [][]byte // `"key":` for each header column
	added [][]byte // `"name":` for each added column
	line  bytes.Buffer
	str   bytes.Buffer
	enc   *json.Encoder // encodes strings into str
	err   error
}

func newJSONL(w io.Writer, o Options) *jsonl {
	j := &jsonl{bw: bufio.NewWriterSize(w, 64<<10), opts: o}
	j.enc = json.NewEncoder(&j.str)
	j.enc.SetEscapeHTML(false)
	for _, k := range table.Keys(o.Header, o.Added...) {
		j.keys = append(j.keys, j.member(k))
	}
	for _, k := range o.Added {
		j.added = append(j.added, j.member(k))
	}
	return j
}

// member returns the encoded `"key":` prefix of an object member.
func (j *jsonl) member(key string) []byte {
	return append(j.quote(nil, key), ':')
}

// quote appends s as a table.JSON string. Invalid UTF-8 becomes U+FFFD, as table.JSON
// cannot carry it.
func (j *jsonl) quote(dst []byte, s string) []byte {
	j.str.Reset()
	_ = j.enc.Encode(s) // a string always encodes
	return append(dst, bytes.TrimSuffix(j.str.Bytes(), []byte("\n"))...)
}

func (j *jsonl) encode(rec Record) error {
	if j.err != nil {
		return j.err
	}
	j.line.Reset()
	if obj, keys, ok := rawObject(rec.Row.Raw); ok {
		for i, name := range j.opts.Added {
			if _, dup := keys[name]; dup {
				return &ColumnError{Name: name, Index: i, Where: j.opts.rowName(rec.Row.Num), Kind: ErrColumnExists}
			}
		}
		// Insert after the last byte before the closing brace that is
		// not whitespace, so spacing such as `{"a": 1 }` stays as it was.
		end := len(obj) - 1
		at := len(bytes.TrimRight(obj[:end], " \t\r\n"))
		j.line.Write(obj[:at])
		j.values(rec, at > 1)
		j.line.Write(obj[at:])
	} else {
		j.line.WriteByte('{')
		for i, cell := range padded(rec.Row.Cells, len(j.keys)) {
			if i > 0 {
				j.line.WriteByte(',')
			}
			j.line.Write(j.keys[i])
			j.line.Write(j.quote(nil, cell))
		}
		j.values(rec, len(j.keys) > 0)
		j.line.WriteByte('}')
	}
	j.line.WriteByte('\n')
	if _, err := j.bw.Write(j.line.Bytes()); err != nil {
		j.err = err
	}
	return j.err
}

// values appends the added members, after a comma when the object already
// has members. A value is a table.JSON string unless its kind is table.Number, table.Bool or
// table.JSON and its text is that kind of table.JSON; then it is written as that value.
func (j *jsonl) values(rec Record, comma bool) {
	for i, v := range rec.Values {
		if comma || i > 0 {
			j.line.WriteByte(',')
		}
		j.line.Write(j.added[i])
		if !appendJSONValue(&j.line, kindOf(rec.Kinds, i), v) {
			j.line.Write(j.quote(nil, v))
		}
	}
}

// rawObject returns raw without surrounding whitespace, and its top-level
// keys, when raw is a table.JSON object.
func rawObject(raw []byte) ([]byte, map[string]json.RawMessage, bool) {
	obj := bytes.Trim(raw, " \t\r\n")
	if len(obj) < 2 || obj[0] != '{' {
		return nil, nil, false
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(obj, &keys); err != nil {
		return nil, nil, false
	}
	return obj, keys, true
}

func (j *jsonl) finish() error {
	if j.err != nil {
		return j.err
	}
	j.err = j.bw.Flush()
	return j.err
}

func (j *jsonl) discard() error { return nil }
