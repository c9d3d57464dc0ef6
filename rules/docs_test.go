package rules_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/signwatch/signwatch/internal/catalogdoc"
	"github.com/signwatch/signwatch/rules"
)

// TestDetectionsDocCurrent fails when docs/detections.md no longer matches
// the rule files it is generated from.
func TestDetectionsDocCurrent(t *testing.T) {
	want, err := catalogdoc.Render(rules.FS, catalogdoc.BuiltinDetectors(), rules.Notes)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../docs/detections.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/detections.md is stale: run `go run ./cmd/signwatch rules docs > docs/detections.md`")
	}
}
