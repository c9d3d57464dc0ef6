package baseline

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

const corpusFile = "../../../shared/corpus/signin-fixtures/signin-events.jsonl"

// independentSuccess decides, with encoding/json and without the event
// package, whether a corpus event is a timed, successful console login or
// Identity Center authentication by a principal that can be named.
func independentSuccess(line []byte) bool {
	var e struct {
		EventSource, EventName, EventTime, ErrorCode, ErrorMessage string
		Timestamp                                                  string `json:"@timestamp"`
		ResponseElements                                           map[string]any
		UserIdentity                                               struct{ Type, UserName, UserID, Arn, PrincipalID string }
	}
	if json.Unmarshal(line, &e) != nil || e.UserIdentity.UserName == event.HiddenUser || e.EventTime+e.Timestamp == "" {
		return false
	}
	ui := e.UserIdentity
	switch {
	case e.EventSource == "signin.amazonaws.com" && e.EventName == "ConsoleLogin":
		if r, _ := e.ResponseElements["ConsoleLogin"].(string); !strings.EqualFold(r, "Success") {
			return false
		}
		switch ui.Type {
		case "Root":
			return true
		case "IAMUser", "FederatedUser":
			return ui.UserName != "" || ui.Arn != ""
		case "AssumedRole":
			return strings.Contains(ui.Arn, ":assumed-role/") || strings.Contains(ui.PrincipalID, ":")
		case "IdentityCenterUser":
			return ui.UserName != "" || ui.UserID != ""
		}
	case e.EventSource == "sso.amazonaws.com" && e.EventName == "Authenticate":
		return e.ErrorCode == "" && e.ErrorMessage == "" && (ui.UserName != "" || ui.UserID != "")
	}
	return false
}

// TestCorpusSignIns runs the labelled sign-in events (other projects'
// fixtures and AWS documentation examples) through FromEvent and the
// detector.
func TestCorpusSignIns(t *testing.T) {
	f, err := os.Open(corpusFile)
	if err != nil {
		t.Skipf("corpus not available (%v): skipping", err)
	}
	defer f.Close()
	d, err := NewCountry(Config{LearningPeriod: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := NewSequencer(0, 0) // the fixtures come from many sources, in no time order
	observe := func(s SignIn) {
		if f, ok := d.Observe(s); ok {
			t.Logf("finding: %s %s from %s (%s), baseline %v", s.Account, s.Principal, s.SourceIP, f.Country, f.Known)
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	taken, lineNo := 0, 0
	for sc.Scan() {
		lineNo++
		doc := new(event.Doc)
		if doc.Parse(sc.Bytes()) != nil {
			continue
		}
		ev, ok := event.NormalizeSignIn(doc.Root())
		if !ok {
			continue
		}
		s, ok := FromEvent(&ev)
		want := independentSuccess(sc.Bytes())
		if ok != want {
			t.Errorf("line %d (%s %s %s): FromEvent %v, independent decision %v", lineNo, ev.EventName, ev.Actor.Type, ev.Outcome, ok, want)
		}
		if !ok {
			continue
		}
		taken++
		if s.Account == "" || s.Principal == "" || strings.Contains(s.Principal, event.HiddenUser) {
			t.Errorf("line %d: bad sign-in %+v", lineNo, s)
		}
		q.Push(s, observe)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	q.Flush(observe)
	if taken == 0 {
		t.Fatal("no successful sign-in in the corpus")
	}
	st := d.Stats()
	if st.SignIns != int64(taken) || st.Ignored != 0 {
		t.Errorf("stats %+v for %d sign-ins", st, taken)
	}
	t.Logf("%d successful sign-ins, %+v", taken, st)
}
