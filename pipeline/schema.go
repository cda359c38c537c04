package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
)

// Schema turns structured answers into columns: one per top-level property
// of a JSON Schema, in the order the schema lists them. Answers are parsed
// and validated before they count; values keep their type (numbers and
// booleans as such, objects and arrays as JSON text).
type Schema struct {
	req   *llm.Schema
	props []property
	check *jsonschema.Schema
}

type property struct{ name string }

// ParseSchema reads a JSON Schema document whose top level is an object
// with properties, of at most MaxSchemaBytes. source names it in messages. Strict output (OpenAI's
// strict mode, which enforces the schema while generating) is asked for
// when the schema already meets its rules (see strictReady).
func ParseSchema(doc []byte, source string) (*Schema, error) {
	if len(doc) > MaxSchemaBytes {
		return nil, fmt.Errorf("%s: the schema is larger than %d MiB, the most one may be", source, MaxSchemaBytes>>20)
	}
	var top struct {
		Type       any             `json:"type"`
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, fmt.Errorf("%s: not a JSON Schema: %w", source, err)
	}
	if top.Type != "object" {
		return nil, fmt.Errorf(`%s: the schema's top level must be {"type": "object", "properties": {…}}; its properties become the new columns`, source)
	}
	props, err := orderedProperties(top.Properties)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if len(props) == 0 {
		return nil, fmt.Errorf("%s: the schema has no properties, so there would be no column to fill", source)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	parsed, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if err := c.AddResource("schema.json", parsed); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	check, err := c.Compile("schema.json")
	if err != nil {
		return nil, fmt.Errorf("%s: invalid JSON Schema: %w", source, err)
	}
	var tree any
	if err := json.Unmarshal(doc, &tree); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	strict := strictReady(tree)
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return &Schema{
		req:   &llm.Schema{Name: "row", JSON: compact.Bytes(), Strict: strict},
		props: props,
		check: check,
	}, nil
}

// strictReady reports whether a schema meets OpenAI strict mode's rules
// for every object in it, nested ones included: all properties required
// and additionalProperties false. Asking for strict mode with a schema
// that doesn't would get every request refused.
func strictReady(node any) bool {
	m, ok := node.(map[string]any)
	if !ok {
		return true
	}
	if props, ok := m["properties"].(map[string]any); ok {
		if m["additionalProperties"] != false {
			return false
		}
		req, _ := m["required"].([]any)
		if len(req) != len(props) {
			return false
		}
		for _, p := range props {
			if !strictReady(p) {
				return false
			}
		}
	}
	for _, k := range []string{"items", "anyOf", "oneOf", "allOf", "$defs", "definitions"} {
		switch v := m[k].(type) {
		case map[string]any:
			if k == "$defs" || k == "definitions" {
				for _, d := range v {
					if !strictReady(d) {
						return false
					}
				}
			} else if !strictReady(v) {
				return false
			}
		case []any:
			for _, d := range v {
				if !strictReady(d) {
					return false
				}
			}
		}
	}
	return true
}

// orderedProperties lists an object's keys in document order, which a Go
// map would lose, with each property's column kind.
func orderedProperties(raw json.RawMessage) ([]property, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var byName map[string]json.RawMessage
	if err := json.Unmarshal(raw, &byName); err != nil {
		return nil, errors.New(`"properties" must be an object`)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var props []property
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name := tok.(string)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
		props = append(props, property{name: name})
	}
	return props, nil
}

var fieldRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_ -]*?)\s*(?::\s*(string|integer|number|boolean))?$`)

// FieldsSchema builds a schema from a shorthand of fields: names separated
// by commas, each optionally typed, e.g. "category, urgency:integer,
// summary". Untyped fields are strings; every field is required.
func FieldsSchema(spec string) (*Schema, error) {
	props := map[string]any{}
	var order, required []string
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		m := fieldRE.FindStringSubmatch(f)
		if m == nil {
			return nil, fmt.Errorf(`%q is not NAME or NAME:TYPE (TYPE: string, integer, number or boolean)`, f)
		}
		name, typ := strings.TrimSpace(m[1]), m[2]
		if typ == "" {
			typ = "string"
		}
		if _, dup := props[name]; dup {
			return nil, fmt.Errorf("%q is listed twice", name)
		}
		props[name] = map[string]string{"type": typ}
		order = append(order, name)
		required = append(required, name)
	}
	// Write properties in the order given: a map would sort them.
	var b strings.Builder
	b.WriteString(`{"type":"object","properties":{`)
	for i, name := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		v, _ := json.Marshal(props[name])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	req, _ := json.Marshal(required)
	fmt.Fprintf(&b, `},"required":%s,"additionalProperties":false}`, req)
	return ParseSchema([]byte(b.String()), "fields")
}

// Columns names the columns the schema fills, in order.
func (s *Schema) Columns() []string {
	names := make([]string, len(s.props))
	for i, p := range s.props {
		names[i] = p.name
	}
	return names
}

// request is what is sent to the provider; nil without a schema.
func (s *Schema) request() *llm.Schema {
	if s == nil {
		return nil
	}
	return s.req
}

// values parses and validates an answer and returns one value per column,
// with its kind.
func (s *Schema) values(text string) ([]string, []table.Kind, error) {
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, nil, fmt.Errorf("the answer is not JSON: %v", err)
	}
	if err := s.check.Validate(inst); err != nil {
		return nil, nil, fmt.Errorf("the answer does not match the schema: %s", oneLine(err))
	}
	obj, ok := inst.(map[string]any)
	if !ok {
		return nil, nil, errors.New("the answer is not a JSON object")
	}
	values := make([]string, len(s.props))
	kinds := make([]table.Kind, len(s.props))
	for i, p := range s.props {
		v, ok := obj[p.name]
		if !ok || v == nil {
			continue
		}
		switch v := v.(type) {
		case string:
			values[i], kinds[i] = v, table.Text
		case json.Number:
			values[i], kinds[i] = v.String(), table.Number
		case bool:
			values[i], kinds[i] = fmt.Sprint(v), table.Bool
		default:
			b, _ := json.Marshal(v)
			values[i], kinds[i] = string(b), table.JSON
		}
	}
	return values, kinds, nil
}

func oneLine(err error) string {
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		// The deepest first cause says what is wrong and where.
		for len(ve.Causes) > 0 {
			ve = ve.Causes[0]
		}
		loc := "/" + strings.Join(ve.InstanceLocation, "/")
		return fmt.Sprintf("at %s: %s", loc, ve.ErrorKind.LocalizedString(message.NewPrinter(language.English)))
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
