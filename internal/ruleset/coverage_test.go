package ruleset_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/rules"
)

func TestCoverageIncludesUserRules(t *testing.T) {
	own := filepath.Join(t.TempDir(), "own.yml")
	os.WriteFile(own, []byte(`title: CheckMfa from a script
id: 0d8e3a4c-7a43-4b7b-9a55-1c7f3d2b9e10
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventSource: signin.amazonaws.com
    eventName: Check*
    userAgent|contains: python
  condition: sel
level: low
`), 0o600)
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, Paths: []string{own}})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]ruleset.EventCoverage{}
	for _, ec := range set.Coverage() {
		byName[ec.EventName] = ec
	}
	cm := byName["CheckMfa"]
	if len(cm.Rules) != 1 || cm.Rules[0].Title != "CheckMfa from a script" {
		t.Fatalf("CheckMfa coverage should list the user's wildcard rule: %+v", cm.Rules)
	}
	if len(cm.Checks) != 1 || cm.Checks[0].Field != "userAgent" || cm.Checks[0].Value != "python" {
		t.Errorf("CheckMfa checks: %+v", cm.Checks)
	}
	cl := byName["ConsoleLogin"]
	found := false
	for _, c := range cl.Checks {
		if c.Field == "responseElements.ConsoleLogin" && c.Value == "Failure" && c.Rules >= 3 {
			found = true
		}
	}
	if !found || len(cl.Correlations) == 0 {
		t.Errorf("ConsoleLogin coverage lacks the failure check or its correlations: %+v", cl)
	}
}
