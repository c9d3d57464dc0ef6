package source

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/decode"
)

const corpusDir = "../../../shared/corpus/external"

// TestCorpusEndToEnd walks the external corpus (when present), decodes
// every input on two goroutines, and checks the event counts SOURCES.md
// documents: 33,790 events in all, 103 of them inside the OTRF zip.
func TestCorpusEndToEnd(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("external corpus not present at " + corpusDir)
	}
	var (
		mu      sync.Mutex
		perDir  = map[string]int{}
		classes = map[decode.Class]int{}
		total   int
	)
	inputs := make(chan Input)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for in := range inputs {
				rc, err := in.Open(context.Background())
				if err != nil {
					t.Error(err)
					continue
				}
				res, err := decode.Decode(context.Background(), in.Name, rc, decode.Options{},
					func(decode.Record) error { return nil }, func(p decode.Problem) { t.Errorf("problem %v", p) })
				rc.Close()
				if err != nil {
					t.Error(err)
				}
				top, _, _ := strings.Cut(strings.TrimPrefix(in.Name, corpusDir+"/"), "/")
				mu.Lock()
				perDir[top] += res.Events
				classes[res.Class]++
				total += res.Events
				mu.Unlock()
			}
		})
	}
	var skipped []Skipped
	err := Walk(context.Background(), []string{corpusDir}, Options{}, func(in Input) error {
		inputs <- in
		return nil
	}, func(s Skipped) { skipped = append(skipped, s) })
	close(inputs)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if total != 33790 || perDir["OTRF_Security-Datasets"] != 103 || perDir["Yamato-Security_suzaku-sample-data"] != 30477 {
		t.Errorf("events %d, per folder %v", total, perDir)
	}
	if len(skipped) != 0 {
		t.Errorf("skipped %v", skipped)
	}
	t.Logf("classes %v", classes)
}

// TestCorpusPruningKeepsEveryWantedEvent checks on the real delivery layout
// (<region>/YYYY/MM/DD/<account>_CloudTrail_...) that a one-day scan reads
// far fewer files and still finds every event of that day.
func TestCorpusPruningKeepsEveryWantedEvent(t *testing.T) {
	dir := corpusDir + "/Yamato-Security_suzaku-sample-data"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("external corpus not present at " + dir)
	}
	since := time.Date(2021, 7, 29, 0, 0, 0, 0, time.UTC)
	until := time.Date(2021, 7, 29, 23, 59, 59, 0, time.UTC)
	count := func(opt Options) (files, inRange int) {
		err := Walk(context.Background(), []string{dir}, opt, func(in Input) error {
			files++
			rc, err := in.Open(context.Background())
			if err != nil {
				return err
			}
			defer rc.Close()
			_, err = decode.Decode(context.Background(), in.Name, rc, decode.Options{}, func(r decode.Record) error {
				if !r.Time.Before(since) && !r.Time.After(until) {
					inRange++
				}
				return nil
			}, nil)
			return err
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return files, inRange
	}
	allFiles, want := count(Options{})
	files, got := count(Options{Since: since, Until: until})
	if got != want || want == 0 {
		t.Errorf("one-day scan found %d events of the day, a full scan %d", got, want)
	}
	if files*2 > allFiles {
		t.Errorf("one-day scan read %d of %d files", files, allFiles)
	}
	t.Logf("read %d of %d files; %d events on 2021-07-29", files, allFiles, got)
}
