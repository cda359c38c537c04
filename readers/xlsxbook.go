package readers

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"

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
	b := &book{pkg: pkg, strings: sharedStrings{spillAt: spillStrings}}
	if err := b.readStyles(); err != nil {
		pkg.Close()
		return nil, err
	}
	if err := b.readStrings(); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func (b *book) close() error { return errors.Join(b.strings.close(), b.pkg.Close()) }

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
				if err := t.finish(); err != nil {
					return fmt.Errorf("%s: %w", part, err)
				}
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
					if err := t.add(nil); err != nil {
						return fmt.Errorf("%s: %w", part, err)
					}
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
				if err := t.add(ooxml.DecodeEscapes(text)); err != nil {
					return fmt.Errorf("%s: %w", part, err)
				}
			}
		case ooxml.Text, ooxml.CData:
			if inT && skip == 0 {
				if text, err = sc.AppendText(text); err != nil {
					return fmt.Errorf("%s: string %d: %w", part, t.len(), err)
				}
				if len(text) > ooxml.MaxToken {
					return fmt.Errorf("%s: string %d: %w: longer than %d MB", part, t.len(), ooxml.ErrTooLarge, ooxml.MaxToken>>20)
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
