package writers

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/enrich-dev/enrich/internal/ooxml"
)

// JoinOptions says how JoinXLSX puts one workbook together from the
// parts that shards of one run wrote.
type JoinOptions struct {
	// Parts are the parts' paths. Everything but the sheet's rows comes
	// from Parts[0], so the parts must be of one job.
	Parts []string
	// Whole says each part is a copy of the input workbook with only its
	// own rows answered (see InPlace). Positions are then row numbers of
	// the sheet named Sheet ("" for the first worksheet), and the rows no
	// part holds come from Parts[0] as the input has them. Otherwise each
	// part is a new workbook holding its rows in order, and positions
	// count the joined sheet's rows after the header from 0.
	Whole bool
	Sheet string
	// Next returns the joined sheet's next row: its position and the
	// index in Parts of the part holding it, positions rising; io.EOF
	// after the last.
	Next func() (pos int64, part int, err error)
}

// newSheetPart is the part name of a new workbook's one sheet.
const newSheetPart = "xl/worksheets/sheet1.xml"

// JoinXLSX writes to w the workbook that one run without shards writes:
// Parts[0]'s zip entries copied as they are, but for the sheet, whose rows
// are each taken from the part that holds them. Memory holds a row per
// part, whatever the sheet's size.
func JoinXLSX(w io.Writer, o JoinOptions) (err error) {
	if len(o.Parts) == 0 {
		return errors.New("no parts to join")
	}
	j := &joiner{opts: o}
	defer func() { err = errors.Join(err, j.close()) }()
	// The base sheet is read apart from Parts[0]'s rows, which a
	// new-workbook join takes at its end.
	for _, path := range append([]string{o.Parts[0]}, o.Parts...) {
		pkg, err := ooxml.Open(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		j.srcs = append(j.srcs, &rowSource{path: path, pkg: pkg})
	}
	base := j.srcs[0]
	j.base, j.srcs = base, j.srcs[1:]
	part := newSheetPart
	if o.Whole {
		s, ok := base.pkg.Sheet(o.Sheet)
		if !ok || !s.Worksheet {
			return fmt.Errorf("%s: no worksheet %q", base.path, o.Sheet)
		}
		part = s.Part
	}
	sheet := base.pkg.File(part)
	if sheet == nil {
		return fmt.Errorf("%s: %w: %s", base.path, ooxml.ErrMissingPart, part)
	}
	for _, s := range append([]*rowSource{base}, j.srcs...) {
		if err := s.open(part); err != nil {
			return err
		}
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, sheetEntryLevel)
	})
	for _, zf := range base.pkg.Zip.File {
		if zf != sheet {
			if err := copyRaw(zw, zf, base.path); err != nil {
				return err
			}
			continue
		}
		// As the writers create it: a new workbook's entries carry no
		// time, an in-place sheet the input's.
		fh := &zip.FileHeader{Name: zf.Name, Method: zip.Deflate}
		if zf.ModifiedDate != 0 || zf.ModifiedTime != 0 {
			fh.Modified = zf.Modified
		}
		ew, err := zw.CreateHeader(fh)
		if err != nil {
			return libraryError("xlsx", err)
		}
		j.w = bufio.NewWriterSize(ew, 256<<10)
		if err := j.sheet(); err != nil {
			return err
		}
		if err := j.w.Flush(); err != nil {
			return libraryError("xlsx", err)
		}
	}
	if err := zw.Close(); err != nil {
		return libraryError("xlsx", err)
	}
	return nil
}

// joiner copies Parts[0]'s sheet, taking each row from its part.
type joiner struct {
	opts    JoinOptions
	base    *rowSource   // Parts[0]'s sheet, copied
	srcs    []*rowSource // each part's rows
	w       *bufio.Writer
	pos     int64 // the next row's position, when have
	part    int   // and its part
	have    bool
	done    bool // Next said io.EOF
	written int  // data rows written by a new-workbook join
}

// peek loads the next row's position and part.
func (j *joiner) peek() error {
	if j.have || j.done {
		return nil
	}
	pos, part, err := j.opts.Next()
	switch {
	case errors.Is(err, io.EOF):
		j.done = true
		return nil
	case err != nil:
		return err
	case part < 0 || part >= len(j.srcs):
		return fmt.Errorf("row %d: no part %d", pos, part)
	}
	j.pos, j.part, j.have = pos, part, true
	return nil
}

// sheet copies the base part's sheet XML to j.w token by token.
func (j *joiner) sheet() error {
	base := j.base
	sc := base.sc
	inData := false
	for {
		err := sc.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return base.located(err)
		}
		k := sc.Kind()
		switch {
		case (k == ooxml.StartTag || k == ooxml.EmptyTag) && sc.Depth() == 2 && string(sc.Local()) == "sheetData":
			inData = k == ooxml.StartTag
			if !inData {
				if err := j.rest(); err != nil {
					return err
				}
			}
		case inData && k == ooxml.EndTag && sc.Depth() == 2:
			inData = false
			if err := j.rest(); err != nil {
				return err
			}
		case inData && (k == ooxml.StartTag || k == ooxml.EmptyTag) && sc.Depth() == 3 && string(sc.Local()) == "row":
			if err := j.row(); err != nil {
				return err
			}
			continue
		}
		j.write(sc.Raw())
	}
}

// row handles the base sheet's current <row>: copied, or skipped for the
// part that holds it.
func (j *joiner) row() error {
	base := j.base
	num := base.number()
	if !j.opts.Whole && num > 1 {
		return base.sc.SkipElement() // its rows come in order at the end
	}
	if !j.opts.Whole {
		return base.copyElement(j.w)
	}
	if err := j.peek(); err != nil {
		return err
	}
	switch {
	case j.have && j.pos < int64(num):
		return fmt.Errorf("%s: holds row %d, which the sheet does not have", j.srcs[j.part].path, j.pos)
	case !j.have || j.pos > int64(num) || j.part == 0:
		j.have = j.have && j.pos != int64(num)
		return base.copyElement(j.w)
	}
	owner := j.srcs[j.part]
	j.have = false
	if err := base.sc.SkipElement(); err != nil {
		return base.located(err)
	}
	for {
		n, elem, err := owner.next(0)
		if err != nil {
			return err
		}
		if n == num {
			j.write(elem)
			return nil
		}
		if n > num {
			return fmt.Errorf("%s: row %d is not in the part's sheet", owner.path, num)
		}
	}
}

// rest writes, at the end of the base sheet's rows, those that still
// belong there: every data row of a new-workbook join, renumbered.
func (j *joiner) rest() error {
	for {
		if err := j.peek(); err != nil {
			return err
		}
		if !j.have {
			return nil
		}
		if j.opts.Whole {
			return fmt.Errorf("%s: holds row %d, which the sheet does not have", j.srcs[j.part].path, j.pos)
		}
		j.have = false
		if j.pos != int64(j.written) {
			return fmt.Errorf("row %d of the joined sheet is in no part", j.written+1)
		}
		num := j.written + 2 // after the header, row 1
		if num > ooxml.MaxRows {
			return fmt.Errorf("the joined sheet would have more than Excel's %d rows", ooxml.MaxRows)
		}
		src := j.srcs[j.part]
		if src.prev == 0 { // its header row first
			if _, _, err := src.next(0); err != nil {
				return err
			}
		}
		_, elem, err := src.next(num)
		if err != nil {
			return err
		}
		j.write(elem)
		j.written++
	}
}

func (j *joiner) write(b []byte) { j.w.Write(b) } // a failed write sticks in j.w: Flush returns it

func (j *joiner) close() error {
	var errs []error
	for _, s := range append([]*rowSource{j.base}, j.srcs...) {
		if s != nil {
			errs = append(errs, s.close())
		}
	}
	return errors.Join(errs...)
}

// rowSource reads one part's sheet a row at a time.
type rowSource struct {
	path string
	pkg  *ooxml.Package
	rc   io.ReadCloser
	sc   *ooxml.Scanner
	prev int // the last row met
	buf  []byte
}

func (s *rowSource) open(part string) error {
	rc, err := s.pkg.OpenPart(part)
	if err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	s.rc, s.sc = rc, ooxml.NewScanner(rc)
	return nil
}

func (s *rowSource) close() error {
	var errs []error
	if s.rc != nil {
		errs = append(errs, s.rc.Close())
	}
	return errors.Join(append(errs, s.pkg.Close())...)
}

func (s *rowSource) located(err error) error {
	if s.prev > 0 {
		return fmt.Errorf("%s: after row %d: %w", s.path, s.prev, err)
	}
	return fmt.Errorf("%s: %w", s.path, err)
}

// number returns the current <row>'s number: its r, or the one after the
// last row's when it has none, as Excel reads it.
func (s *rowSource) number() int {
	num := s.prev + 1
	if r, ok := s.sc.Attr("r"); ok {
		num, _ = ooxml.ParseRowNumber(r)
	}
	s.prev = num
	return num
}

// copyElement copies the current element through its end tag.
func (s *rowSource) copyElement(w io.Writer) error {
	w.Write(s.sc.Raw())
	if s.sc.Kind() == ooxml.EmptyTag {
		return nil
	}
	depth := s.sc.Depth()
	for {
		if err := s.sc.Next(); err != nil {
			return s.located(err)
		}
		w.Write(s.sc.Raw())
		if s.sc.Kind() == ooxml.EndTag && s.sc.Depth() == depth {
			return nil
		}
	}
}

// next returns the sheet's next <row> element and its number; with
// renumber over 0, the row and its cells' references are moved to that
// row. The bytes are valid until the next call.
func (s *rowSource) next(renumber int) (int, []byte, error) {
	sc := s.sc
	for {
		if err := sc.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return 0, nil, s.located(errors.New("the sheet has fewer rows than the part's shard record says"))
			}
			return 0, nil, s.located(err)
		}
		k := sc.Kind()
		if (k == ooxml.StartTag || k == ooxml.EmptyTag) && sc.Depth() == 3 && string(sc.Local()) == "row" {
			break
		}
	}
	num := s.number()
	s.buf = s.buf[:0]
	at := strconv.Itoa(renumber)
	tag := func() []byte {
		raw := sc.Raw()
		if renumber == 0 {
			return raw
		}
		switch {
		case sc.Depth() == 3:
			return ooxml.SetAttr(raw, "r", at)
		case sc.Depth() == 4 && string(sc.Local()) == "c":
			if ref, ok := sc.Attr("r"); ok {
				col, _ := ooxml.ParseCell(ref)
				return ooxml.SetAttr(raw, "r", ooxml.CellName(col, renumber))
			}
		}
		return raw
	}
	s.buf = append(s.buf, tag()...)
	if sc.Kind() == ooxml.EmptyTag {
		return num, s.buf, nil
	}
	for {
		if err := sc.Next(); err != nil {
			return 0, nil, s.located(err)
		}
		if k := sc.Kind(); k == ooxml.StartTag || k == ooxml.EmptyTag {
			s.buf = append(s.buf, tag()...)
		} else {
			s.buf = append(s.buf, sc.Raw()...)
		}
		if sc.Kind() == ooxml.EndTag && sc.Depth() == 3 {
			return num, s.buf, nil
		}
	}
}
