package pipeline

import (
	"strconv"
	"strings"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

// layout is the one owner of the added columns: their names, and where
// each value goes in a record. Every record a run writes is built here.
//
//	answer values (1, or one per schema property) │ error │ tokens in, out (with Usage)
type layout struct {
	names   []string
	answers int  // answer columns: 1, or the schema's properties
	usage   bool // two usage columns after the error
	typed   bool // records carry kinds: only schemas and usage columns make non-text values
}

func newLayout(o Options) layout {
	l := layout{usage: o.Columns.Usage, typed: o.Prompt.Schema != nil || o.Columns.Usage}
	if s := o.Prompt.Schema; s != nil {
		for _, p := range s.Columns() {
			l.names = append(l.names, o.Columns.Prefix+p)
		}
	} else {
		l.names = append(l.names, o.Columns.Name)
	}
	l.answers = len(l.names)
	l.names = append(l.names, o.Columns.Error)
	if l.usage {
		l.names = append(l.names, suffixed(o.Columns.Name, "tokens_in"), suffixed(o.Columns.Name, "tokens_out"))
	}
	return l
}

// errAt is the error column's index among the added values.
func (l layout) errAt() int { return l.answers }

// record lays out one row's added values: vals (nil for none) fill the
// answer columns, errMsg the error column, u the usage columns.
func (l layout) record(row table.Row, vals []string, kinds []table.Kind, errMsg string, u llm.Usage) writers.Record {
	values := make([]string, len(l.names))
	copy(values, vals)
	values[l.errAt()] = errMsg
	var ks []table.Kind
	if l.typed {
		ks = make([]table.Kind, len(l.names))
		copy(ks, kinds)
		ks[l.errAt()] = table.Text
	}
	if l.usage && u.PromptTokens+u.CompletionTokens > 0 {
		values[l.answers+1], values[l.answers+2] = strconv.Itoa(u.PromptTokens), strconv.Itoa(u.CompletionTokens)
	}
	if l.usage {
		ks[l.answers+1], ks[l.answers+2] = table.Number, table.Number
	}
	return writers.Record{Row: row, Values: values, Kinds: ks}
}

// suffixed names a column derived from col: "response_error", or
// "ai_error" for a prefix like "ai_" that already ends in a separator.
func suffixed(col, suffix string) string {
	if strings.HasSuffix(col, "_") || strings.HasSuffix(col, "-") {
		return col + suffix
	}
	return col + "_" + suffix
}
