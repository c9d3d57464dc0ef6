package sigma

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sigmaHQ = "../../../shared/rules/sigmahq"

// loadDir parses every .yml file under dir into rules; it fails the test on
// any error.
func loadDir(t testing.TB, dir string, opt ParseOptions) []*Rule {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SigmaHQ rules not present (%s): %v", dir, err)
	}
	var rules []*Rule
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		docs, errs := LoadDocuments(path, data)
		for _, e := range errs {
			t.Errorf("%v", e)
		}
		for _, doc := range docs {
			r, err := ParseRule(doc, opt)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			rules = append(rules, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

func TestSigmaHQRulesLoad(t *testing.T) {
	rules := loadDir(t, filepath.Join(sigmaHQ, "rules"), ParseOptions{})
	if len(rules) < 50 {
		t.Fatalf("loaded only %d rules", len(rules))
	}
	e, err := Compile(rules, nil, CompileOptions{Product: "aws", Service: "cloudtrail"})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Rules()) != len(rules) {
		t.Errorf("%d of %d CloudTrail rules applied", len(e.Rules()), len(rules))
	}
}

var testPlaceholders = map[string][]string{
	"Legitimate_Countries": {"US", "DE"},
	"Legitimate_IP_Ranges": {"198.51.100.*"},
}

func TestSigmaHQPlaceholderRulesLoad(t *testing.T) {
	dir := filepath.Join(sigmaHQ, "rules-placeholder")
	rules := loadDir(t, dir, ParseOptions{Placeholders: testPlaceholders})
	if len(rules) == 0 {
		t.Fatal("no placeholder rules loaded")
	}
	// Without placeholder values the rules must be rejected, naming the
	// placeholder.
	files, _ := filepath.Glob(filepath.Join(dir, "cloud/aws/cloudtrail/*.yml"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		docs, _ := LoadDocuments(f, data)
		for _, d := range docs {
			if _, err := ParseRule(d, ParseOptions{}); err == nil || !strings.Contains(err.Error(), "placeholder %") {
				t.Errorf("%s without placeholders: error %v, want a placeholder error", f, err)
			}
		}
	}
}

func TestSigmaHQUnsupportedRejected(t *testing.T) {
	dir := filepath.Join(sigmaHQ, "unsupported")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SigmaHQ unsupported rules not present: %v", err)
	}
	n := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
			return err
		}
		n++
		data, _ := os.ReadFile(path)
		docs, errs := LoadDocuments(path, data)
		if len(errs) > 0 || len(docs) != 1 {
			t.Errorf("%s: %v", path, errs)
			return nil
		}
		_, perr := ParseRule(docs[0], ParseOptions{})
		if perr == nil {
			t.Errorf("%s: accepted, want rejection", path)
			return nil
		}
		msg := perr.Error()
		if !strings.Contains(msg, "legacy aggregation") || !strings.Contains(msg, "correlation rule") {
			t.Errorf("%s: reason %q does not explain the legacy aggregation", path, msg)
		}
		if !strings.HasPrefix(msg, path+":") {
			t.Errorf("%s: error %q does not start with the file position", path, msg)
		}
		t.Logf("%s", msg)
		return nil
	})
	if n == 0 {
		t.Skip("no unsupported rules found")
	}
}
