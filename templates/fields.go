package templates

import (
	"text/template"
	"text/template/parse"
)

// fields lists the column names a template reads from the row: .name and
// $.name anywhere the dot is still the row, and index . "name" with a
// constant name. Inside range and with the dot is something else, so only
// $-rooted references are checked there. Names reached through variables
// or computed keys can't be known before running; missingkey=error covers
// those at render time.
func fields(t *template.Template) []string {
	w := &walker{seen: map[string]bool{}}
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			// A {{define}}d template may be called with any dot, so its
			// plain fields are unknown; check only its $ references.
			w.walk(tt.Tree.Root, tt.Name() == t.Name())
		}
	}
	return w.names
}

type walker struct {
	seen  map[string]bool
	names []string
}

func (w *walker) add(name string) {
	if !w.seen[name] {
		w.seen[name] = true
		w.names = append(w.names, name)
	}
}

func (w *walker) walk(n parse.Node, dotIsRow bool) {
	switch n := n.(type) {
	case nil:
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			w.walk(c, dotIsRow)
		}
	case *parse.ActionNode:
		w.walk(n.Pipe, dotIsRow)
	case *parse.IfNode:
		w.branch(&n.BranchNode, dotIsRow, dotIsRow)
	case *parse.RangeNode:
		w.branch(&n.BranchNode, dotIsRow, false)
	case *parse.WithNode:
		w.branch(&n.BranchNode, dotIsRow, false)
	case *parse.TemplateNode:
		w.walk(n.Pipe, dotIsRow)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			w.command(c, dotIsRow)
		}
	case *parse.FieldNode:
		if dotIsRow && len(n.Ident) > 0 {
			w.add(n.Ident[0])
		}
	case *parse.VariableNode:
		if len(n.Ident) > 1 && n.Ident[0] == "$" {
			w.add(n.Ident[1])
		}
	case *parse.ChainNode:
		w.walk(n.Node, dotIsRow)
	}
}

func (w *walker) branch(b *parse.BranchNode, dotIsRow, bodyDotIsRow bool) {
	w.walk(b.Pipe, dotIsRow)
	w.walk(b.List, bodyDotIsRow)
	w.walk(b.ElseList, dotIsRow)
}

func (w *walker) command(c *parse.CommandNode, dotIsRow bool) {
	// index . "Name" / index $ "Name": the one lookup of a column whose
	// name is not an identifier (spaces, punctuation).
	if len(c.Args) >= 3 {
		if id, ok := c.Args[0].(*parse.IdentifierNode); ok && id.Ident == "index" {
			if isRow(c.Args[1], dotIsRow) {
				if s, ok := c.Args[2].(*parse.StringNode); ok {
					w.add(s.Text)
				}
			}
		}
	}
	for _, a := range c.Args {
		w.walk(a, dotIsRow)
	}
}

func isRow(n parse.Node, dotIsRow bool) bool {
	switch n := n.(type) {
	case *parse.DotNode:
		return dotIsRow
	case *parse.VariableNode:
		return len(n.Ident) == 1 && n.Ident[0] == "$"
	}
	return false
}
