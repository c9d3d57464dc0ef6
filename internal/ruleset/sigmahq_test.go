package ruleset_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/signwatch/signwatch/internal/config"
	"github.com/signwatch/signwatch/internal/ruleset"
)

// TestSigmaHQRules loads every SigmaHQ CloudTrail rule (../shared, skipped
// when absent) with the project's own positive and near-miss events for each
// (testdata/sigmahq) and checks every case, and that no rule goes untested.
func TestSigmaHQRules(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "rules", "sigmahq")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("SigmaHQ rules not available (%v): this check runs where ../shared is present", err)
	}
	ph, err := config.LoadPlaceholders(filepath.Join("..", "..", "testdata", "sigmahq-placeholders.yml"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := ruleset.Load(ruleset.Options{
		Paths:        []string{filepath.Join(shared, "rules"), filepath.Join(shared, "rules-placeholder"), filepath.Join("..", "..", "testdata", "sigmahq")},
		Placeholders: ph,
	})
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]bool{}
	for _, r := range set.RunTests() {
		tested[r.Suite.Rule] = true
		if !r.Passed() {
			t.Errorf("%s:%d %s: want match=%v, got %d detections (%v)", r.Suite.File, r.Case.Line, r.Case.Name, r.Case.Expect, r.Got, r.Err)
		}
	}
	for _, r := range set.Rules {
		if !tested[r.ID] {
			t.Errorf("%s: SigmaHQ rule %s has no test events in testdata/sigmahq", r.File, r.ID)
		}
	}
	if len(set.Rules) < 50 {
		t.Errorf("only %d SigmaHQ rules loaded", len(set.Rules))
	}
}
