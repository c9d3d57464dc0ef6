package search

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signwatch/signwatch/internal/cwfilter"
)

func TestContainsFold(t *testing.T) {
	for _, tc := range []struct {
		raw, lit string
		want     bool
	}{
		{`{"eventName":"ConsoleLogin"}`, "consolelogin", true},
		{`{"eventName":"ConsoleLogin"}`, "CONSOLELOGIN", true},
		{`{"eventName":"Console"}`, "ConsoleLogin", false},
		{`{"eventName":"Consol\u0065Login"}`, "ConsoleLogin", true}, // an escape may hide the literal
		{`abc`, "", true},
	} {
		if got := containsFold([]byte(tc.raw), []byte(tc.lit)); got != tc.want {
			t.Errorf("containsFold(%q, %q) = %v", tc.raw, tc.lit, got)
		}
	}
}

func TestCleanRemovesControlCharacters(t *testing.T) {
	if got := clean("evil\x1b[31m\tagent\n"); strings.ContainsAny(got, "\x1b\t\n") {
		t.Fatalf("control characters left: %q", got)
	}
}

func TestRunSelectsAndDeduplicates(t *testing.T) {
	dir := t.TempDir()
	ev := `{"eventID":"11111111-1111-4111-8111-111111111111","eventTime":"2024-01-01T00:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"}}`
	other := `{"eventID":"22222222-2222-4222-8222-222222222222","eventTime":"2024-01-01T00:00:01Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`
	// The failure is delivered twice, in two files.
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"Records":[`+ev+`,`+other+`]}`), 0o600)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"Records":[`+ev+`]}`), 0o600)
	pat, err := cwfilter.Parse(`{ $.responseElements.ConsoleLogin = "Failure" }`)
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	res, err := Run(context.Background(), Options{Paths: []string{dir}, Pattern: pat, Format: "jsonl"}, &out, &errs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 3 || res.Matched != 1 || strings.TrimSpace(out.String()) != ev {
		t.Fatalf("events %d matched %d, output %q, errors %q", res.Events, res.Matched, out.String(), errs.String())
	}
}
