package correlate

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/sigma"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(signinRules))
	f.Add([]byte(specChain))
	f.Add([]byte(mixedRules))
	f.Add([]byte("title: x\ncorrelation: {type: value_count, rules: [a], group-by: [u], timespan: 1d, condition: {field: [a, b], gt: 1, lt: 9}}\n"))
	if files, _ := filepath.Glob(filepath.Join(specDir, "*.yml")); len(files) > 0 {
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, _ := sigma.LoadDocuments("fuzz.yml", data)
		var rules []*Rule
		var bases []Base
		for _, d := range docs {
			if d.Kind != sigma.KindCorrelation {
				bases = append(bases, Base{ID: d.Meta.ID, Name: d.Meta.Name})
				continue
			}
			r, err := Parse(d)
			if err != nil {
				if _, ok := err.(*sigma.PosError); !ok {
					t.Fatalf("error %T is not a *sigma.PosError: %v", err, err)
				}
				continue
			}
			if r.Timespan <= 0 || len(r.Rules) == 0 || len(r.Condition.Bounds) == 0 {
				t.Fatalf("accepted an incomplete rule: %+v", r)
			}
			rules = append(rules, r)
		}
		e, err := New(rules, bases, Config{MaxGroups: 4, MaxEventsPerGroup: 1000, AllowedLateness: time.Minute})
		if err != nil {
			return
		}
		exercise(t, e, bases)
	})
}

// exercise feeds a few observations carrying every field the engine asks
// for, and checks that saving is deterministic.
func exercise(t *testing.T, e *Engine, bases []Base) {
	fields := map[string]string{}
	for i, f := range e.Fields() {
		fields[f] = string(rune('0' + i%3))
	}
	for i := 0; i < 12; i++ {
		for _, b := range bases {
			ref := b.ID
			if ref == "" {
				ref = b.Name
			}
			e.Observe(Observation{RuleID: ref, EventID: "e", Time: at(time.Duration(i*i) * time.Minute), Fields: fields})
		}
	}
	var a, c bytes.Buffer
	if err := e.Save(&a); err != nil {
		t.Fatalf("save: %v", err)
	}
	if err := e.Restore(bytes.NewReader(a.Bytes())); err != nil {
		t.Fatalf("restore own state: %v", err)
	}
	if err := e.Save(&c); err != nil || !bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatalf("save after restore differs (%v)", err)
	}
	e.Flush()
}

func FuzzRestore(f *testing.F) {
	rules, bases := loadSet(f, mixedRules)
	e, err := New(rules, bases, DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	for _, o := range workload(3, 300) {
		e.Observe(o)
	}
	var saved bytes.Buffer
	if err := e.Save(&saved); err != nil {
		f.Fatal(err)
	}
	f.Add(saved.Bytes())
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := New(rules, bases, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Restore(bytes.NewReader(data)); err != nil {
			return
		}
		for _, o := range workload(4, 50) {
			r.Observe(o)
		}
		var a bytes.Buffer
		if err := r.Save(&a); err != nil {
			t.Fatalf("save after restore: %v", err)
		}
		r.Flush()
	})
}
