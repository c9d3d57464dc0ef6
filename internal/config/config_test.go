package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocumentedExample parses the example of docs/configuration.md, so the
// documentation cannot drift from the accepted format.
func TestDocumentedExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("no yaml example in docs/configuration.md")
	}
	c, err := Parse("docs/configuration.md", m[1])
	if err != nil {
		t.Fatal(err)
	}
	if got := c.FieldMappings["src_ip"]; len(got) != 1 || got[0] != "sourceIPAddress" {
		t.Errorf("field_mappings: %v", got)
	}
	if th := c.Tuning.Rules["aws_root_brute_force"].Threshold; th == nil || *th != 10 {
		t.Errorf("tuning threshold: %v", th)
	}
	if !c.HasAlarms() || c.CloudWatch.Alarms[0].Period.Minutes() != 5 {
		t.Errorf("alarms: %+v", c.CloudWatch.Alarms)
	}
	if c.Correlation.MaxGroups != 100000 || c.Baselines.NewCountry.LearningPeriod.Hours() != 336 {
		t.Errorf("correlation/baselines: %+v %+v", c.Correlation, c.Baselines)
	}
}

func TestUnknownKeyNamesLine(t *testing.T) {
	_, err := Parse("x.yml", []byte("tuning:\n  trusted_ip_range: [10.0.0.0/8]\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "trusted_ip_range") {
		t.Fatalf("want an error naming line 2 and the key, got %v", err)
	}
}
