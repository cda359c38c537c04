package readers

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// pqText is the text of one non-null leaf value, as the reader's
// documentation lists it for each type.
func pqText(n *pqNode, v parquet.Value) string {
	switch n.kind {
	case pqBool:
		return strconv.FormatBool(v.Boolean())
	case pqInt32:
		if n.unsigned {
			return strconv.FormatUint(uint64(uint32(v.Int32())), 10)
		}
		return strconv.FormatInt(int64(v.Int32()), 10)
	case pqInt64:
		if n.unsigned {
			return strconv.FormatUint(uint64(v.Int64()), 10)
		}
		return strconv.FormatInt(v.Int64(), 10)
	case pqInt96:
		i := v.Int96()
		nanos := int64(uint64(i[1])<<32 | uint64(i[0]))
		days := int64(i[2]) - 2_440_588 // the Julian day of 1970-01-01
		return time.Unix(days*86_400, nanos).UTC().Format(timestampUTC)
	case pqFloat:
		return formatFloat(float64(v.Float()), 32)
	case pqDouble:
		return formatFloat(v.Double(), 64)
	case pqFloat16:
		return formatFloat(float64(float16(v.ByteArray())), 32)
	case pqString, pqJSON:
		return string(v.ByteArray())
	case pqBinary:
		b := v.ByteArray()
		if utf8.Valid(b) {
			return string(b)
		}
		return base64.StdEncoding.EncodeToString(b)
	case pqDecimal:
		return decimalText(n, v)
	case pqDate:
		return time.Unix(int64(v.Int32())*86_400, 0).UTC().Format(time.DateOnly)
	case pqTime:
		var t int64
		if v.Kind() == parquet.Int32 {
			t = int64(v.Int32())
		} else {
			t = v.Int64()
		}
		s := time.Unix(0, 0).UTC().Add(time.Duration(t * n.unit)).Format("15:04:05.999999999")
		if n.utc {
			s += "Z"
		}
		return s
	case pqTimestamp:
		per := int64(time.Second) / n.unit // units per second
		t := v.Int64()
		sec, frac := t/per, t%per
		if frac < 0 {
			sec, frac = sec-1, frac+per
		}
		ts := time.Unix(sec, frac*n.unit).UTC()
		if n.utc {
			return ts.Format(timestampUTC)
		}
		return ts.Format(timestampLocal)
	case pqUUID:
		b := v.ByteArray()
		var s [36]byte
		hex.Encode(s[0:8], b[0:4])
		s[8] = '-'
		hex.Encode(s[9:13], b[4:6])
		s[13] = '-'
		hex.Encode(s[14:18], b[6:8])
		s[18] = '-'
		hex.Encode(s[19:23], b[8:10])
		s[23] = '-'
		hex.Encode(s[24:], b[10:16])
		return string(s[:])
	case pqInterval:
		return intervalText(v.ByteArray())
	}
	return ""
}

const (
	timestampUTC   = "2006-01-02T15:04:05.999999999Z"
	timestampLocal = "2006-01-02T15:04:05.999999999"
)

// formatFloat writes the shortest text that reads back as f, in plain
// notation from 1e-6 up to 1e21 (as JavaScript and most JSON writers do)
// and with an exponent outside that, where plain digits would run long.
func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-6 && a < 1e21) {
		return strconv.FormatFloat(f, 'f', -1, bits)
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// float16 decodes an IEEE 754 half-precision value, stored little-endian.
func float16(b []byte) float32 {
	h := binary.LittleEndian.Uint16(b)
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		f := float32(frac) / 1024 / 16384
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// decimalText writes a decimal's unscaled integer with its scale, in
// plain notation: DECIMAL(10,2) 1250 is "12.50", -5 is "-0.05".
func decimalText(n *pqNode, v parquet.Value) string {
	var digits string
	switch v.Kind() {
	case parquet.Int32:
		digits = strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		digits = strconv.FormatInt(v.Int64(), 10)
	default:
		b := v.ByteArray()
		x := new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 { // two's complement
			x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
		}
		digits = x.String()
	}
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	scale := int(n.scale)
	switch {
	case scale < 0:
		digits += strings.Repeat("0", -scale)
	case scale > 0:
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// intervalText writes a legacy INTERVAL (months, days, milliseconds, as
// three little-endian unsigned integers) as an ISO 8601 duration.
func intervalText(b []byte) string {
	months := binary.LittleEndian.Uint32(b[0:])
	days := binary.LittleEndian.Uint32(b[4:])
	ms := binary.LittleEndian.Uint32(b[8:])
	var s strings.Builder
	s.WriteByte('P')
	if y := months / 12; y > 0 {
		s.WriteString(strconv.FormatUint(uint64(y), 10) + "Y")
	}
	if m := months % 12; m > 0 {
		s.WriteString(strconv.FormatUint(uint64(m), 10) + "M")
	}
	if days > 0 {
		s.WriteString(strconv.FormatUint(uint64(days), 10) + "D")
	}
	if ms > 0 || s.Len() == 1 {
		s.WriteByte('T')
		h, m := ms/3_600_000, ms/60_000%60
		if h > 0 {
			s.WriteString(strconv.FormatUint(uint64(h), 10) + "H")
		}
		if m > 0 {
			s.WriteString(strconv.FormatUint(uint64(m), 10) + "M")
		}
		if sec := ms % 60_000; sec > 0 || (h == 0 && m == 0) {
			s.WriteString(strconv.FormatFloat(float64(sec)/1000, 'f', -1, 64) + "S")
		}
	}
	return s.String()
}

// assembler turns the values of a nested column (a struct, list or map,
// or a repeated leaf) back into one JSON value per row, following the
// definition and repetition levels of the Dremel encoding: a value whose
// definition level is below a node's means that node is null (or, for a
// repeated node, empty), and a repetition level equal to a repeated
// node's starts its next element.
type assembler struct {
	cols [][]parquet.Value // one row's values, by column index
	pos  []int             // the next value of each column
	buf  bytes.Buffer
	str  bytes.Buffer // scratch for JSON strings
	enc  *json.Encoder
}

func newAssembler(columns int) *assembler {
	a := &assembler{cols: make([][]parquet.Value, columns), pos: make([]int, columns)}
	a.enc = json.NewEncoder(&a.str)
	a.enc.SetEscapeHTML(false)
	return a
}

// load splits a row's values by column.
func (a *assembler) load(row parquet.Row) {
	for i := range a.cols {
		a.cols[i] = a.cols[i][:0]
		a.pos[i] = 0
	}
	for _, v := range row {
		if c := v.Column(); c >= 0 && c < len(a.cols) {
			a.cols[c] = append(a.cols[c], v)
		}
	}
}

// cell is the text of top-level column n for the loaded row.
func (a *assembler) cell(n *pqNode) string {
	if len(n.children) == 0 && n.rep != rep {
		vs := a.cols[n.leaf]
		if len(vs) == 0 || vs[0].IsNull() {
			return ""
		}
		return pqText(n, vs[0])
	}
	if n.rep == optional {
		if v, ok := a.peek(n); !ok || v.DefinitionLevel() < n.maxDef {
			return "" // a null struct, list or map: an empty cell like any null
		}
	}
	a.buf.Reset()
	a.field(n)
	return a.buf.String()
}

// The repetitions, spelled short for the walk below.
const (
	optional = format.Optional
	rep      = format.Repeated
)

func (a *assembler) peek(n *pqNode) (parquet.Value, bool) {
	c := a.cols[n.first]
	if p := a.pos[n.first]; p < len(c) {
		return c[p], true
	}
	return parquet.Value{}, false
}

// skip passes over a null or empty n: one value in each leaf below it.
func (a *assembler) skip(n *pqNode) {
	for i := n.first; i < n.end; i++ {
		a.pos[i]++
	}
}

// field writes n's value: null when it is absent, an array when it is
// repeated.
func (a *assembler) field(n *pqNode) {
	switch {
	case n.rep == rep:
		a.buf.WriteByte('[')
		a.each(n, func() { a.body(n) })
		a.buf.WriteByte(']')
	case n.rep == optional:
		if v, ok := a.peek(n); !ok || v.DefinitionLevel() < n.maxDef {
			a.skip(n)
			a.buf.WriteString("null")
			return
		}
		a.body(n)
	default:
		a.body(n)
	}
}

// each calls one for every element of repeated node n, with commas
// between them; an empty n has one value per leaf, which it skips.
func (a *assembler) each(n *pqNode, one func()) {
	v, ok := a.peek(n)
	if !ok || v.DefinitionLevel() < n.maxDef {
		a.skip(n)
		return
	}
	for first := true; ; first = false {
		if !first {
			a.buf.WriteByte(',')
		}
		one()
		v, ok := a.peek(n)
		if !ok || v.RepetitionLevel() != n.maxRep {
			return
		}
	}
}

// body writes one present instance of n.
func (a *assembler) body(n *pqNode) {
	switch {
	case len(n.children) == 0:
		v := a.cols[n.leaf][a.pos[n.leaf]]
		a.pos[n.leaf]++
		a.leaf(n, v)
	case n.kind == pqList && len(n.children) == 1 && n.children[0].rep == rep:
		c := n.children[0]
		a.buf.WriteByte('[')
		if len(c.children) == 1 && c.name != "array" && c.name != n.name+"_tuple" {
			// The three-level list of the specification: the repeated
			// group only says how many elements there are.
			a.each(c, func() { a.field(c.children[0]) })
		} else {
			// A legacy two-level list: the repeated node is the element.
			a.each(c, func() { a.body(c) })
		}
		a.buf.WriteByte(']')
	case n.kind == pqMap && len(n.children) == 1 && n.children[0].rep == rep && len(n.children[0].children) == 2 && len(n.children[0].children[0].children) == 0:
		kv := n.children[0]
		key, val := kv.children[0], kv.children[1]
		a.buf.WriteByte('{')
		a.each(kv, func() {
			k := a.cols[key.leaf][a.pos[key.leaf]]
			a.pos[key.leaf]++
			text := ""
			if !k.IsNull() {
				text = pqText(key, k)
			}
			a.writeString(text)
			a.buf.WriteByte(':')
			a.field(val)
		})
		a.buf.WriteByte('}')
	default:
		a.buf.WriteByte('{')
		for i, c := range n.children {
			if i > 0 {
				a.buf.WriteByte(',')
			}
			a.writeString(c.name)
			a.buf.WriteByte(':')
			a.field(c)
		}
		a.buf.WriteByte('}')
	}
}

// leaf writes a leaf value as JSON: numbers and booleans as such (a
// decimal keeps its scale: 12.50), a JSON column's value embedded, text
// and every other type as a string of its cell text.
func (a *assembler) leaf(n *pqNode, v parquet.Value) {
	if v.IsNull() {
		a.buf.WriteString("null")
		return
	}
	switch n.kind {
	case pqBool, pqInt32, pqInt64, pqDecimal:
		a.buf.WriteString(pqText(n, v))
	case pqFloat, pqDouble, pqFloat16:
		s := pqText(n, v)
		if s == "NaN" || strings.HasSuffix(s, "Infinity") {
			a.writeString(s)
		} else {
			a.buf.WriteString(s)
		}
	case pqNull:
		a.buf.WriteString("null")
	case pqJSON:
		b := v.ByteArray()
		if json.Valid(b) && utf8.Valid(b) {
			_ = json.Compact(&a.buf, b)
			return
		}
		a.writeString(string(b))
	default:
		a.writeString(pqText(n, v))
	}
}

func (a *assembler) writeString(s string) {
	a.str.Reset()
	_ = a.enc.Encode(s)
	a.buf.Write(bytes.TrimSuffix(a.str.Bytes(), []byte("\n")))
}
