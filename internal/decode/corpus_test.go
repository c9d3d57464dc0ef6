package decode

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

const corpusDir = "../../../shared/corpus/external"

// TestCorpus decodes the external corpus (when present) and checks the
// event counts its SOURCES.md documents, with no problem reported.
func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("external corpus not present at " + corpusDir)
	}
	want := map[string]int{
		"invictus-ir_aws_dataset":            2900,
		"DataDog_stratus-red-team":           310,
		"Yamato-Security_suzaku-sample-data": 30477,
	}
	got := map[string]int{}
	classes := map[Class]int{}
	err := filepath.WalkDir(corpusDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(corpusDir, p)
		top := rel
		if i := indexSep(rel); i >= 0 {
			top = rel[:i]
		}
		res, err := Decode(context.Background(), rel, f, Options{}, func(Record) error { return nil },
			func(pr Problem) { t.Errorf("problem: %v", pr) })
		if err != nil {
			return err
		}
		classes[res.Class]++
		got[top] += res.Events
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d events, want %d", k, got[k], n)
		}
	}
	t.Logf("classes: %v", classes)
}

func indexSep(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}
