package aws

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// dumpSchemas is run by python3 to print cfn-lint's provider schemas of the
// types named on its command line, as one JSON object keyed by type name.
const dumpSchemas = `
import json, sys
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m
json.dump({t: m.get_resource_schema("us-east-1", t).schema for t in sys.argv[1:]}, sys.stdout)
`

// providerSchema is the part of a CloudFormation resource provider schema
// the cross-check reads.
type providerSchema struct {
	Properties  map[string]*jsonSchema `json:"properties"`
	Definitions map[string]*jsonSchema `json:"definitions"`
	Required    []string               `json:"required"`
	CreateOnly  []string               `json:"createOnlyProperties"`
	ReadOnly    []string               `json:"readOnlyProperties"`
}

type jsonSchema struct {
	Ref        string                 `json:"$ref"`
	Type       any                    `json:"type"` // a string or a list of them
	Properties map[string]*jsonSchema `json:"properties"`
	Items      *jsonSchema            `json:"items"`
	Required   []string               `json:"required"`
	AnyOf      []*jsonSchema          `json:"anyOf"`
	OneOf      []*jsonSchema          `json:"oneOf"`
}

// loadProviderSchemas asks the installed cfn-lint for the schemas of every
// typed resource type.
func loadProviderSchemas(t *testing.T) map[string]*providerSchema {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is not installed: %v", err)
	}
	var names []string
	for _, rt := range Resources() {
		names = append(names, rt.Name)
	}
	cmd := exec.Command(python, append([]string{"-c", dumpSchemas}, names...)...)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("reading cfn-lint's provider schemas (is cfn-lint installed?): %v\n%s", err, stderr)
	}
	schemas := map[string]*providerSchema{}
	if err := json.Unmarshal(out, &schemas); err != nil {
		t.Fatal(err)
	}
	return schemas
}

// TestAgainstProviderSchemas cross-checks the property tables with the
// resource provider schemas cfn-lint ships: every declared property
// exists with a compatible type, required and create-only flags agree,
// every property the schema requires is declared, and every attribute
// Fn::GetAtt may read is a property of the schema.
func TestAgainstProviderSchemas(t *testing.T) {
	schemas := loadProviderSchemas(t)
	for _, rt := range Resources() {
		t.Run(rt.Name, func(t *testing.T) {
			s := schemas[rt.Name]
			if s == nil {
				t.Fatalf("cfn-lint has no schema for %s", rt.Name)
			}
			c := &crossCheck{t: t, s: s}
			c.properties("", rt.Properties, &jsonSchema{Properties: s.Properties, Required: s.Required})
			for _, a := range rt.Attributes {
				if !c.exists(strings.Split(a.Name, "."), s.Properties) {
					t.Errorf("attribute %s is not a property of the provider schema", a.Name)
				}
			}
		})
	}
}

type crossCheck struct {
	t *testing.T
	s *providerSchema
}

// deref follows a "$ref": "#/definitions/X".
func (c *crossCheck) deref(js *jsonSchema) *jsonSchema {
	for js != nil && js.Ref != "" {
		js = c.s.Definitions[strings.TrimPrefix(js.Ref, "#/definitions/")]
	}
	return js
}

// types returns the JSON types a schema allows; none means any.
func (c *crossCheck) types(js *jsonSchema) []string {
	js = c.deref(js)
	if js == nil {
		return nil
	}
	var out []string
	switch t := js.Type.(type) {
	case string:
		out = append(out, t)
	case []any:
		for _, x := range t {
			out = append(out, fmt.Sprint(x))
		}
	}
	for _, sub := range append(slices.Clone(js.AnyOf), js.OneOf...) {
		st := c.types(sub)
		if st == nil {
			return nil
		}
		out = append(out, st...)
	}
	if len(out) == 0 && js.Properties != nil {
		out = append(out, "object")
	}
	return out
}

// variants returns the object schemas a schema may be: itself and its
// anyOf/oneOf alternatives.
func (c *crossCheck) variants(js *jsonSchema) []*jsonSchema {
	js = c.deref(js)
	if js == nil {
		return nil
	}
	out := []*jsonSchema{js}
	for _, sub := range append(slices.Clone(js.AnyOf), js.OneOf...) {
		out = append(out, c.variants(sub)...)
	}
	return out
}

func allows(types []string, want ...string) bool {
	if len(types) == 0 {
		return true
	}
	for _, w := range want {
		if slices.Contains(types, w) {
			return true
		}
	}
	return false
}

// properties checks declared properties against an object schema; path is
// the JSON pointer of the object below /properties ("" at the top, with
// "*" for array elements).
func (c *crossCheck) properties(path string, props []*Property, obj *jsonSchema) {
	var objects []*jsonSchema
	for _, v := range c.variants(obj) {
		if v.Properties != nil {
			objects = append(objects, v)
		}
	}
	if len(objects) == 0 {
		c.t.Errorf("%s: the provider schema has no properties here", orTop(path))
		return
	}
	schemaProps := map[string]*jsonSchema{}
	required := map[string]bool{}
	for _, o := range objects {
		for k, v := range o.Properties {
			schemaProps[k] = v
		}
		for _, r := range o.Required {
			required[r] = true
		}
	}
	declared := map[string]bool{}
	for _, p := range props {
		declared[p.Name] = true
		pp := path + "/" + p.Name
		sp, ok := schemaProps[p.Name]
		if !ok {
			c.t.Errorf("%s: not in the provider schema", pp)
			continue
		}
		if p.Required != required[p.Name] {
			c.t.Errorf("%s: required = %v, provider schema says %v", pp, p.Required, required[p.Name])
		}
		createOnly := slices.Contains(c.s.CreateOnly, "/properties"+pp)
		if p.CreateOnly != createOnly {
			c.t.Errorf("%s: create-only = %v, provider schema says %v", pp, p.CreateOnly, createOnly)
		}
		if slices.Contains(c.s.ReadOnly, "/properties"+pp) {
			c.t.Errorf("%s: read-only in the provider schema, cannot be set", pp)
		}
		c.value(pp, p.Type, sp)
	}
	// Only the top level must declare everything required: a property
	// type is only written when the author sets it.
	for r := range required {
		if !declared[r] && len(objects) == 1 {
			c.t.Errorf("%s/%s: required by the provider schema but not declared", path, r)
		}
	}
}

func orTop(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// value checks one property's type against its schema.
func (c *crossCheck) value(path string, t Type, sp *jsonSchema) {
	types := c.types(sp)
	if t.List {
		if !allows(types, "array") {
			c.t.Errorf("%s: declared %s, provider schema allows %v", path, t, types)
			return
		}
		var items *jsonSchema
		for _, v := range c.variants(sp) {
			if v.Items != nil {
				items = v.Items
			}
		}
		if items == nil {
			return
		}
		elem := t
		elem.List = false
		c.value(path+"/*", elem, items)
		return
	}
	if t.Map {
		if !allows(types, "object") {
			c.t.Errorf("%s: declared %s, provider schema allows %v", path, t, types)
		}
		return
	}
	var want []string
	switch t.Kind {
	case KindString:
		want = []string{"string"}
	case KindInteger:
		want = []string{"integer", "number"}
	case KindDouble:
		want = []string{"number"}
	case KindBoolean:
		want = []string{"boolean"}
	case KindJSON, KindPolicy:
		want = []string{"object", "string"}
	case KindObject, KindTag:
		want = []string{"object"}
	}
	if !allows(types, want...) {
		c.t.Errorf("%s: declared %s, provider schema allows %v", path, t, types)
		return
	}
	switch t.Kind {
	case KindObject:
		c.properties(path, t.Object.Properties, sp)
	case KindTag:
		// One Tag message serves every type; some types let a tag have
		// no value, so only its shape is checked.
		for _, o := range c.variants(sp) {
			for _, k := range []string{"Key", "Value"} {
				if o.Properties != nil && !allows(c.types(o.Properties[k]), "string") {
					c.t.Errorf("%s/%s: provider schema allows %v, want a string", path, k, c.types(o.Properties[k]))
				}
			}
		}
	}
}

// exists reports whether a property path (Endpoint, Address) is in the
// schema.
func (c *crossCheck) exists(path []string, props map[string]*jsonSchema) bool {
	sp, ok := props[path[0]]
	if !ok {
		return false
	}
	if len(path) == 1 {
		return true
	}
	for _, v := range c.variants(sp) {
		if v.Properties != nil && c.exists(path[1:], v.Properties) {
			return true
		}
	}
	return false
}
