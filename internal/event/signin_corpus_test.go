package event

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"sort"
	"strings"
	"testing"
)

// The shared corpus of sign-in events from real logs, vendor tests and AWS
// docs. Expectations are computed here independently, with encoding/json
// and net.ParseIP, never by the code under test.
const signinCorpus = "../../../shared/corpus/signin-fixtures/signin-events.jsonl"

type corpusEvent struct {
	line int
	raw  string
	m    map[string]any
}

func loadCorpus(t *testing.T) []corpusEvent {
	t.Helper()
	f, err := os.Open(signinCorpus)
	if err != nil {
		t.Skipf("shared sign-in corpus not available (%v)", err)
	}
	defer f.Close()
	var out []corpusEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		out = append(out, corpusEvent{n, sc.Text(), m})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func getPath(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

func TestCorpusSignIns(t *testing.T) {
	for _, e := range loadCorpus(t) {
		src, _ := e.m["eventSource"].(string)
		name, _ := e.m["eventName"].(string)
		s, ok := NormalizeSignIn(parse(t, e.raw))
		if ok != IsSignIn(src, name) {
			t.Errorf("line %d: normalized %v for %s/%s", e.line, ok, src, name)
		}
		if !ok {
			continue
		}
		if r, isStr := getPath(e.m, "responseElements", name).(string); isStr && (r == "Success" || r == "Failure") && string(s.Outcome) != r {
			t.Errorf("line %d: outcome %s, responseElements says %s", e.line, s.Outcome, r)
		}
		switch v := getPath(e.m, "additionalEventData", "MFAUsed").(type) {
		case string:
			if want := strings.EqualFold(v, "yes"); s.MFAUsed != want || !s.MFAKnown {
				t.Errorf("line %d: MFAUsed %q read as %v", e.line, v, s.MFAUsed)
			}
		case bool:
			if s.MFAUsed != v || !s.MFAKnown {
				t.Errorf("line %d: MFAUsed %v read as %v", e.line, v, s.MFAUsed)
			}
		}
		raw, _ := e.m["sourceIPAddress"].(string)
		if ip := net.ParseIP(raw); (ip != nil) != s.SourceIsIP {
			t.Errorf("line %d: %q is IP %v, normalized says %v", e.line, raw, ip != nil, s.SourceIsIP)
		} else if ip == nil && s.SourceIP != raw {
			t.Errorf("line %d: non-IP %q rewritten to %q", e.line, raw, s.SourceIP)
		}
		if un, _ := getPath(e.m, "userIdentity", "userName").(string); un == HiddenUser && (!s.Actor.Hidden || s.Actor.Name != "") {
			t.Errorf("line %d: hidden user taken as a principal: %+v", e.line, s.Actor)
		}
		if typ, _ := getPath(e.m, "userIdentity", "type").(string); typ == "Root" && s.Actor.Type != ActorRoot {
			t.Errorf("line %d: root read as %s", e.line, s.Actor.Type)
		}
	}
}

// TestCorpusStitching feeds the Identity Center steps of the corpus in time
// order and checks that every AuthWorkflowID became exactly one attempt
// holding all of its steps.
func TestCorpusStitching(t *testing.T) {
	var recs []SignIn
	flows := map[string]int{}
	for _, e := range loadCorpus(t) {
		s, ok := NormalizeSignIn(parse(t, e.raw))
		if !ok || !Stitchable(&s) || s.Untimed {
			continue
		}
		recs = append(recs, s)
		if wf, _ := getPath(e.m, "additionalEventData", "AuthWorkflowID").(string); wf != "" && wf != "redacted" {
			flows[wf]++
		}
	}
	if len(flows) == 0 {
		t.Skip("no Identity Center flows in the corpus")
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time.Before(recs[j].Time) })
	st := NewStitcher(StitchConfig{})
	var got []Attempt
	for _, r := range recs {
		got = append(got, st.Add(r)...)
	}
	got = append(got, st.Flush()...)
	seen := map[string]int{}
	for _, a := range got {
		if a.WorkflowID == "" || flows[a.WorkflowID] == 0 {
			continue
		}
		if seen[a.WorkflowID]++; seen[a.WorkflowID] > 1 {
			t.Errorf("workflow %s split into several attempts", a.WorkflowID)
		}
		if len(a.Steps) != flows[a.WorkflowID] {
			t.Errorf("workflow %s: %d steps, corpus has %d", a.WorkflowID, len(a.Steps), flows[a.WorkflowID])
		}
		lastFailed, authenticated := false, false
		for _, s := range a.Steps {
			if s.EventName == "CredentialVerification" {
				lastFailed = s.Outcome == Failure
			}
			authenticated = authenticated || (s.EventName == "UserAuthentication" && s.Outcome == Success)
		}
		if want := map[bool]Outcome{true: Success, false: Failure}[authenticated]; (authenticated || lastFailed) && a.Outcome != want {
			t.Errorf("workflow %s: outcome %s, want %s", a.WorkflowID, a.Outcome, want)
		}
	}
	if len(seen) != len(flows) {
		t.Errorf("%d workflows stitched, corpus has %d", len(seen), len(flows))
	}
}
