package gen

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// collect generates opt and returns a copy of every event.
func collect(t *testing.T, opt Options) [][]byte {
	t.Helper()
	var out [][]byte
	err := Generate(opt, func(ev []byte) error {
		out = append(out, bytes.Clone(ev))
		return nil
	})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return out
}

func digest(t *testing.T, opt Options) [32]byte {
	t.Helper()
	h := sha256.New()
	n := 0
	if err := Generate(opt, func(ev []byte) error { h.Write(ev); h.Write([]byte{'\n'}); n++; return nil }); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if n != opt.Events {
		t.Fatalf("got %d events, want %d", n, opt.Events)
	}
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d
}

func TestDeterministic(t *testing.T) {
	for _, sc := range []string{ScenarioMix, ScenarioBenignMonth} {
		opt := Options{Seed: 42, Events: 5000, Scenario: sc}
		a, b := digest(t, opt), digest(t, opt)
		if a != b {
			t.Errorf("%s: same seed gave different bytes", sc)
		}
		opt.Seed = 43
		if digest(t, opt) == a {
			t.Errorf("%s: different seeds gave the same bytes", sc)
		}
	}
}

// record is the subset of fields the tests inspect, decoded independently
// of the generator with encoding/json.
type record struct {
	EventID      string          `json:"eventID"`
	EventTime    string          `json:"eventTime"`
	EventName    string          `json:"eventName"`
	EventSource  string          `json:"eventSource"`
	AWSRegion    string          `json:"awsRegion"`
	Recipient    string          `json:"recipientAccountId"`
	ErrorCode    string          `json:"errorCode"`
	SourceIP     string          `json:"sourceIPAddress"`
	UserAgent    string          `json:"userAgent"`
	UserIdentity json.RawMessage `json:"userIdentity"`
	Response     map[string]any  `json:"responseElements"`
	Additional   map[string]any  `json:"additionalEventData"`
	ServiceEvent map[string]any  `json:"serviceEventDetails"`
}

type identityFields struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	UserName    string `json:"userName"`
}

func decodeAll(t *testing.T, evs [][]byte) []record {
	t.Helper()
	out := make([]record, len(evs))
	for i, ev := range evs {
		if !json.Valid(ev) {
			t.Fatalf("event %d is not valid JSON: %.200s", i, ev)
		}
		dec := json.NewDecoder(bytes.NewReader(ev))
		if err := dec.Decode(&out[i]); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	return out
}

func signInLike(r record) bool {
	switch r.EventSource {
	case "signin.amazonaws.com", "sso.amazonaws.com":
		return true
	case "iam.amazonaws.com":
		switch r.EventName {
		case "ChangePassword", "CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile",
			"EnableMFADevice", "DeactivateMFADevice", "DeleteVirtualMFADevice", "CreateVirtualMFADevice":
			return true
		}
	}
	return false
}

func TestEventsValidAndComplete(t *testing.T) {
	evs := collect(t, Options{Seed: 7, Events: 20000})
	recs := decodeAll(t, evs)
	var doc event.Doc
	for i, ev := range evs {
		if err := doc.Parse(ev); err != nil {
			t.Fatalf("event %d rejected by the project's JSON tape: %v", i, err)
		}
	}
	ids := make(map[string]bool, len(recs))
	sources := map[string]bool{}
	types := map[string]bool{}
	for i, r := range recs {
		if r.EventID == "" || r.EventName == "" || r.EventSource == "" || r.AWSRegion == "" || r.Recipient == "" {
			t.Fatalf("event %d lacks a required field: %s", i, evs[i])
		}
		if _, err := time.Parse(time.RFC3339, r.EventTime); err != nil {
			t.Fatalf("event %d: eventTime %q: %v", i, r.EventTime, err)
		}
		if ids[r.EventID] {
			t.Fatalf("duplicate eventID %s", r.EventID)
		}
		ids[r.EventID] = true
		sources[r.EventSource] = true
		var id identityFields
		if err := json.Unmarshal(r.UserIdentity, &id); err != nil || id.Type == "" {
			t.Fatalf("event %d: userIdentity without type: %s", i, r.UserIdentity)
		}
		types[id.Type] = true
	}
	for _, s := range []string{"s3", "ec2", "iam", "sts", "kms", "lambda", "cloudtrail", "logs", "ssm", "dynamodb", "signin", "sso"} {
		if !sources[s+".amazonaws.com"] {
			t.Errorf("no %s events", s)
		}
	}
	for _, ty := range []string{"IAMUser", "AssumedRole", "AWSService", "Root", "FederatedUser", "Unknown", "IdentityCenterUser", "SAMLUser"} {
		if !types[ty] {
			t.Errorf("no userIdentity of type %s", ty)
		}
	}
}

func TestSignInFractionSizeAndErrors(t *testing.T) {
	for _, frac := range []float64{0, 0.1} {
		opt := Options{Seed: 11, Events: 30000, SignInFraction: frac}
		evs := collect(t, opt)
		recs := decodeAll(t, evs)
		var signins, errs, total, nonIP int
		for i, r := range recs {
			total += len(evs[i])
			if signInLike(r) {
				signins++
			}
			if r.ErrorCode != "" {
				errs++
			}
			if strings.HasSuffix(r.SourceIP, ".amazonaws.com") || r.SourceIP == "AWS Internal" {
				nonIP++
			}
		}
		want := frac
		if want == 0 {
			want = 0.03
		}
		got := float64(signins) / float64(len(recs))
		if math.Abs(got-want) > want*0.1 {
			t.Errorf("SignInFraction %v: got %.4f sign-in events, want %.4f ±10%%", frac, got, want)
		}
		if frac == 0 {
			mean := float64(total) / float64(len(recs))
			if mean < 1300 || mean > 1900 {
				t.Errorf("mean event size %.0f bytes, want about 1600", mean)
			}
			if e := float64(errs) / float64(len(recs)); e < 0.01 || e > 0.08 {
				t.Errorf("error share %.3f, want a few percent", e)
			}
			if nonIP == 0 {
				t.Error("no service-name source addresses")
			}
			t.Logf("mean size %.0f B, errors %.2f%%, sign-in %.2f%%, service-name sources %d", mean, 100*float64(errs)/float64(len(recs)), 100*got, nonIP)
		}
	}
}

func TestCompressionRatioRealistic(t *testing.T) {
	evs := collect(t, Options{Seed: 3, Events: 5000})
	var raw bytes.Buffer
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	for i := 0; i < len(evs); i += 100 { // files of 100 records, like a busy trail
		raw.Reset()
		raw.WriteString(`{"Records":[`)
		for j := i; j < i+100 && j < len(evs); j++ {
			if j > i {
				raw.WriteByte(',')
			}
			raw.Write(evs[j])
		}
		raw.WriteString(`]}`)
		zw.Reset(&zb)
		zw.Write(raw.Bytes())
		zw.Close()
	}
	var n int
	for _, e := range evs {
		n += len(e) + 1
	}
	ratio := float64(n) / float64(zb.Len())
	// Real trails: about 5.5x for tiny files (suzaku sample), 8.5x for
	// files of ~50 records (invictus sample).
	if ratio < 4 || ratio > 12 {
		t.Errorf("gzip ratio %.2f, want within real CloudTrail's 4-12", ratio)
	}
	t.Logf("gzip ratio %.2f", ratio)
}

func TestTimeOrderAndSpan(t *testing.T) {
	start := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	recs := decodeAll(t, collect(t, Options{Seed: 5, Events: 10000, Start: start, Span: time.Hour}))
	for i, r := range recs {
		tm, _ := time.Parse(time.RFC3339, r.EventTime)
		if tm.Before(start.Add(-time.Hour)) || tm.After(start.Add(2*time.Hour)) {
			t.Fatalf("event %d at %v is far outside [%v, +1h]", i, tm, start)
		}
	}
	var latest time.Time
	for i, r := range recs {
		tm, _ := time.Parse(time.RFC3339, r.EventTime)
		if tm.After(latest) {
			latest = tm
		}
		if latest.Sub(tm) > 5*time.Minute {
			t.Fatalf("event %d at %v trails the latest event (%v) by more than 5 minutes", i, tm, latest)
		}
	}
	first, _ := time.Parse(time.RFC3339, recs[0].EventTime)
	last, _ := time.Parse(time.RFC3339, recs[len(recs)-1].EventTime)
	if d := last.Sub(first); d < 50*time.Minute || d > 70*time.Minute {
		t.Errorf("events span %v, want about 1h", d)
	}
}

func TestOptionsValidated(t *testing.T) {
	bad := []Options{{Scenario: "attack"}, {Events: -1}, {Accounts: -2}, {SignInFraction: 2}, {Span: -time.Second}}
	for _, o := range bad {
		if err := Generate(o, func([]byte) error { return nil }); err == nil {
			t.Errorf("Generate(%+v) accepted invalid options", o)
		}
	}
}

func TestCallbackErrorStops(t *testing.T) {
	n := 0
	stop := errTest("stop")
	err := Generate(Options{Events: 1000}, func([]byte) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if err != stop || n != 10 {
		t.Errorf("got err=%v after %d events, want the callback's error after 10", err, n)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }
