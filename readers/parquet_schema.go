package readers

import (
	"fmt"
	"strings"

	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// pqNode is one element of a Parquet schema, rebuilt from the footer's
// flat, depth-first list of schema elements. The reader walks this tree
// rather than parquet-go's Node, because the raw elements keep what a
// cell's text depends on (the logical type and the legacy converted type,
// a decimal's scale, a timestamp's unit and zone) exactly as the file
// states it, and because parquet-go's Group sorts fields by name, which
// would lose the file's column order.
type pqNode struct {
	name     string
	path     string // dotted path from the top-level column, for messages
	rep      format.FieldRepetitionType
	children []*pqNode
	kind     pqKind // for a group: pqStruct, pqList or pqMap
	scale    int32  // pqDecimal
	unit     int64  // pqTime, pqTimestamp: nanoseconds per unit
	utc      bool   // pqTime, pqTimestamp: isAdjustedToUTC
	unsigned bool   // pqInt32, pqInt64: an unsigned integer type
	leaf     int    // column index of a leaf
	first    int    // first and last+1 column index of the leaves below
	end      int
	maxDef   int // definition level when this node is present
	maxRep   int // repetition level of this node's repeated ancestors and itself
}

// pqKind says how a leaf's values become text, or what a group is.
type pqKind uint8

const (
	pqBool pqKind = iota
	pqInt32
	pqInt64
	pqInt96 // legacy timestamp: nanoseconds of the day and Julian day
	pqFloat
	pqDouble
	pqFloat16
	pqString // UTF8, ENUM: the text itself
	pqJSON   // JSON: the text itself, embedded as JSON inside nested values
	pqBinary // no annotation: its text when it is UTF-8, else base64
	pqDecimal
	pqDate
	pqTime
	pqTimestamp
	pqUUID
	pqInterval
	pqNull
	pqStruct
	pqList
	pqMap
)

// buildSchema rebuilds the tree below the root element and checks that
// every column has a type this reader can show.
func buildSchema(file string, elems []format.SchemaElement) (*pqNode, error) {
	if len(elems) == 0 {
		return nil, &ParquetError{File: file, Err: detailf(ErrNotParquet, "the footer holds no schema")}
	}
	b := schemaBuilder{file: file, elems: elems}
	root, err := b.node(nil, 0, 0)
	if err != nil {
		return nil, err
	}
	if b.next != len(elems) {
		return nil, &ParquetError{File: file, Err: detailf(ErrNotParquet, "the schema has %d elements, the tree below its root %d", len(elems), b.next)}
	}
	return root, nil
}

type schemaBuilder struct {
	file  string
	elems []format.SchemaElement
	next  int // index of the next element
	leaf  int // column index of the next leaf
}

// node reads the element at b.next and, for a group, its children.
func (b *schemaBuilder) node(parent *pqNode, def, rep int) (*pqNode, error) {
	if b.next >= len(b.elems) {
		return nil, &ParquetError{File: b.file, Err: detailf(ErrNotParquet, "the schema ends inside a group")}
	}
	e := &b.elems[b.next]
	b.next++
	n := &pqNode{name: e.Name, first: b.leaf}
	if parent != nil {
		n.rep = e.RepetitionType.V
		if parent.path != "" {
			n.path = parent.path + "." + e.Name
		} else {
			n.path = e.Name
		}
		switch n.rep {
		case format.Optional:
			def++
		case format.Repeated:
			def++
			rep++
		}
	}
	n.maxDef, n.maxRep = def, rep
	if e.NumChildren.Valid && e.NumChildren.V > 0 || parent == nil {
		switch lt := e.LogicalType.Value.(type) {
		case nil, *format.ListType, *format.MapType:
		default:
			if parent != nil {
				return nil, b.unsupported(n, "logical type "+logicalName(lt))
			}
		}
		n.kind = groupKind(e)
		for range e.NumChildren.V {
			c, err := b.node(n, def, rep)
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, c)
		}
		n.end = b.leaf
		if parent != nil && n.end == n.first {
			return nil, b.unsupported(n, "an empty group")
		}
		return n, nil
	}
	if !e.Type.Valid {
		return nil, b.unsupported(n, "a column without a physical type")
	}
	if err := b.leafKind(n, e); err != nil {
		return nil, err
	}
	n.leaf = b.leaf
	b.leaf++
	n.end = b.leaf
	return n, nil
}

func groupKind(e *format.SchemaElement) pqKind {
	switch e.LogicalType.Value.(type) {
	case *format.ListType:
		return pqList
	case *format.MapType:
		return pqMap
	}
	if e.ConvertedType.Valid {
		switch e.ConvertedType.V {
		case deprecated.List:
			return pqList
		case deprecated.Map, deprecated.MapKeyValue:
			return pqMap
		}
	}
	return pqStruct
}

// leafKind decides how the leaf's values read, from its logical type,
// else its converted type, else its physical type.
func (b *schemaBuilder) leafKind(n *pqNode, e *format.SchemaElement) error {
	phys := e.Type.V
	switch lt := e.LogicalType.Value.(type) {
	case nil:
	case *format.StringType, *format.EnumType:
		n.kind = pqString
		return b.want(n, phys, format.ByteArray)
	case *format.JsonType:
		n.kind = pqJSON
		return b.want(n, phys, format.ByteArray)
	case *format.BsonType:
		n.kind = pqBinary
		return b.want(n, phys, format.ByteArray)
	case *format.DecimalType:
		n.kind, n.scale = pqDecimal, lt.Scale
		return b.want(n, phys, format.Int32, format.Int64, format.FixedLenByteArray, format.ByteArray)
	case *format.DateType:
		n.kind = pqDate
		return b.want(n, phys, format.Int32)
	case *format.TimeType:
		n.kind, n.utc, n.unit = pqTime, lt.IsAdjustedToUTC, unitNanos(&lt.Unit)
		return b.want(n, phys, format.Int32, format.Int64)
	case *format.TimestampType:
		n.kind, n.utc, n.unit = pqTimestamp, lt.IsAdjustedToUTC, unitNanos(&lt.Unit)
		return b.want(n, phys, format.Int64)
	case *format.IntType:
		n.unsigned = !lt.IsSigned
		n.kind = pqInt32
		if phys == format.Int64 {
			n.kind = pqInt64
		}
		return b.want(n, phys, format.Int32, format.Int64)
	case *format.UUIDType:
		n.kind = pqUUID
		if phys != format.FixedLenByteArray || e.TypeLength.V != 16 {
			return b.unsupported(n, "UUID stored as "+phys.String())
		}
		return nil
	case *format.Float16Type:
		n.kind = pqFloat16
		if phys != format.FixedLenByteArray || e.TypeLength.V != 2 {
			return b.unsupported(n, "FLOAT16 stored as "+phys.String())
		}
		return nil
	case *format.NullType:
		n.kind = pqNull
		return nil
	default:
		return b.unsupported(n, "logical type "+logicalName(lt))
	}
	if e.ConvertedType.Valid {
		switch ct := e.ConvertedType.V; ct {
		case deprecated.UTF8, deprecated.Enum:
			n.kind = pqString
			return b.want(n, phys, format.ByteArray)
		case deprecated.Json:
			n.kind = pqJSON
			return b.want(n, phys, format.ByteArray)
		case deprecated.Bson:
			n.kind = pqBinary
			return b.want(n, phys, format.ByteArray)
		case deprecated.Decimal:
			n.kind, n.scale = pqDecimal, e.Scale.V
			return b.want(n, phys, format.Int32, format.Int64, format.FixedLenByteArray, format.ByteArray)
		case deprecated.Date:
			n.kind = pqDate
			return b.want(n, phys, format.Int32)
		case deprecated.TimeMillis, deprecated.TimeMicros:
			// The converted types predate the time zone flag; they meant UTC.
			n.kind, n.utc, n.unit = pqTime, true, 1_000_000
			if ct == deprecated.TimeMicros {
				n.unit = 1_000
			}
			return b.want(n, phys, format.Int32, format.Int64)
		case deprecated.TimestampMillis, deprecated.TimestampMicros:
			n.kind, n.utc, n.unit = pqTimestamp, true, 1_000_000
			if ct == deprecated.TimestampMicros {
				n.unit = 1_000
			}
			return b.want(n, phys, format.Int64)
		case deprecated.Int8, deprecated.Int16, deprecated.Int32, deprecated.Int64,
			deprecated.Uint8, deprecated.Uint16, deprecated.Uint32, deprecated.Uint64:
			n.unsigned = ct >= deprecated.Uint8 && ct <= deprecated.Uint64
			n.kind = pqInt32
			if phys == format.Int64 {
				n.kind = pqInt64
			}
			return b.want(n, phys, format.Int32, format.Int64)
		case deprecated.Interval:
			n.kind = pqInterval
			if phys != format.FixedLenByteArray || e.TypeLength.V != 12 {
				return b.unsupported(n, "INTERVAL stored as "+phys.String())
			}
			return nil
		default:
			return b.unsupported(n, fmt.Sprintf("converted type %d", ct))
		}
	}
	switch phys {
	case format.Boolean:
		n.kind = pqBool
	case format.Int32:
		n.kind = pqInt32
	case format.Int64:
		n.kind = pqInt64
	case format.Int96:
		n.kind = pqInt96
	case format.Float:
		n.kind = pqFloat
	case format.Double:
		n.kind = pqDouble
	case format.ByteArray, format.FixedLenByteArray:
		n.kind = pqBinary
	default:
		return b.unsupported(n, "physical type "+phys.String())
	}
	return nil
}

// want checks that a logical type is stored in a physical type the
// Parquet format allows for it.
func (b *schemaBuilder) want(n *pqNode, phys format.Type, allowed ...format.Type) error {
	for _, a := range allowed {
		if phys == a {
			return nil
		}
	}
	return b.unsupported(n, fmt.Sprintf("%s stored as %s", kindName(n.kind), phys))
}

func (b *schemaBuilder) unsupported(n *pqNode, what string) error {
	return &ParquetError{File: b.file, Column: n.path, RowGroup: -1, Err: detailf(ErrUnsupportedType, "unsupported %s", what)}
}

// unitNanos is the length of a time unit in nanoseconds.
func unitNanos(u *format.TimeUnit) int64 {
	if u.Value == nil {
		return 1_000
	}
	return int64(u.Value.Duration())
}

// logicalName names a logical type as the Parquet specification does:
// VARIANT, GEOMETRY, GEOGRAPHY.
func logicalName(lt format.LogicalTypeValue) string {
	s := lt.String()
	if i := strings.IndexAny(s, "(<"); i > 0 {
		s = s[:i]
	}
	return strings.ToUpper(s)
}

func kindName(k pqKind) string {
	return [...]string{"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "FLOAT16", "STRING", "JSON", "BINARY",
		"DECIMAL", "DATE", "TIME", "TIMESTAMP", "UUID", "INTERVAL", "NULL", "STRUCT", "LIST", "MAP"}[k]
}
