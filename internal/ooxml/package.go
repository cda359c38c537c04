// Package ooxml reads the parts of an .xlsx package that enrich's XLSX
// reader and in-place writer share: the zip archive with limits against
// decompression bombs, the workbook's sheet list and relationships, a
// streaming XML tokenizer fast enough for million-row sheets, A1-style
// references, and the _xHHHH_ escapes SpreadsheetML uses for characters
// XML cannot hold.
//
// It exists because readers and writers may not import each other, and
// both walk the same sheet XML. It knows nothing of cell display (readers)
// or of what is added to a sheet (writers).
package ooxml

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// ErrMissingPart is a part the package must have and does not, or a
// relationship pointing at nothing.
var ErrMissingPart = errors.New("a required part is missing")

// Sheet is one entry of the workbook's sheet list.
type Sheet struct {
	Name   string
	Part   string // the part's name in the zip, e.g. "xl/worksheets/sheet1.xml"
	Hidden bool   // state="hidden" or "veryHidden"
	// Worksheet is false for chart sheets and dialog sheets, which are in
	// the list but hold no cells.
	Worksheet bool
}

// Package is an open .xlsx file.
type Package struct {
	Path     string
	Zip      *zip.Reader
	Workbook string // the workbook part's name
	Sheets   []Sheet
	Date1904 bool
	Styles   string // the styles part's name, "" when there is none
	Strings  string // the shared strings part's name, "" when there is none
	Limits   Limits

	file  *os.File
	parts map[string]*zip.File // by lower-cased name: OPC part names ignore ASCII case
}

// Open opens path as a package and reads its workbook part. Errors from
// the file system are returned as they are (*fs.PathError); a file that
// is not a zip archive gives archive/zip's own error.
func Open(path string) (*Package, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, err
	}
	p := &Package{Path: path, Zip: zr, Limits: DefaultLimits, file: f, parts: make(map[string]*zip.File, len(zr.File))}
	for _, zf := range zr.File {
		p.parts[strings.ToLower(zf.Name)] = zf
	}
	if err := p.readWorkbook(); err != nil {
		f.Close()
		return nil, err
	}
	return p, nil
}

// Close closes the file.
func (p *Package) Close() error {
	if p.file == nil {
		return nil
	}
	err := p.file.Close()
	p.file = nil
	return err
}

// File returns the zip entry of a part, or nil.
func (p *Package) File(name string) *zip.File {
	return p.parts[strings.ToLower(strings.TrimPrefix(name, "/"))]
}

// OpenPart opens a part for reading, inflating it under p.Limits.
func (p *Package) OpenPart(name string) (io.ReadCloser, error) {
	zf := p.File(name)
	if zf == nil {
		return nil, fmt.Errorf("%w: %s", ErrMissingPart, name)
	}
	return p.Limits.Open(zf)
}

// Sheet finds a sheet by name: exactly, or else ignoring case as Excel
// does. With name "" it is the first worksheet in workbook order.
func (p *Package) Sheet(name string) (Sheet, bool) {
	if name == "" {
		for _, s := range p.Sheets {
			if s.Worksheet {
				return s, true
			}
		}
		return Sheet{}, false
	}
	for _, s := range p.Sheets {
		if s.Name == name {
			return s, true
		}
	}
	for _, s := range p.Sheets {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Sheet{}, false
}

// SheetNames lists the sheets in workbook order.
func (p *Package) SheetNames() []string {
	names := make([]string, len(p.Sheets))
	for i, s := range p.Sheets {
		names[i] = s.Name
	}
	return names
}

// Relationship is one entry of a part's .rels.
type Relationship struct {
	ID, Type, Target string // Target resolved to a part name, unless External
	External         bool
}

// Rels reads the relationships of part (nil when it has none).
func (p *Package) Rels(part string) ([]Relationship, error) {
	dir, base := path.Split(part)
	relsName := dir + "_rels/" + base + ".rels"
	if p.File(relsName) == nil {
		return nil, nil
	}
	var doc struct {
		Rels []struct {
			ID         string `xml:"Id,attr"`
			Type       string `xml:"Type,attr"`
			Target     string `xml:"Target,attr"`
			TargetMode string `xml:"TargetMode,attr"`
		} `xml:"Relationship"`
	}
	if err := p.decode(relsName, &doc); err != nil {
		return nil, err
	}
	out := make([]Relationship, 0, len(doc.Rels))
	for _, r := range doc.Rels {
		rel := Relationship{ID: r.ID, Type: r.Type, Target: r.Target, External: r.TargetMode == "External"}
		if !rel.External {
			rel.Target = resolve(dir, r.Target)
		}
		out = append(out, rel)
	}
	return out, nil
}

// resolve turns a relationship's target into a part name.
func resolve(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return path.Clean(target)[1:]
	}
	return strings.TrimPrefix(path.Clean("/"+dir+target), "/")
}

// decode reads a small part with encoding/xml, under the package limits.
func (p *Package) decode(name string, v any) error {
	rc, err := p.OpenPart(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func relType(t, kind string) bool {
	// Transitional and Strict OOXML use different namespaces; both end in
	// the relationship's kind.
	return strings.HasSuffix(t, "/"+kind)
}

func (p *Package) readWorkbook() error {
	rootRels, err := p.Rels("")
	if err != nil {
		return err
	}
	p.Workbook = "xl/workbook.xml"
	for _, r := range rootRels {
		if relType(r.Type, "officeDocument") && !r.External {
			p.Workbook = r.Target
		}
	}
	if p.File(p.Workbook) == nil {
		return fmt.Errorf("%w: the workbook part %s", ErrMissingPart, p.Workbook)
	}
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			State string     `xml:"state,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := p.decode(p.Workbook, &wb); err != nil {
		return err
	}
	p.Date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	rels, err := p.Rels(p.Workbook)
	if err != nil {
		return err
	}
	byID := make(map[string]Relationship, len(rels))
	for _, r := range rels {
		byID[r.ID] = r
		switch {
		case relType(r.Type, "styles"):
			p.Styles = r.Target
		case relType(r.Type, "sharedStrings"):
			p.Strings = r.Target
		}
	}
	for _, s := range wb.Sheets {
		var id string
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				id = a.Value
			}
		}
		r, ok := byID[id]
		if !ok || r.External {
			return fmt.Errorf("%w: sheet %q points at relationship %q, which %s does not have", ErrMissingPart, s.Name, id, p.Workbook)
		}
		p.Sheets = append(p.Sheets, Sheet{
			Name: s.Name, Part: r.Target,
			Hidden:    s.State == "hidden" || s.State == "veryHidden",
			Worksheet: relType(r.Type, "worksheet"),
		})
	}
	if p.Styles != "" && p.File(p.Styles) == nil {
		p.Styles = ""
	}
	if p.Strings != "" && p.File(p.Strings) == nil {
		p.Strings = ""
	}
	return nil
}
