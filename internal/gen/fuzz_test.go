package gen

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// FuzzGenerate checks that any valid Options give exactly Events valid JSON
// objects, reproducibly, and that invalid ones give an error, not a panic.
func FuzzGenerate(f *testing.F) {
	f.Add(int64(1), uint16(200), uint8(3), int64(3600), 0.03, false)
	f.Add(int64(-5), uint16(50), uint8(1), int64(0), 1.0, true)
	f.Add(int64(99), uint16(0), uint8(0), int64(-1), -0.5, false)
	f.Fuzz(func(t *testing.T, seed int64, events uint16, accounts uint8, spanSec int64, frac float64, benign bool) {
		opt := Options{Seed: seed, Events: 1 + int(events%600), Accounts: int(accounts % 20), Span: time.Duration(spanSec) * time.Second,
			SignInFraction: frac}
		if benign {
			opt.Scenario = ScenarioBenignMonth
		}
		var first bytes.Buffer
		n := 0
		err := Generate(opt, func(ev []byte) error {
			if !json.Valid(ev) {
				t.Fatalf("invalid JSON: %s", ev)
			}
			first.Write(ev)
			n++
			return nil
		})
		if err != nil {
			return // invalid options are reported, which is all that is asked
		}
		if n != opt.Events {
			t.Fatalf("%d events, want %d", n, opt.Events)
		}
		var second bytes.Buffer
		if err := Generate(opt, func(ev []byte) error { second.Write(ev); return nil }); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatal("not deterministic")
		}
	})
}
