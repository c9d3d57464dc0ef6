package correlate

import (
	"bytes"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"
)

// mixedRules exercises every window kind at once: sliding (event_count,
// value_count, temporal, value_sum), anchored (ranges, value_avg,
// value_percentile) and a correlation of a correlation.
var mixedRules = signinRules + `
---
title: Slow brute force
correlation:
  type: event_count
  rules: [root_signin_failure, signin_failure]
  group-by: [sourceIPAddress]
  timespan: 5m
  condition: {gte: 3, lte: 6}
---
title: Failure and success
correlation:
  type: temporal
  rules: [signin_failure, root_signin_success]
  group-by: [ip]
  timespan: 20m
  aliases:
    ip:
      signin_failure: sourceIPAddress
      root_signin_success: sourceIPAddress
---
title: Average bytes
correlation:
  type: value_avg
  rules: [signin_failure]
  group-by: [sourceIPAddress]
  timespan: 45m
  condition: {field: bytes, gte: 50}
---
title: Sum bytes
correlation:
  type: value_sum
  rules: [signin_failure]
  group-by: [userName]
  timespan: 10m
  condition: {field: bytes, gt: 150}
---
title: Rare user
correlation:
  type: value_percentile
  rules: [signin_failure]
  group-by: [sourceIPAddress]
  timespan: 2h
  condition: {field: userName, lt: 20}
`

// workload is a random but reproducible mix of sign-in observations over
// six hours, in time order.
func workload(seed int64, n int) []Observation {
	rng := rand.New(rand.NewSource(seed))
	ips := []string{"203.0.113.7", "198.51.100.9", "192.0.2.1", "192.0.2.44"}
	users := []string{"alice", "bob", "carol", "dave", "erin", "frank"}
	accounts := []string{"111122223333", "444455556666"}
	out := make([]Observation, 0, n)
	for i := 0; i < n; i++ {
		ts := at(time.Duration(rng.Int63n(int64(6*time.Hour/time.Second))) * time.Second)
		ip := ips[rng.Intn(len(ips))]
		id := fmt.Sprintf("ev%05d", i)
		switch rng.Intn(6) {
		case 0, 1, 2:
			out = append(out, obs(rootFail, id, ts, "recipientAccountId="+accounts[rng.Intn(2)], "sourceIPAddress="+ip))
		case 3, 4:
			out = append(out, obs(fail, id, ts, "sourceIPAddress="+ip, "userName="+users[rng.Intn(len(users))], fmt.Sprint("bytes=", rng.Intn(100))))
		default:
			out = append(out, obs(rootOK, id, ts, "recipientAccountId="+accounts[rng.Intn(2)], "sourceIPAddress="+ip))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// boundedShuffle displaces observations by at most maxLag of event time.
func boundedShuffle(rng *rand.Rand, in []Observation, maxLag time.Duration) []Observation {
	type keyed struct {
		o   Observation
		key time.Time
	}
	ks := make([]keyed, len(in))
	for i, o := range in {
		ks[i] = keyed{o, o.Time.Add(time.Duration(rng.Int63n(int64(maxLag))))}
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].key.Before(ks[j].key) })
	out := make([]Observation, len(in))
	for i, k := range ks {
		out[i] = k.o
	}
	return out
}

func TestShuffledInputGivesSameDetections(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, 4, 5} {
		in := workload(seed, 1500)
		want := render(run(newEngine(t, mixedRules, Config{}), in))
		if strings.Count(want, "\n") < 20 {
			t.Fatalf("seed %d: workload too quiet to test anything:\n%s", seed, want)
		}
		for _, title := range []string{"Root brute force", "Password spraying", "Root success after brute force",
			"Slow brute force", "Failure and success", "Average bytes", "Sum bytes", "Rare user"} {
			if !strings.Contains(want, title+" ") {
				t.Errorf("seed %d: no %q detection; the property would not cover it", seed, title)
			}
		}
		rng := rand.New(rand.NewSource(seed))
		// Fully shuffled input with lateness covering the whole range.
		shuffled := append([]Observation(nil), in...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := render(run(newEngine(t, mixedRules, Config{AllowedLateness: 7 * time.Hour}), shuffled))
		if got != want {
			t.Errorf("seed %d: full shuffle differs:\n%s", seed, diffLines(want, got))
		}
		// Locally shuffled input (≤ 10 m disorder) with 10 m lateness: the
		// reorder buffer stays small and nothing is late.
		local := boundedShuffle(rng, in, 10*time.Minute)
		e := newEngine(t, mixedRules, Config{AllowedLateness: 10 * time.Minute})
		got = render(run(e, local))
		if got != want {
			t.Errorf("seed %d: bounded shuffle differs:\n%s", seed, diffLines(want, got))
		}
		if s := e.Stats(); s.Late != 0 {
			t.Errorf("seed %d: %d late observations with disorder within lateness", seed, s.Late)
		}
	}
}

func diffLines(want, got string) string {
	w := map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	g := map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
	}
	var b strings.Builder
	for l := range w {
		if !g[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for l := range g {
		if !w[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}

func TestSaveRestoreContinuesIdentically(t *testing.T) {
	cfg := Config{AllowedLateness: 20 * time.Minute}
	rng := rand.New(rand.NewSource(42))
	in := boundedShuffle(rng, workload(42, 1200), 20*time.Minute)
	want := render(run(newEngine(t, mixedRules, cfg), in))
	for _, cut := range []int{1, 300, 600, 1199} {
		e := newEngine(t, mixedRules, cfg)
		var got []Detection
		for _, o := range in[:cut] {
			got = append(got, e.Observe(o)...)
		}
		var a, b bytes.Buffer
		if err := e.Save(&a); err != nil {
			t.Fatal(err)
		}
		if err := e.Save(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("cut %d: two saves of the same state differ", cut)
		}
		r := newEngine(t, mixedRules, cfg)
		if err := r.Restore(bytes.NewReader(a.Bytes())); err != nil {
			t.Fatalf("cut %d: restore: %v", cut, err)
		}
		var c bytes.Buffer
		if err := r.Save(&c); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Fatalf("cut %d: save after restore differs from the saved bytes", cut)
		}
		if r.Stats().Groups != e.Stats().Groups || r.Stats().Buffered != e.Stats().Buffered {
			t.Errorf("cut %d: restored stats %+v, original %+v", cut, r.Stats(), e.Stats())
		}
		prefix := append([]Detection(nil), got...)
		if g := render(append(got, run(r, in[cut:])...)); g != want {
			t.Errorf("cut %d: restored run differs:\n%s", cut, diffLines(want, g))
		}
		// Saving did not disturb the original engine either.
		if g := render(append(prefix, run(e, in[cut:])...)); g != want {
			t.Errorf("cut %d: original run after Save differs:\n%s", cut, diffLines(want, g))
		}
	}
}

func TestRestoreRejectsForeignOrDamagedState(t *testing.T) {
	e := newEngine(t, mixedRules, DefaultConfig())
	for _, o := range workload(7, 200) {
		e.Observe(o)
	}
	var saved bytes.Buffer
	if err := e.Save(&saved); err != nil {
		t.Fatal(err)
	}
	other := newEngine(t, signinRules, DefaultConfig())
	if err := other.Restore(bytes.NewReader(saved.Bytes())); err == nil || !strings.Contains(err.Error(), "other correlation rules") {
		t.Errorf("restore into other rules: %v", err)
	}
	limits := newEngine(t, mixedRules, Config{MaxGroups: 5})
	if err := limits.Restore(bytes.NewReader(saved.Bytes())); err == nil {
		t.Error("restore with other limits accepted")
	}
	for _, bad := range []string{"", "{", `{"version":2}`, strings.Replace(saved.String(), `"src":0`, `"src":99`, 1),
		strings.Replace(saved.String(), `"version":1`, `"version":1,"extra":1`, 1)} {
		r := newEngine(t, mixedRules, DefaultConfig())
		if err := r.Restore(strings.NewReader(bad)); err == nil {
			t.Errorf("damaged state accepted: %.60q", bad)
		}
		if r.Stats().Groups != 0 {
			t.Errorf("failed restore changed the engine")
		}
	}
}

// Evictions are decided in event time too, so even with tight limits the
// detections (and the eviction counts) do not depend on input order.
func TestShuffledInputWithEvictionsGivesSameDetections(t *testing.T) {
	for _, seed := range []int64{11, 12, 13} {
		in := workload(seed, 1500)
		tight := Config{MaxGroups: 6, MaxEventsPerGroup: 8}
		sorted := newEngine(t, mixedRules, tight)
		want := render(run(sorted, in))
		ws := sorted.Stats()
		if ws.EvictionsByReason[EvictMaxGroups] == 0 || ws.EvictionsByReason[EvictMaxEvents] == 0 {
			t.Fatalf("seed %d: limits not reached: %+v", seed, ws)
		}
		rng := rand.New(rand.NewSource(seed))
		shuffled := append([]Observation(nil), in...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		tight.AllowedLateness = 7 * time.Hour
		e := newEngine(t, mixedRules, tight)
		if got := render(run(e, shuffled)); got != want {
			t.Errorf("seed %d: differs:\n%s", seed, diffLines(want, got))
		}
		gs := e.Stats()
		if fmt.Sprint(gs.EvictionsByReason) != fmt.Sprint(ws.EvictionsByReason) || gs.TruncatedEventIDs != ws.TruncatedEventIDs {
			t.Errorf("seed %d: stats differ: %+v vs %+v", seed, gs, ws)
		}
		if gs.Groups != 0 || gs.Buffered != 0 {
			t.Errorf("seed %d: Flush left %d groups and %d buffered", seed, gs.Groups, gs.Buffered)
		}
	}
}
