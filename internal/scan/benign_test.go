package scan_test

import (
	"context"
	"testing"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/baseline"
	"github.com/signwatch/signwatch/internal/gen"
	"github.com/signwatch/signwatch/internal/scan"
)

// TestBenignMonthRaisesNoHighAlert scans a generated month of ordinary
// activity for 50 accounts (thousands of sign-ins, typos, SSO logins,
// CheckMfa, switch-role, EC2 instance-role API calls) with the whole catalog
// and the new-country baseline: nothing high or critical may fire.
func TestBenignMonthRaisesNoHighAlert(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a month of CloudTrail; skipped with -short")
	}
	dir := t.TempDir()
	if _, _, err := gen.WriteS3Layout(dir, gen.Options{Seed: 42, Scenario: gen.ScenarioBenignMonth}, 500, true); err != nil {
		t.Fatal(err)
	}
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}, Rules: catalog(t), NewCountry: &baseline.Config{}})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Summary.View()
	signIns := int64(0)
	for _, c := range v.SignIns {
		signIns += c.Total
	}
	if signIns < 2000 {
		t.Fatalf("the benign month should hold thousands of sign-ins, got %d", signIns)
	}
	byLevel := map[alert.Level]int{}
	for _, a := range res.Alerts {
		l := alert.Level(a.Rule.Level)
		byLevel[l]++
		if l.Rank() >= alert.High.Rank() {
			t.Errorf("benign activity raised %s %q: %s", l, a.Rule.Title, a.Summary)
		}
	}
	t.Logf("%d events, %d sign-ins; alerts by level: %v", v.Events.Unique, signIns, byLevel)
}
