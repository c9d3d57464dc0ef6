package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "broken.json")
	os.WriteFile(bad, []byte(`{"Records":[{"eventID":"a","eventName":"X","eventTime":"2024-01-01T00:00:00Z"}, {"eventName": }]}`), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"completed scan", []string{"scan", "--format", "json", "../../testdata/sample"}, exitOK},
		{"fail-on fired", []string{"scan", "--fail-on", "high", "--format", "json", "../../testdata/sample"}, exitAlert},
		{"fail-on not reached", []string{"scan", "--fail-on", "critical", "--format", "json", "../../testdata/sample"}, exitOK},
		{"no input", []string{"scan", filepath.Join(t.TempDir(), "missing")}, exitUsage},
		{"no path", []string{"scan"}, exitUsage},
		{"bad flag", []string{"scan", "--format", "xml", "../../testdata/sample"}, exitUsage},
		{"bad input is not fatal", []string{"scan", "--format", "json", bad}, exitOK},
		{"strict", []string{"scan", "--strict", "--format", "json", bad}, exitStrict},
		{"unknown command", []string{"frobnicate"}, exitUsage},
	} {
		if got, _, stderr := runCLI(t, tc.args...); got != tc.want {
			t.Errorf("%s: exit %d, want %d (stderr: %s)", tc.name, got, tc.want, stderr)
		}
	}
}

func TestScanJSONShape(t *testing.T) {
	code, out, stderr := runCLI(t, "scan", "--format", "json", "../../testdata/sample")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Detections []map[string]any `json:"detections"`
		Summary    map[string]any   `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Detections) == 0 || doc.Summary == nil {
		t.Fatalf("no detections or summary: %s", out[:min(len(out), 300)])
	}
	for _, key := range []string{"rule", "first_seen", "last_seen", "account", "group_key", "summary", "count", "event_ids"} {
		if _, ok := doc.Detections[0][key]; !ok {
			t.Errorf("detection lacks %q (SPEC 7)", key)
		}
	}
}

func TestRulesCommands(t *testing.T) {
	if code, out, _ := runCLI(t, "rules", "test"); code != 0 || !strings.Contains(out, " 0 failed") {
		t.Errorf("rules test: exit %d\n%s", code, out)
	}
	code, out, _ := runCLI(t, "rules", "list", "--format", "json")
	var rows []ruleRow
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) < 20 {
		t.Errorf("rules list: exit %d, %d rows", code, len(rows))
	}
	bad := filepath.Join(t.TempDir(), "bad.yml")
	os.WriteFile(bad, []byte("title: x\nlogsource: {product: aws}\ndetection:\n  sel:\n    eventName|nosuchmod: x\n  condition: sel\n"), 0o600)
	code, _, stderr := runCLI(t, "rules", "validate", bad)
	if code == 0 || !strings.Contains(stderr, "bad.yml:5:") {
		t.Errorf("rules validate: exit %d, want a file:line error, got %q", code, stderr)
	}
	if code, out, _ := runCLI(t, "drill"); code != 0 || !strings.Contains(out, " 0 failed") {
		t.Errorf("drill: exit %d\n%s", code, out)
	}
}

func TestSearch(t *testing.T) {
	code, out, stderr := runCLI(t, "search", "--pattern", `{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed = "Yes") && ($.responseElements.ConsoleLogin = "Failure") }`, "../../testdata/sample")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"carol"`) {
		t.Fatalf("want carol's MFA failure only, got %d lines:\n%s", len(lines), out)
	}
	if code, _, _ := runCLI(t, "search", "--pattern", "{ $.eventName = ", "../../testdata/sample"); code != exitUsage {
		t.Errorf("bad pattern: exit %d, want %d", code, exitUsage)
	}
}

func TestScanTimeAndAccountFilters(t *testing.T) {
	summary := func(args ...string) (map[string]any, []string) {
		t.Helper()
		code, out, stderr := runCLI(t, append([]string{"scan", "--format", "json"}, append(args, "../../testdata/sample")...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc struct {
			Detections []struct {
				Rule struct{ Title string } `json:"rule"`
			} `json:"detections"`
			Summary struct {
				Events map[string]any `json:"events"`
			} `json:"summary"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, d := range doc.Detections {
			titles = append(titles, d.Rule.Title)
		}
		return doc.Summary.Events, titles
	}
	all, _ := summary()
	late, titles := summary("--since", "2024-05-01T12:00:00Z")
	// Whole files are pruned by their delivery time; events of kept files
	// that are too early are counted as out of range.
	if late["unique"].(float64) >= all["unique"].(float64) {
		t.Errorf("--since kept everything: all %v, since %v", all, late)
	}
	for _, title := range titles {
		if title == "Password Spraying From One Source IP" {
			t.Error("the 10:01 spray was reported although --since is 12:00")
		}
	}
	none, _ := summary("--account", "999999999999")
	if none["unique"].(float64) != 0 {
		t.Errorf("--account of another account kept %v events", none["unique"])
	}
	if code, _, _ := runCLI(t, "scan", "--account", "12345", "../../testdata/sample"); code != exitUsage {
		t.Errorf("a malformed account id must be a usage error, got exit %d", code)
	}
}

func TestScanHTMLReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	if code, _, stderr := runCLI(t, "scan", "--format", "json", "--html", path, "../../testdata/sample"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	html, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<html", "Root Sign-In Brute Force", "<svg"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(string(html), "<script src=") || strings.Contains(string(html), "https://") && strings.Contains(string(html), "<link") {
		t.Error("the HTML report must open offline (no external resources)")
	}
}

// TestRulesValidateWithCatalogConfig: the documented configuration tunes
// built-in rules; validating one's own rule files under it (the catalog
// left out) succeeds, and so does a scan with --no-builtin.
func TestRulesValidateWithCatalogConfig(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	yml, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("no yaml example in docs/configuration.md")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "signwatch.yml")
	own := filepath.Join(dir, "own.yml")
	os.WriteFile(cfg, []byte(yml), 0o600)
	os.WriteFile(own, []byte("title: own\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: StopLogging}\n  condition: sel\nlevel: high\n"), 0o600)
	if code, out, stderr := runCLI(t, "rules", "validate", own, "--config", cfg); code != 0 || !strings.Contains(out, "1 rules") {
		t.Errorf("rules validate own.yml --config: exit %d\n%s%s", code, out, stderr)
	}
	logs := filepath.Join(dir, "logs.json")
	os.WriteFile(logs, []byte(`{"Records":[{"eventVersion":"1.08","eventID":"5e1b8c1e-0000-4000-8000-000000000001","eventTime":"2024-01-01T00:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userIdentity":{"type":"IAMUser","accountId":"123456789012","arn":"arn:aws:iam::123456789012:user/x"},"recipientAccountId":"123456789012"}]}`), 0o600)
	code, out, stderr := runCLI(t, "scan", "--no-builtin", "--rules", own, "--config", cfg, "--format", "json", "--no-progress", logs)
	if code == 2 || !strings.Contains(out, `"title": "own"`) && !strings.Contains(out, `"title":"own"`) {
		t.Errorf("scan --no-builtin --config: exit %d\n%.400s%s", code, out, stderr)
	}
}
