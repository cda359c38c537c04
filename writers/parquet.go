package writers

import (
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/enrich-dev/enrich/table"
)

// Row groups end at whichever comes first: this many rows, or about this
// many bytes of cell and value text. parquet-go's own default is one row
// group for the whole file, which readers cannot split or skip, and it
// holds the whole file in memory until Close.
const (
	parquetGroupRows  = 100_000
	parquetGroupBytes = 64 << 20
)

// parquetEncoder writes Parquet with parquet-go. When the input is
// Parquet too (Options.Source.Schema holds its schema and each Row.Native
// its values), the output schema is the input's, field for field and in
// the same order, with the added columns after its top-level fields, and
// every input value is written back as it was read; otherwise every input
// column is an optional UTF8 string. Added columns are optional: UTF8 for
// table.Text and table.JSON, INT64 for table.Integer, DOUBLE for
// table.Number and BOOLEAN for table.Bool (Options.Kinds); an empty value
// is NULL.
type parquetEncoder struct {
	w      *parquet.Writer
	opts   Options
	native bool // input columns are Row.Native values
	leaves int  // leaf columns of the input part of the schema
	kinds  []table.Kind
	row    parquet.Row
	rows   int // rows in the row group being written
	bytes  int // bytes of text in it
}

func newParquet(w io.Writer, o Options) (*parquetEncoder, error) {
	e := &parquetEncoder{opts: o, kinds: o.Kinds}
	if e.kinds == nil {
		e.kinds = make([]table.Kind, len(o.Added))
	}
	var fields []parquet.Field
	name := "schema"
	if root, ok := o.Source.Schema.(parquet.Node); ok && o.Source.Format == table.Parquet {
		e.native = true
		fields = append(fields, root.Fields()...)
		if f, ok := root.(parquet.Field); ok && f.Name() != "" {
			name = f.Name()
		}
		if len(fields) != len(o.Header) {
			return nil, fmt.Errorf("the input schema has %d top-level columns, the header %d", len(fields), len(o.Header))
		}
		e.leaves = countLeaves(root)
	} else {
		for _, key := range table.Keys(o.Header, o.Added...) {
			fields = append(fields, field{parquet.Optional(parquet.String()), key})
		}
		e.leaves = len(o.Header)
	}
	for i, a := range o.Added {
		fields = append(fields, field{addedNode(e.kinds[i]), a})
	}
	codec, err := parquetCodec(o.Compression)
	if err != nil {
		return nil, err
	}
	schema := parquet.NewSchema(name, group(fields))
	e.w = parquet.NewWriter(w, schema,
		parquet.Compression(codec),
		parquet.MaxRowsPerRowGroup(parquetGroupRows),
		parquet.CreatedBy("enrich", "", ""),
	)
	return e, nil
}

// parquetCodec is the compression Options.Compression names.
func parquetCodec(name string) (compress.Codec, error) {
	switch name {
	case "", "zstd":
		return &parquet.Zstd, nil
	case "snappy":
		return &parquet.Snappy, nil
	}
	return nil, fmt.Errorf("unknown Parquet compression %q; use zstd or snappy", name)
}

func addedNode(k table.Kind) parquet.Node {
	switch k {
	case table.Integer:
		return parquet.Optional(parquet.Int(64))
	case table.Number:
		return parquet.Optional(parquet.Leaf(parquet.DoubleType))
	case table.Bool:
		return parquet.Optional(parquet.Leaf(parquet.BooleanType))
	}
	return parquet.Optional(parquet.String())
}

func countLeaves(n parquet.Node) int {
	if n.Leaf() {
		return 1
	}
	c := 0
	for _, f := range n.Fields() {
		c += countLeaves(f)
	}
	return c
}

func (e *parquetEncoder) encode(rec Record) error {
	e.row = e.row[:0]
	size := 0
	if e.native {
		native, ok := rec.Row.Native.(parquet.Row)
		if !ok {
			return fmt.Errorf("%s: the row holds no Parquet values to write back", e.opts.rowName(rec.Row.Num))
		}
		e.row = append(e.row, native...)
		for _, v := range native {
			size += 8
			if k := v.Kind(); !v.IsNull() && (k == parquet.ByteArray || k == parquet.FixedLenByteArray) {
				size += len(v.ByteArray())
			}
		}
	} else {
		cells := padded(rec.Row.Cells, len(e.opts.Header))
		for i, c := range cells {
			e.row = append(e.row, parquet.ByteArrayValue([]byte(c)).Level(0, 1, i))
			size += len(c)
		}
	}
	for i, s := range rec.Values {
		v, err := e.value(e.kinds[i], s)
		if err != nil {
			return fmt.Errorf("%s, column %q: %w", e.opts.rowName(rec.Row.Num), e.opts.Added[i], err)
		}
		e.row = append(e.row, v.Level(0, v.DefinitionLevel(), e.leaves+i))
		size += len(s)
	}
	if _, err := e.w.WriteRows([]parquet.Row{e.row}); err != nil {
		return libraryError("cannot write Parquet", err)
	}
	e.rows++
	e.bytes += size
	if e.bytes >= parquetGroupBytes {
		e.rows, e.bytes = 0, 0
		if err := e.w.Flush(); err != nil {
			return libraryError("cannot write Parquet", err)
		}
	} else if e.rows >= parquetGroupRows {
		e.rows, e.bytes = 0, 0 // parquet-go has just ended the row group
	}
	return nil
}

// value is s as a value of a column of kind k, with definition level 1,
// or NULL (level 0) when s is empty.
func (e *parquetEncoder) value(k table.Kind, s string) (parquet.Value, error) {
	if s == "" {
		return parquet.NullValue(), nil
	}
	var v parquet.Value
	switch k {
	case table.Integer:
		n, ok := integer(s)
		if !ok {
			return v, &ValueError{Value: s, Type: "INT64"}
		}
		v = parquet.Int64Value(n)
	case table.Number:
		f, ok := number(s)
		if !ok {
			return v, &ValueError{Value: s, Type: "DOUBLE"}
		}
		v = parquet.DoubleValue(f)
	case table.Bool:
		if s != "true" && s != "false" {
			return v, &ValueError{Value: s, Type: "BOOLEAN"}
		}
		v = parquet.BooleanValue(s == "true")
	default:
		v = parquet.ByteArrayValue([]byte(s))
	}
	return v.Level(0, 1, 0), nil
}

// integer parses a JSON number that is a whole number an int64 holds:
// 3, -12, and also 3.0 or 1e3, which JSON Schema counts as integers.
func integer(s string) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, ok := number(s)
	if !ok || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

func (e *parquetEncoder) finish() error {
	if err := e.w.Close(); err != nil {
		return libraryError("cannot write Parquet", err)
	}
	return nil
}

func (e *parquetEncoder) discard() error { return nil }

// ValueError is an added value that a typed column cannot hold, such as an
// integer beyond INT64. Answers are validated against their schema before
// they are written, so it is rare; the value is reported rather than
// dropped.
type ValueError struct {
	Value string
	Type  string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("the value %.40q does not fit the column's type %s", e.Value, e.Type)
}

// field names a node, making it a field of a group.
type field struct {
	parquet.Node
	name string
}

func (f field) Name() string                           { return f.name }
func (f field) Value(base reflect.Value) reflect.Value { return base }

// group is a group node whose fields keep the order given: parquet.Group
// is a map, and lists its fields sorted by name.
type group []parquet.Field

func (g group) ID() int                     { return 0 }
func (g group) String() string              { return "group" }
func (g group) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g group) Optional() bool              { return false }
func (g group) Repeated() bool              { return false }
func (g group) Required() bool              { return true }
func (g group) Leaf() bool                  { return false }
func (g group) Fields() []parquet.Field     { return g }
func (g group) Encoding() encoding.Encoding { return nil }
func (g group) Compression() compress.Codec { return nil }
func (g group) GoType() reflect.Type        { return reflect.TypeFor[map[string]any]() }
