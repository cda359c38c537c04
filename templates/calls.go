package templates

import (
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"
)

// checkCalls refuses a template that calls one that is not defined, which
// would fail on every row, and one that calls itself, directly or through
// others. text/template lets recursion go 100,000 calls deep, which takes
// tens of megabytes of stack per worker before it fails, on every row;
// with no recursion, calls nest at most as deep as there are templates.
// A row is a flat map of strings, so there is nothing to recurse over
// that range cannot walk.
func checkCalls(t *template.Template) error {
	calls := map[string][]string{}
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			calls[tt.Name()] = called(tt.Tree.Root, nil)
		}
	}
	for _, names := range calls {
		for _, n := range names {
			if _, ok := calls[n]; !ok {
				return fmt.Errorf("template %q is called but not defined", n)
			}
		}
	}
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(name string) error
	visit = func(name string) error {
		switch state[name] {
		case onPath:
			i := len(path) - 1
			for path[i] != name {
				i--
			}
			return fmt.Errorf("template %q calls itself (%s): templates may not be recursive", name,
				strings.Join(append(quoted(path[i:]), fmt.Sprintf("%q", name)), " → "))
		case done:
			return nil
		}
		state[name] = onPath
		path = append(path, name)
		for _, n := range calls[name] {
			if err := visit(n); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[name] = done
		return nil
	}
	return visit(t.Name())
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}

// called appends the names of the templates n calls ({{template "x"}},
// {{block "x"}}).
func called(n parse.Node, names []string) []string {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return names
		}
		for _, c := range n.Nodes {
			names = called(c, names)
		}
	case *parse.TemplateNode:
		names = append(names, n.Name)
	case *parse.IfNode:
		names = called(n.List, names)
		names = called(n.ElseList, names)
	case *parse.RangeNode:
		names = called(n.List, names)
		names = called(n.ElseList, names)
	case *parse.WithNode:
		names = called(n.List, names)
		names = called(n.ElseList, names)
	}
	return names
}
