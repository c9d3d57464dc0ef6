package report

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// A small JSON Schema (2020-12) checker for the keywords the output schema
// uses: type, required, properties, additionalProperties, items, $ref,
// allOf, enum, const, minimum and format date-time. It exists so that the
// test checks real output against docs/scan-output.schema.json itself.

type schemaDoc struct {
	root map[string]any
}

func loadSchema(t *testing.T) *schemaDoc {
	t.Helper()
	b, err := os.ReadFile("../../docs/scan-output.schema.json")
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	return &schemaDoc{root: root}
}

func (d *schemaDoc) def(name string) map[string]any {
	return d.root["$defs"].(map[string]any)[name].(map[string]any)
}

// validate returns the first violation of v against schema s, or nil.
func (d *schemaDoc) validate(s map[string]any, v any, path string) error {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		if err := d.validate(d.def(name), v, path); err != nil {
			return err
		}
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			if err := d.validate(sub.(map[string]any), v, path); err != nil {
				return err
			}
		}
	}
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		return fmt.Errorf("%s: %v is not the constant %v", path, v, c)
	}
	if enum, ok := s["enum"].([]any); ok && !inEnum(enum, v) {
		return fmt.Errorf("%s: %v not in %v", path, v, enum)
	}
	if t, ok := s["type"]; ok && !typeOK(t, v) {
		return fmt.Errorf("%s: %T (%v) is not of type %v", path, v, v, t)
	}
	if min, ok := s["minimum"].(float64); ok {
		if n, isNum := v.(float64); isNum && n < min {
			return fmt.Errorf("%s: %v below minimum %v", path, n, min)
		}
	}
	if s["format"] == "date-time" {
		if str, isStr := v.(string); isStr {
			if tm, err := time.Parse(time.RFC3339, str); err != nil || !strings.HasSuffix(str, "Z") || tm.Location() != time.UTC {
				return fmt.Errorf("%s: %q is not an RFC 3339 UTC time", path, str)
			}
		}
	}
	switch x := v.(type) {
	case map[string]any:
		return d.validateObject(s, x, path)
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				if err := d.validate(items, e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (d *schemaDoc) validateObject(s map[string]any, x map[string]any, path string) error {
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				return fmt.Errorf("%s: required %q missing", path, r)
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	for k, val := range x {
		if p, ok := props[k].(map[string]any); ok {
			if err := d.validate(p, val, path+"."+k); err != nil {
				return err
			}
		} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
			if err := d.validate(ap, val, path+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if fmt.Sprint(e) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

func typeOK(t any, v any) bool {
	if list, ok := t.([]any); ok {
		for _, x := range list {
			if typeOK(x, v) {
				return true
			}
		}
		return false
	}
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		n, ok := v.(float64)
		return ok && n == float64(int64(n))
	}
	return false
}

func TestSchemaCheckerRejects(t *testing.T) {
	d := loadSchema(t)
	bad := []string{
		`{"schema_version":"1","detections":[]}`,
		`{"schema_version":"2","detections":[],"summary":{}}`,
		`{"schema_version":"1","detections":[{"rule":{}}],"summary":{}}`,
	}
	for _, b := range bad {
		var v any
		if err := json.Unmarshal([]byte(b), &v); err != nil {
			t.Fatal(err)
		}
		if err := d.validate(d.root, v, "$"); err == nil {
			t.Errorf("schema accepted %s", b)
		}
	}
}
