package readers

import (
	"context"
	"errors"

	"unicode/utf16"

	"github.com/enrich-dev/enrich/table"
)

// ErrCellTooLong: a cell longer than the output can hold (an Excel cell
// holds 32,767 characters). It arrives in a *ParseError from a reader
// made by LimitCells.
var ErrCellTooLong = errors.New("cell too long for the output")

// LimitCells returns r with every cell checked against max characters,
// counted in UTF-16 units as Excel counts them: a longer cell is a
// *ParseError wrapping ErrCellTooLong, located at its row and column. It
// is for output that cannot hold such a cell, so that the first pass
// over a file refuses it before any request is paid for, rather than the
// writer after every row has been. The result rewinds when r does, and
// Close closes r.
func LimitCells(r Reader, max int) Reader {
	l := &limitCells{Reader: r, max: max}
	if rw, ok := r.(Rewinder); ok {
		return &limitCellsRewinder{limitCells: l, rw: rw}
	}
	return l
}

type limitCells struct {
	Reader
	max int
}

type limitCellsRewinder struct {
	*limitCells
	rw Rewinder
}

func (l *limitCellsRewinder) Rewind() error { return l.rw.Rewind() }

func (l *limitCells) Next(ctx context.Context) (table.Row, error) {
	row, err := l.Reader.Next(ctx)
	if err != nil {
		return row, err
	}
	for i, c := range row.Cells {
		if len(c) <= l.max {
			continue // never more UTF-16 units than bytes
		}
		if n := utf16Len(c); n > l.max {
			return table.Row{}, l.tooLong(row.Num, i, n)
		}
	}
	return row, nil
}

func (l *limitCells) tooLong(num, col, n int) error {
	header := l.Header()
	name := ""
	if col < len(header) {
		name = header[col]
	}
	src := l.Source()
	file := displayName(src.Path)
	if src.Path == "" {
		file = stdinName
	}
	pe := &ParseError{File: file, Line: num, Err: detailf(ErrCellTooLong,
		"column %d (%q) holds %d characters, more than the %d an Excel cell holds", col+1, name, n, l.max)}
	if src.Format == table.XLSX {
		pe.Sheet, pe.Column = src.Sheet, col+1
		pe.Err = detailf(ErrCellTooLong, "%d characters, more than the %d an Excel cell holds", n, l.max)
	}
	return pe
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}
