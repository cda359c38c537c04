package pipeline

import (
	"encoding/json"

	"github.com/enrich-dev/enrich/table"
)

// Kinds declares the type of each column of Columns, for writers that
// type a column before any value arrives (Parquet, SQLite): an answer
// column is table.Text, a schema property's column follows its "type"
// ("integer" is table.Integer, "number" table.Number, "boolean"
// table.Bool, "object" and "array" table.JSON, anything else, unions and
// nullable types included, table.Text), the error column is table.Text and
// the usage columns are table.Integer.
func (p *Pipeline) Kinds() []table.Kind {
	l := p.layout
	kinds := make([]table.Kind, len(l.names))
	if s := p.opts.Prompt.Schema; s != nil {
		declared := s.declaredKinds()
		copy(kinds, declared)
	}
	if l.usage {
		kinds[l.answers+1], kinds[l.answers+2] = table.Integer, table.Integer
	}
	return kinds
}

// ErrorColumn is the name of the error column among Columns.
func (p *Pipeline) ErrorColumn() string { return p.layout.names[p.layout.errAt()] }

// declaredKinds reads each property's "type" from the schema document.
func (s *Schema) declaredKinds() []table.Kind {
	var doc struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
	}
	kinds := make([]table.Kind, len(s.props))
	if json.Unmarshal(s.req.JSON, &doc) != nil {
		return kinds
	}
	for i, p := range s.props {
		t, _ := doc.Properties[p.name].Type.(string)
		switch t {
		case "integer":
			kinds[i] = table.Integer
		case "number":
			kinds[i] = table.Number
		case "boolean":
			kinds[i] = table.Bool
		case "object", "array":
			kinds[i] = table.JSON
		}
	}
	return kinds
}
