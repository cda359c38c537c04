package readers

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unsafe"

	"github.com/enrich-dev/enrich/internal/ooxml"
)

// book is what every sheet of a workbook shares: the package, the number
// format of each cell style, and the shared strings.
type book struct {
	pkg     *ooxml.Package
	formats []*numFormat // by cell style (xf) index
	strings sharedStrings
}

func openBook(path string) (*book, error) {
	pkg, err := ooxml.Open(path)
	if err != nil {
		return nil, err
	}
	b := &book{pkg: pkg}
	if err := b.readStyles(); err != nil {
		pkg.Close()
		return nil, err
	}
	if err := b.readStrings(); err != nil {
		pkg.Close()
		return nil, err
	}
	return b, nil
}

func (b *book) close() error { return b.pkg.Close() }

// format returns the number format of cell style s.
func (b *book) format(s int) *numFormat {
	if s < 0 || s >= len(b.formats) {
		return generalFormat
	}
	return b.formats[s]
}

// readStyles compiles the number format of every cell style. A format id
// that the workbook defines wins over the built-in one of that id, as in
// Excel; an unknown id is General.
func (b *book) readStyles() error {
	if b.pkg.Styles == "" {
		return nil
	}
	var doc struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmtID int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	rc, err := b.pkg.OpenPart(b.pkg.Styles)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(&doc); err != nil {
		return fmt.Errorf("%s: %w", b.pkg.Styles, err)
	}
	codes := make(map[int]string, len(doc.NumFmts))
	for _, nf := range doc.NumFmts {
		codes[nf.ID] = nf.Code
	}
	byID := map[int]*numFormat{}
	b.formats = make([]*numFormat, len(doc.Xfs))
	for i, xf := range doc.Xfs {
		f, ok := byID[xf.NumFmtID]
		if !ok {
			code, custom := codes[xf.NumFmtID]
			if !custom {
				code = builtinFormats[xf.NumFmtID]
			}
			f = parseNumFormat(code)
			byID[xf.NumFmtID] = f
		}
		b.formats[i] = f
	}
	return nil
}

// sharedStrings holds the workbook's string table compactly: all the text
// in one byte slice and the end of each string in another, 4 bytes a
// string beyond its text. A million short strings take tens of MB this
// way, where a Go string and slice header each would take three times as
// much in pointers for the collector to walk.
type sharedStrings struct {
	text []byte
	ends []uint32
}

// maxStringText is the most string text the compact table can index.
const maxStringText = 1<<32 - 1

func (t *sharedStrings) len() int { return len(t.ends) }

// get returns string i. The string shares the table's memory, which is
// never written after it is read: cells refer to it without a copy, and
// the table lives as long as any of them does.
func (t *sharedStrings) get(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	end := t.ends[i]
	if start == end {
		return ""
	}
	return unsafe.String(&t.text[start], int(end-start))
}

// readStrings reads the shared string table: each <si>'s text is its <t>,
// or the <t> of each of its rich-text runs <r>, but not the phonetic
// guides (<rPh>) that East Asian text carries.
func (b *book) readStrings() error {
	if b.pkg.Strings == "" {
		return nil
	}
	rc, err := b.pkg.OpenPart(b.pkg.Strings)
	if err != nil {
		return err
	}
	defer rc.Close()
	part := b.pkg.Strings
	sc := ooxml.NewScanner(rc)
	t := &b.strings
	var start int // where the current <si>'s text begins
	inT := false  // inside a <t> that counts
	skip := 0     // depth of an <rPh> being skipped
	for {
		if err := sc.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("%s: %w", part, err)
		}
		switch sc.Kind() {
		case ooxml.StartTag, ooxml.EmptyTag:
			local, depth := sc.Local(), sc.Depth()
			switch {
			case skip > 0:
			case depth == 2 && string(local) == "si":
				start = len(t.text)
				if sc.Kind() == ooxml.EmptyTag {
					t.ends = append(t.ends, uint32(start))
				}
			case string(local) == "rPh" && sc.Kind() == ooxml.StartTag:
				skip = depth
			case string(local) == "t" && (depth == 3 || depth == 4) && sc.Kind() == ooxml.StartTag:
				inT = true
			}
		case ooxml.EndTag:
			local, depth := sc.Local(), sc.Depth()
			switch {
			case skip > 0:
				if depth == skip {
					skip = 0
				}
			case string(local) == "t":
				inT = false
			case depth == 2 && string(local) == "si":
				if bytes.Contains(t.text[start:], []byte("_x")) {
					decoded := ooxml.DecodeEscapes(bytes.Clone(t.text[start:]))
					t.text = append(t.text[:start], decoded...)
				}
				if len(t.text) > maxStringText {
					return fmt.Errorf("%s: %w: more than 4 GB of shared strings", part, ooxml.ErrTooLarge)
				}
				t.ends = append(t.ends, uint32(len(t.text)))
			}
		case ooxml.Text, ooxml.CData:
			if inT && skip == 0 {
				if t.text, err = sc.AppendText(t.text); err != nil {
					return fmt.Errorf("%s: string %d: %w", part, len(t.ends), err)
				}
			}
		}
	}
}

// sharedIndex parses a shared-string cell's value.
func sharedIndex(v []byte) (int, bool) {
	n, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 10, 32)
	return int(n), err == nil
}
