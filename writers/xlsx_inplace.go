package writers

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/enrich-dev/enrich/internal/ooxml"
)

// inPlace writes a copy of the input workbook with the added columns
// filled in on one sheet, in one streaming pass over the package: every
// zip entry but the sheet's is copied as it is, compressed bytes and all,
// and the sheet's XML is copied token by token with the new cells spliced
// into the rows that get them. Memory holds one row, whatever the sheet's
// size.
//
// What changes in the sheet: the <dimension> covers the added columns (a
// reader such as openpyxl's read-only mode shows only the columns it
// names); the added columns get the last header column's width in <cols>;
// the rows that get a value gain a cell, whose row's spans hint is
// widened. The added cells are inline strings, so the shared string table
// is copied untouched rather than rewritten at the end of the run (which
// would mean holding every answer until then).
type inPlace struct {
	out   io.Writer
	opts  Options
	pkg   *ooxml.Package
	sheet ooxml.Sheet
	first int // column number of the first added column
	last  int // and of the last
	used  ooxml.Range
	ctype []byte // [Content_Types].xml rewritten for OUTPUT's extension, or nil

	zw      *zip.Writer
	entry   int // index in pkg.Zip.File of the sheet's entry
	rc      io.ReadCloser
	sc      *ooxml.Scanner
	w       *bufio.Writer
	prefix  []byte // the namespace prefix the sheet's elements use
	inData  bool   // inside <sheetData>
	ended   bool   // past </sheetData>
	header  bool   // the header row has been written
	prevRow int    // the last row met in the sheet
	written int    // the last row given values
	cols    [][]byte
	buf     []byte
	werr    error // the first failed write to the output
}

// sheetEntryLevel is how hard a sheet we write is deflated. Measured on
// the benchmark's sheet (41 MB of XML), level 2 takes 0.15 s for 7.3 MB,
// the default level 6 0.81 s for 6.4 MB, level 1 0.13 s for 8.7 MB: five
// times faster than the default for an entry 15% larger. The sheet is the
// one large entry written on every run.
const sheetEntryLevel = 2

func openInPlace(w io.Writer, o Options, path string) (*inPlace, error) {
	if isStdio(o.Source.Path) {
		return nil, fmt.Errorf("xlsx output from an xlsx input is a copy of the input workbook, so it needs the input's file path, got %q", o.Source.Path)
	}
	pkg, err := ooxml.Open(o.Source.Path)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", o.Source.Path, err)
	}
	p := &inPlace{out: w, opts: o, pkg: pkg, first: len(o.Header) + 1, last: len(o.Header) + len(o.Added)}
	if err := p.start(path); err != nil {
		return nil, errors.Join(err, p.discard())
	}
	return p, nil
}

// start finds the sheet, checks it can take the added columns (before
// anything is paid for), and copies the entries that come before it.
func (p *inPlace) start(path string) error {
	src := p.opts.Source.Path
	sheet, ok := p.pkg.Sheet(p.opts.Source.Sheet)
	if !ok {
		if p.opts.Source.Sheet == "" {
			return fmt.Errorf("%s: the workbook has no worksheets", src)
		}
		return fmt.Errorf("%s: no sheet named %q", src, p.opts.Source.Sheet)
	}
	if !sheet.Worksheet {
		return fmt.Errorf("%s: sheet %q is a chart sheet, which holds no cells", src, sheet.Name)
	}
	p.sheet = sheet
	if p.last > ooxml.MaxColumns {
		return fmt.Errorf("%s: sheet %q: the added columns would end past Excel's last column XFD", src, sheet.Name)
	}
	used, err := p.survey()
	if err != nil {
		return err
	}
	p.used = used.Add(p.last, p.opts.Source.HeaderRow)
	if p.ctype, err = p.contentTypes(path); err != nil {
		return err
	}
	p.entry = -1
	for i, zf := range p.pkg.Zip.File {
		if zf == p.pkg.File(sheet.Part) {
			p.entry = i
		}
	}
	if p.entry < 0 {
		return fmt.Errorf("%s: sheet %q: its part %s is missing", src, sheet.Name, sheet.Part)
	}
	p.zw = zip.NewWriter(p.out)
	p.zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, sheetEntryLevel)
	})
	if err := p.copyEntries(0, p.entry); err != nil {
		return err
	}
	zf := p.pkg.Zip.File[p.entry]
	ew, err := p.zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate, Modified: zf.Modified})
	if err != nil {
		return libraryError("xlsx", err)
	}
	p.w = bufio.NewWriterSize(ew, 256<<10)
	if p.rc, err = p.pkg.OpenPart(sheet.Part); err != nil {
		return p.located(0, err)
	}
	p.sc = ooxml.NewScanner(p.rc)
	return nil
}

// copyEntries copies zip entries [from, to) as they are, compressed.
func (p *inPlace) copyEntries(from, to int) error {
	for _, zf := range p.pkg.Zip.File[from:to] {
		if p.ctype != nil && strings.EqualFold(zf.Name, "[Content_Types].xml") {
			w, err := p.zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate, Modified: zf.Modified})
			if err == nil {
				_, err = w.Write(p.ctype)
			}
			if err != nil {
				return libraryError("xlsx", err)
			}
			continue
		}
		if err := copyRaw(p.zw, zf, p.opts.Source.Path); err != nil {
			return err
		}
	}
	return nil
}

// copyRaw copies one zip entry of the package at src as it is,
// compressed bytes and header.
func copyRaw(zw *zip.Writer, zf *zip.File, src string) error {
	r, err := zf.OpenRaw()
	if err != nil {
		return fmt.Errorf("%s: %s: %w", src, zf.Name, err)
	}
	fh := zf.FileHeader
	w, err := zw.CreateRaw(&fh)
	if err == nil {
		_, err = io.Copy(w, r)
	}
	if err != nil {
		return libraryError("xlsx", err)
	}
	return nil
}

// Content types of the workbook part, by the extension Excel gives them.
var workbookTypes = map[string]string{
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
	".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
	".xltx": "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
	".xltm": "application/vnd.ms-excel.template.macroEnabled.main+xml",
	".xlam": "application/vnd.ms-excel.addin.macroEnabled.main+xml",
}

// contentTypes returns [Content_Types].xml with the workbook's content
// type set for OUTPUT's extension, as Excel's Save As does, or nil when it
// is right already (or OUTPUT has no such extension): Excel refuses a
// .xlsx whose workbook says it holds macros.
func (p *inPlace) contentTypes(path string) ([]byte, error) {
	want, ok := workbookTypes[strings.ToLower(filepath.Ext(path))]
	if !ok {
		return nil, nil
	}
	rc, err := p.pkg.OpenPart("[Content_Types].xml")
	if err != nil {
		return nil, nil // Excel itself would refuse the input; nothing to fix
	}
	defer rc.Close()
	doc, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: [Content_Types].xml: %w", p.opts.Source.Path, err)
	}
	sc := ooxml.NewScanner(bytes.NewReader(doc))
	for sc.Next() == nil {
		if sc.Kind() != ooxml.EmptyTag && sc.Kind() != ooxml.StartTag || string(sc.Local()) != "Override" {
			continue
		}
		name, _ := sc.Attr("PartName")
		if !strings.EqualFold(strings.TrimPrefix(string(name), "/"), p.pkg.Workbook) {
			continue
		}
		have, _ := sc.Attr("ContentType")
		if string(have) == want {
			return nil, nil
		}
		at := int(sc.Offset())
		raw := sc.Raw()
		out := append([]byte{}, doc[:at]...)
		out = append(out, ooxml.SetAttr(raw, "ContentType", want)...)
		return append(out, doc[at+len(raw):]...), nil
	}
	return nil, nil
}

// located places an error from the sheet's XML in the input's terms.
func (p *inPlace) located(row int, err error) error {
	if row > 0 {
		return fmt.Errorf("%s: sheet %q, row %d: %w", p.opts.Source.Path, p.sheet.Name, row, err)
	}
	return fmt.Errorf("%s: sheet %q: %w", p.opts.Source.Path, p.sheet.Name, err)
}

func (p *inPlace) encode(rec Record) error {
	num := rec.Row.Num
	hr := p.opts.Source.HeaderRow
	switch {
	case num <= hr || num > ooxml.MaxRows:
		return fmt.Errorf("row %d: not a data row of sheet %q, whose header is row %d", num, p.sheet.Name, hr)
	case num <= p.written:
		return fmt.Errorf("row %d: written after row %d; rows must come in the sheet's order", num, p.written)
	}
	for i, v := range rec.Values {
		if err := checkCell(p.opts.rowName(num), p.opts.Added[i], v); err != nil {
			return err
		}
	}
	p.written = num
	if err := p.advance(num, rec.Values, rec.Kinds); err != nil {
		return err
	}
	return p.werr
}

func (p *inPlace) finish() error {
	err := p.advance(0, nil, nil)
	if err == nil && !p.header {
		err = p.located(0, fmt.Errorf("header row %d is not in the sheet", p.opts.Source.HeaderRow))
	}
	if err == nil {
		err = p.w.Flush()
	}
	if err == nil {
		err = p.copyEntries(p.entry+1, len(p.pkg.Zip.File))
	}
	if err == nil {
		err = p.zw.Close()
	}
	if err != nil {
		err = libraryError("xlsx", err)
	}
	return errors.Join(err, p.discard())
}

func (p *inPlace) discard() error {
	var errs []error
	if p.rc != nil {
		errs = append(errs, p.rc.Close())
		p.rc = nil
	}
	if p.pkg != nil {
		errs = append(errs, p.pkg.Close())
		p.pkg = nil
	}
	return errors.Join(errs...)
}

// columnName returns the letters of column n (1-based); n is in range.
func columnName(n int) string { return ooxml.ColumnName(n) }

// abbreviate shortens s for an error message.
func abbreviate(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}
