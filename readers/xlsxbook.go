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

// sharedStrings holds the workbook's string table compactly: the text
// in pages of 1 MB that are never moved or copied as the table grows, and
// where each string ends, 4 bytes a string. A million short strings take
// their text plus 4 MB this way, where a Go string each would add 16
// bytes of header and a pointer for the collector to walk, and one
// growing slice would briefly need three times the text while it is
// copied.
//
// Strings are addressed in one 32-bit space of pages. A string never
// straddles two pages unless it is longer than a page, in which case it
// starts a page of its own size; so string i starts where string i-1
// ends, or, when that would have crossed a page boundary, at the next one.
type sharedStrings struct {
	pages [][]byte
	ends  []uint32
	end   uint32 // where the next string would start
}

const (
	pageBits = 20
	pageSize = 1 << pageBits
	// maxStringText is the most string text the table can address.
	maxStringText = 1<<32 - 1
)

func (t *sharedStrings) len() int { return len(t.ends) }

// get returns string i. The string shares the table's memory, which is
// never written after it is read: cells refer to it without a copy, and
// the page lives as long as any of them does.
func (t *sharedStrings) get(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	end := t.ends[i]
	if start == end {
		return ""
	}
	if start>>pageBits != (end-1)>>pageBits {
		start = (start + pageSize - 1) &^ (pageSize - 1)
	}
	page := t.pages[start>>pageBits]
	off := start & (pageSize - 1)
	return unsafe.String(&page[off], int(end-start))
}

// reserve sizes the ends for the count the table says it has, believed
// only as far as the part's size allows (every <si/> takes 5 bytes), so
// that a lying count costs nothing.
func (t *sharedStrings) reserve(sc *ooxml.Scanner, partSize uint64) {
	v, ok := sc.Attr("uniqueCount")
	if !ok {
		return
	}
	n, err := strconv.ParseUint(string(v), 10, 32)
	if err != nil {
		return
	}
	n = min(n, partSize/5, 1<<26)
	t.ends = make([]uint32, 0, n)
}

// add appends s, reporting false when the table's address space is full.
func (t *sharedStrings) add(s []byte) bool {
	n := uint64(len(s))
	start := uint64(t.end)
	if n > 0 && start>>pageBits != (start+n-1)>>pageBits {
		start = (start + pageSize - 1) &^ (pageSize - 1) // the next page
	}
	if start+n > maxStringText {
		return false
	}
	p := int(start >> pageBits)
	switch {
	case n == 0:
	case n > pageSize:
		// A page of its own size; the pages it spans are windows on it,
		// the last one open for the strings that follow.
		k := int((n + pageSize - 1) / pageSize)
		big := make([]byte, n, k*pageSize)
		copy(big, s)
		for len(t.pages) < p+k {
			t.pages = append(t.pages, nil)
		}
		for j := range k {
			t.pages[p+j] = big[j*pageSize : min(int(n), (j+1)*pageSize)]
		}
	default:
		for len(t.pages) <= p {
			t.pages = append(t.pages, nil)
		}
		if t.pages[p] == nil {
			t.pages[p] = make([]byte, 0, pageSize)
		}
		t.pages[p] = append(t.pages[p], s...)
	}
	t.end = uint32(start + n)
	t.ends = append(t.ends, t.end)
	return true
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
	var text []byte // the current <si>'s text
	inT := false    // inside a <t> that counts
	skip := 0       // depth of an <rPh> being skipped
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
			case depth == 1:
				t.reserve(sc, b.pkg.File(part).UncompressedSize64)
			case skip > 0:
			case depth == 2 && string(local) == "si":
				text = text[:0]
				if sc.Kind() == ooxml.EmptyTag {
					t.add(nil)
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
				if !t.add(ooxml.DecodeEscapes(text)) {
					return fmt.Errorf("%s: %w: more than 4 GB of shared strings", part, ooxml.ErrTooLarge)
				}
			}
		case ooxml.Text, ooxml.CData:
			if inT && skip == 0 {
				if text, err = sc.AppendText(text); err != nil {
					return fmt.Errorf("%s: string %d: %w", part, len(t.ends), err)
				}
				if len(text) > ooxml.MaxToken {
					return fmt.Errorf("%s: string %d: %w: longer than %d MB", part, len(t.ends), ooxml.ErrTooLarge, ooxml.MaxToken>>20)
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
