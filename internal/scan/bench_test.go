package scan_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/baseline"
	"github.com/signwatch/signwatch/internal/config"
	"github.com/signwatch/signwatch/internal/gen"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/internal/scan"
	"github.com/signwatch/signwatch/rules"
)

// sigmaHQRules is the SigmaHQ CloudTrail rule set beside the repository.
const sigmaHQRules = "../../../shared/rules/sigmahq"

// benchEvents is the size of the generated mix each benchmark scans.
const benchEvents = 50000

// BenchmarkScan measures the whole scan as `signwatch scan` runs it —
// reading delivery objects, splitting and parsing, de-duplication, the
// summary, the rules, grouping, correlations, the sign-in passes — on the
// generated mix (about 3% sign-ins, 1.66 KB events) in plain and gzip
// objects, with GOMAXPROCS workers: `go test -bench Scan -cpu 1,2` gives the
// per-core figure of SPEC 10 and the two-core one. It reports events/s and
// ns/event; one op is one scan of benchEvents events. The whole-program
// figures, against gzip -dc, come from bench/harness. The "sigmahq" variants add every SigmaHQ CloudTrail
// rule to the built-in catalog (the SPEC 10 configuration) and are skipped
// when ../shared is not beside the repository.
func BenchmarkScan(b *testing.B) {
	dir := b.TempDir()
	for _, gz := range []bool{false, true} {
		sub := filepath.Join(dir, map[bool]string{false: "json", true: "gz"}[gz])
		if _, _, err := gen.WriteS3Layout(sub, gen.Options{Seed: 1, Events: benchEvents, Span: 90 * time.Minute}, 1000, gz); err != nil {
			b.Fatal(err)
		}
	}
	sets := map[string]func(testing.TB) *ruleset.Set{"builtin": catalog, "sigmahq": sigmaHQSet}
	for _, set := range []string{"builtin", "sigmahq"} {
		for _, input := range []string{"json", "gz"} {
			b.Run(set+"/"+input, func(b *testing.B) {
				rs := sets[set](b)
				opt := scan.Options{Paths: []string{filepath.Join(dir, input)}, Rules: rs, NewCountry: &baseline.Config{}}
				b.ReportAllocs()
				for b.Loop() {
					res, err := scan.Run(context.Background(), opt)
					if err != nil {
						b.Fatal(err)
					}
					if got := res.Summary.View().Events.Unique; got != benchEvents {
						b.Fatalf("scanned %d events, want %d", got, benchEvents)
					}
				}
				events := float64(benchEvents) * float64(b.N)
				b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
			})
		}
	}
}

// sigmaHQSet loads the built-in catalog with every SigmaHQ CloudTrail rule
// (rules and rules-placeholder, with the example placeholders).
func sigmaHQSet(tb testing.TB) *ruleset.Set {
	tb.Helper()
	if _, err := os.Stat(sigmaHQRules); err != nil {
		tb.Skipf("SigmaHQ rules not found beside the repository (%v)", err)
	}
	ph, err := config.LoadPlaceholders("../../testdata/sigmahq-placeholders.yml")
	if err != nil {
		tb.Fatal(err)
	}
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, Placeholders: ph,
		Paths: []string{filepath.Join(sigmaHQRules, "rules"), filepath.Join(sigmaHQRules, "rules-placeholder")}})
	if err != nil {
		tb.Fatal(err)
	}
	return set
}
