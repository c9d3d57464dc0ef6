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

// TestPlaceholderNamesChecked: a name a rule cannot write as %name% is
// rejected, in the configuration and in a --placeholders file, instead of
// its values silently going unused.
func TestPlaceholderNamesChecked(t *testing.T) {
	if _, err := Parse("x.yml", []byte("placeholders:\n  Admin_Users_2: [alice]\n")); err != nil {
		t.Errorf("word name rejected: %v", err)
	}
	_, err := Parse("x.yml", []byte("placeholders:\n  my-list: [alice]\n"))
	if err == nil || !strings.Contains(err.Error(), `"my-list"`) || !strings.Contains(err.Error(), "x.yml") {
		t.Errorf("want an error naming the file and my-list, got %v", err)
	}
	path := t.TempDir() + "/ph.yml"
	if err := os.WriteFile(path, []byte("placeholders:\n  'a b': [x]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPlaceholders(path); err == nil || !strings.Contains(err.Error(), `"a b"`) {
		t.Errorf("want an error naming 'a b', got %v", err)
	}
}
