package drill_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/drill"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/internal/scan"
	"github.com/signwatch/signwatch/rules"
)

func TestDrillEveryDetectionBehaves(t *testing.T) {
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS})
	if err != nil {
		t.Fatal(err)
	}
	results := drill.Run(set)
	if len(results) < 20 {
		t.Fatalf("only %d detections drilled", len(results))
	}
	for _, r := range results {
		if !r.OK() {
			t.Errorf("%s: %d/%d attacks, %d/%d look-alikes quiet: %v", r.Title, r.Fired, r.Attacks, r.Quiet, r.LookAlikes, r.Failures)
		}
	}
}

// TestEmittedDrillIsMarked scans the emitted S3 object: every alert it
// raises says it comes from a drill, and the attacks are found.
func TestEmittedDrillIsMarked(t *testing.T) {
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := drill.Emit(&buf, set, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || n == 0 {
		t.Fatalf("emit: %d events, %v", n, err)
	}
	path := filepath.Join(t.TempDir(), "drill.json.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{path}, Rules: set})
	if err != nil {
		t.Fatal(err)
	}
	if int(res.Summary.View().Events.Unique) != n {
		t.Errorf("emitted %d events, the scan saw %d unique: drill cases collided", n, res.Summary.View().Events.Unique)
	}
	titles := map[string]bool{}
	for _, a := range res.Alerts {
		if a.Rule.Kind == alert.KindInternal {
			continue
		}
		titles[a.Rule.Title] = true
		if !a.Drill || !strings.HasPrefix(a.Summary, "[drill]") {
			t.Errorf("alert from drill traffic is not marked: %s", a.Summary)
		}
	}
	for _, want := range []string{"Root Sign-In Brute Force", "Password Spraying Across an Account", "Account Takeover via Login Profile"} {
		if !titles[want] {
			t.Errorf("drill traffic did not raise %q", want)
		}
	}
}
