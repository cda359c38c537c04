package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

// What the command adds for the ETL formats: a SQLite table read with
// --table or --query and, without -o, enriched in place; Parquet output
// compressed as --compression says.

// inputFormat is the format INPUT is read as, or "" when its name says
// none (openInput reports that).
func (c *config) inputFormat() table.Format {
	f, _ := table.FormatOf(c.input, table.Format(c.format))
	return f
}

// inPlace reports whether answers go back into the SQLite table the rows
// come from: a SQLite input and no -o.
func (c *config) inPlace() bool {
	return c.output == "" && c.inputFormat() == table.SQLite
}

// validateTables checks the flags of the ETL formats against INPUT and
// OUTPUT.
func (c *config) validateTables() error {
	sqliteIn := c.inputFormat() == table.SQLite
	switch {
	case !sqliteIn && (c.table != "" || c.query != ""):
		return usagef("--table and --query apply to a SQLite input (.db, .sqlite, .sqlite3)")
	case sqliteIn && c.table == "" && c.query == "":
		return usagef("name the table to read with --table NAME (or give --query 'SELECT …')")
	case c.fillExisting && !c.inPlace():
		return usagef("--fill-existing applies when answers go back into a SQLite table (a .db input without -o)")
	case c.inPlace() && c.query != "" && c.table == "":
		return usagef("--query without -o writes the answers back, so it needs --table to say into which table")
	}
	switch c.compression {
	case "", "zstd", "snappy":
	default:
		return usagef("--compression must be zstd or snappy, got %q", c.compression)
	}
	if c.compression != "" && c.output != "" {
		if f, err := table.FormatOf(c.output, table.Format(c.format)); err == nil && f != table.Parquet {
			return usagef("--compression applies to Parquet output, and %s is written as %s", c.output, f)
		}
	}
	return nil
}

// sourceName names the input in messages: the file, and its table.
func (c *config) sourceName() string {
	if c.inputFormat() == table.SQLite && c.table != "" {
		return fmt.Sprintf("%s, table %q", c.input, c.table)
	}
	return displayName(c.input)
}

// sqliteOptions says what to read from a SQLite input. For a run in
// place, the columns the run adds are left out of the rows (a run does not
// read back its own columns, and a template cannot name them), and unless
// --fresh, rows that an earlier run answered (their error column holds "")
// are skipped, so that a rerun resumes where the last one stopped.
func (c *config) sqliteOptions(ctx context.Context) (readers.SQLiteOptions, error) {
	o := readers.SQLiteOptions{Table: c.table, Query: c.query, NeedKey: c.inPlace()}
	if !c.inPlace() {
		return o, nil
	}
	p, err := c.columnsOnly(ctx)
	if err != nil {
		return o, err
	}
	o.Omit = p.Columns()
	if !c.fresh {
		o.Pending = p.ErrorColumn()
	}
	return o, nil
}

// columnsOnly is a pipeline made from the flags alone, to name the
// columns a run adds before the input is open: they depend on no row.
func (c *config) columnsOnly(ctx context.Context) (*pipeline.Pipeline, error) {
	opts := c.pipelineOptions(nil, "")
	opts.Prompt.Template = noPrompt{}
	schema, err := c.schema(ctx)
	if err != nil {
		return nil, err
	}
	opts.Prompt.Schema = schema
	if schema != nil && c.columnSet {
		opts.Columns.Prefix = c.column
	}
	return pipeline.New(llm.Mock{}, opts)
}

type noPrompt struct{}

func (noPrompt) Render([]string) (string, error) { return "", nil }

// inPlaceWriter writes the answers back into the table.
func (c *config) inPlaceWriter(r readers.Reader, p *pipeline.Pipeline) (writers.Writer, error) {
	return writers.UpdateSQLite(writers.Options{
		Header: r.Header(),
		Added:  p.Columns(),
		Kinds:  p.Kinds(),
		Source: r.Source(),
	}, writers.SQLiteUpdate{ErrorColumn: p.ErrorColumn(), FillExisting: c.fillExisting})
}

// journalOutput is what the journal is named after: OUTPUT, or for a run
// in place the database and its table.
func (c *config) journalOutput() string {
	if c.inPlace() {
		return c.input + "#" + c.table
	}
	return c.output
}

// interruptedNote says what an interrupted run left.
func (c *config) interruptedNote() string {
	if c.inPlace() {
		return fmt.Sprintf("the rows committed so far are kept in table %q", c.table)
	}
	return "no OUTPUT was written"
}

// tableAdvice words the errors of the ETL formats.
func tableAdvice(err error) (line, hint string, ok bool) {
	line = err.Error()
	var column *writers.ColumnError
	switch {
	case errors.As(err, &column) && column.Table != "":
		return line, "pass --fill-existing to write into it, or choose another name with -c/--column", true
	case errors.Is(err, readers.ErrNoTable):
		return line, "name one of them with --table", true
	case errors.Is(err, readers.ErrNoRowid):
		return line, "for --query, select the rowid (SELECT rowid, … FROM TABLE); or write the rows elsewhere with -o", true
	case errors.Is(err, readers.ErrNotParquet), errors.Is(err, readers.ErrNotDatabase):
		return line, "", true
	case errors.Is(err, readers.ErrUnsupportedType):
		return line, "leave the column out upstream (SELECT the other columns into a new file), or cast it to text", true
	}
	return "", "", false
}
