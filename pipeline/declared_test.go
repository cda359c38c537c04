package pipeline

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
)

func TestKinds(t *testing.T) {
	s, err := ParseSchema([]byte(`{"type":"object","properties":{"cat":{"type":"string"},"n":{"type":"integer"},"x":{"type":"number"},"ok":{"type":"boolean"},"tags":{"type":"array"},"maybe":{"type":["integer","null"]}}}`), "s.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(&llm.Mock{}, Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}"), Schema: s}, Columns: Columns{Usage: true}})
	if err != nil {
		t.Fatal(err)
	}
	want := []table.Kind{table.Text, table.Integer, table.Number, table.Bool, table.JSON, table.Text, table.Text, table.Integer, table.Integer}
	if got := p.Kinds(); !cmp.Equal(got, want) {
		t.Errorf("Kinds() = %v for %q, want %v", got, p.Columns(), want)
	}
	if got := p.ErrorColumn(); got != "response_error" {
		t.Errorf("ErrorColumn() = %q", got)
	}
}
