package scan_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/baseline"
	"github.com/signwatch/signwatch/internal/geo"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/internal/scan"
	"github.com/signwatch/signwatch/rules"
)

const sample = "../../testdata/sample"

func catalog(t testing.TB) *ruleset.Set {
	t.Helper()
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func run(t *testing.T, paths []string, workers int) *scan.Result {
	t.Helper()
	res, err := scan.Run(context.Background(), scan.Options{Paths: paths, Rules: catalog(t), Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// sampleEvents reads the sample's events with the standard library only,
// independently of the decoder under test.
func sampleEvents(t *testing.T) []json.RawMessage {
	t.Helper()
	var events []json.RawMessage
	err := filepath.WalkDir(sample, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		var doc struct{ Records []json.RawMessage }
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			return err
		}
		events = append(events, doc.Records...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// fingerprint is what must not depend on how the events were delivered.
func fingerprint(res *scan.Result) string {
	var lines []string
	for _, a := range res.Alerts {
		ids := append([]string(nil), a.EventIDs...)
		sort.Strings(ids)
		lines = append(lines, fmt.Sprintf("%s|%s|%s|%d|%s", a.Rule.ID, a.FirstSeen.UTC().Format("15:04:05"), a.GroupKeyString(), a.Count, strings.Join(ids, ",")))
	}
	sort.Strings(lines)
	v := res.Summary.View()
	return fmt.Sprintf("alerts:\n%s\nunique=%d signins=%v mfa=%v root=%v regions=%v accounts=%v range=%v",
		strings.Join(lines, "\n"), v.Events.Unique, v.SignIns, v.MFA, v.Root, v.Regions, v.Accounts, v.TimeRange)
}

// TestSampleDetections checks the attacks staged in the sample are found
// and ordinary activity is not.
func TestSampleDetections(t *testing.T) {
	res := run(t, []string{sample}, 0)
	fired := map[string]int{}
	for _, a := range res.Alerts {
		fired[a.Rule.Title]++
	}
	for _, want := range []string{
		"Root Sign-In Brute Force", "Password Spraying From One Source IP", "Console Sign-In Success After Repeated Failures",
		"MFA Failed After Correct Password (IAM User)", "MFA Failed in IAM Identity Center", "Root Password Recovery Requested",
		"Console Sign-In With EC2 Instance Credentials", "Root Console Sign-In",
	} {
		if fired[want] == 0 {
			t.Errorf("%q did not fire on the sample; fired: %v", want, fired)
		}
	}
	for _, a := range res.Alerts {
		if alert.Level(a.Rule.Level).Rank() >= alert.High.Rank() && a.Actor == "arn:aws:iam::111122223333:user/alice" {
			t.Errorf("alice's ordinary MFA sign-in raised %q", a.Rule.Title)
		}
	}
	if fired["Root Sign-In Brute Force"] != 1 {
		t.Errorf("brute force of 6 attempts should be one detection, got %d", fired["Root Sign-In Brute Force"])
	}
	if res.Summary.View().Events.Duplicates == 0 {
		t.Error("the sample delivers one file twice; no duplicates were counted")
	}
}

// TestOrderIndependent: file order and parallelism do not change results.
func TestOrderIndependent(t *testing.T) {
	events := sampleEvents(t)
	dir := t.TempDir()
	// Reverse the events and split them into files in another order.
	for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
		events[i], events[j] = events[j], events[i]
	}
	for k := 0; k < len(events); k += 7 {
		end := min(k+7, len(events))
		writeJSON(t, filepath.Join(dir, fmt.Sprintf("part-%03d.json", k)), map[string]any{"Records": events[k:end]})
	}
	want := fingerprint(run(t, []string{sample}, 1))
	for _, workers := range []int{1, 3} {
		if got := fingerprint(run(t, []string{dir}, workers)); got != want {
			t.Errorf("workers=%d, shuffled files: results differ\n got: %s\nwant: %s", workers, got, want)
		}
	}
}

// TestShapesGiveSameResult delivers the same events in every input shape.
func TestShapesGiveSameResult(t *testing.T) {
	events := sampleEvents(t)
	want := fingerprint(run(t, []string{sample}, 0))
	shapes := map[string]func(dir string){
		"array": func(dir string) { writeJSON(t, filepath.Join(dir, "a.json"), events) },
		"jsonl": func(dir string) {
			writeLines(t, filepath.Join(dir, "a.log"), events, func(e json.RawMessage) []byte { return e })
		},
		"eventbridge": func(dir string) {
			writeLines(t, filepath.Join(dir, "eb.jsonl"), events, func(e json.RawMessage) []byte {
				return mustJSON(t, map[string]any{"version": "0", "detail-type": "AWS API Call via CloudTrail", "source": "aws.signin", "detail": e})
			})
		},
		"cloudwatch-logs-base64": func(dir string) {
			writeLines(t, filepath.Join(dir, "cwl.txt"), events, func(e json.RawMessage) []byte {
				payload := mustJSON(t, map[string]any{"messageType": "DATA_MESSAGE", "logGroup": "trail", "logEvents": []any{map[string]any{"id": "1", "timestamp": 0, "message": string(e)}}})
				return []byte(base64.StdEncoding.EncodeToString(gz(t, payload)))
			})
		},
		"zip-of-gz": func(dir string) {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create("AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/x.json.gz")
			w.Write(gz(t, mustJSON(t, map[string]any{"Records": events})))
			zw.Close()
			os.WriteFile(filepath.Join(dir, "bundle.zip"), buf.Bytes(), 0o600)
		},
		// The walk does not sniff delivery names: the decoder expands it.
		"zip-named-json": func(dir string) {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create("x.json")
			w.Write(mustJSON(t, map[string]any{"Records": events}))
			zw.Close()
			os.WriteFile(filepath.Join(dir, "export.json"), buf.Bytes(), 0o600)
		},
	}
	for name, write := range shapes {
		dir := t.TempDir()
		write(dir)
		if got := fingerprint(run(t, []string{dir}, 0)); got != want {
			t.Errorf("%s: results differ from the S3 objects\n got: %s\nwant: %s", name, got, want)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := os.WriteFile(path, mustJSON(t, v), 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeLines(t *testing.T, path string, events []json.RawMessage, line func(json.RawMessage) []byte) {
	t.Helper()
	var buf bytes.Buffer
	for _, e := range events {
		buf.Write(line(e))
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestProgressFinalSnapshot checks that the last progress report counts
// every event read and every input decoded, whatever the number of workers.
func TestProgressFinalSnapshot(t *testing.T) {
	for _, workers := range []int{1, 3} {
		var last scan.Progress
		calls := 0
		res, err := scan.Run(context.Background(), scan.Options{Paths: []string{sample}, Rules: catalog(t), Workers: workers,
			Progress: func(p scan.Progress) { last = p; calls++ }})
		if err != nil {
			t.Fatal(err)
		}
		v := res.Summary.View()
		if calls == 0 || last.Events != v.Events.Read || last.Inputs != v.Files.Read+v.Files.Skipped || !last.WalkDone {
			t.Errorf("workers=%d: last progress %+v after %d calls; summary read %d events from %d files (%d skipped)",
				workers, last, calls, v.Events.Read, v.Files.Read, v.Files.Skipped)
		}
	}
}

// icStep is an Identity Center sign-in step of workflow wf, shaped like
// AWS's documented events (reference/seeds): the result under
// serviceEventDetails.
func icStep(wf, name, result string, at time.Time) map[string]any {
	return map[string]any{
		"eventVersion": "1.08",
		"userIdentity": map[string]any{"type": "Unknown", "principalId": "111122223333", "accountId": "111122223333", "userName": "user1"},
		"eventTime":    at.Format(time.RFC3339), "eventSource": "signin.amazonaws.com", "eventName": name,
		"awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.0", "userAgent": "Mozilla/5.0",
		"additionalEventData": map[string]any{"AuthWorkflowID": wf, "CredentialType": "PASSWORD"},
		"serviceEventDetails": map[string]any{name: result},
		"eventID":             wf + "-" + name + "-" + result, "eventType": "AwsServiceEvent", "recipientAccountId": "111122223333",
	}
}

// consoleLogin is a successful IAM user console sign-in of alice from ip.
func consoleLogin(id, ip string, at time.Time) map[string]any {
	return map[string]any{
		"eventVersion": "1.08",
		"userIdentity": map[string]any{"type": "IAMUser", "principalId": "AIDAEXAMPLEALICE", "accountId": "111122223333",
			"arn": "arn:aws:iam::111122223333:user/alice", "userName": "alice"},
		"eventTime": at.Format(time.RFC3339), "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
		"awsRegion": "us-east-1", "sourceIPAddress": ip, "userAgent": "Mozilla/5.0",
		"requestParameters": nil, "responseElements": map[string]any{"ConsoleLogin": "Success"},
		"additionalEventData": map[string]any{"MFAUsed": "Yes", "LoginTo": "https://console.aws.amazon.com/console/home"},
		"eventID":             id, "eventType": "AwsConsoleSignIn", "recipientAccountId": "111122223333",
	}
}

// The new-country baseline learns from the whole scan in event time,
// whatever order the files are read in: alice's first sign-in starts the
// account's learning period and her baseline, and her sign-in from another
// country after it is the finding. Fed in file order (the later file
// first), the later sign-in would start the learning period and nothing
// would be found.
func TestNewCountryFollowsEventTime(t *testing.T) {
	var ips []string
	seen := map[string]bool{}
	for _, ip := range []string{"8.8.8.8", "193.0.6.139", "202.12.29.205", "200.160.2.3", "1.1.1.1"} {
		if c := geo.Country(ip); c != "" && !seen[c] {
			seen[c] = true
			ips = append(ips, ip)
		}
	}
	if len(ips) < 2 {
		t.Fatalf("the embedded data places fewer than two of the addresses in a country: %v", ips)
	}
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "a.json"), map[string]any{"Records": []any{consoleLogin("later", ips[1], t0.Add(3*time.Hour))}})
	writeJSON(t, filepath.Join(dir, "b.json"), map[string]any{"Records": []any{consoleLogin("first", ips[0], t0)}})
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}, Rules: catalog(t), Workers: 1,
		NewCountry: &baseline.Config{LearningPeriod: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, a := range res.Alerts {
		if a.Rule.Kind == alert.KindBaseline {
			found = append(found, a.EventIDs...)
		}
	}
	if len(found) != 1 || found[0] != "later" {
		t.Fatalf("want one new-country finding, on the later sign-in; got %v", found)
	}
}

// The Identity Center steps of the whole scan are stitched in event time,
// whatever order the files are read in. Two sign-ins an hour apart (the
// first with a mistyped password) are two successful attempts even when
// the later one's file is read first: fed in file order, the later time
// would expire the earlier flow after its first step and split it.
func TestStitchingFollowsEventTime(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	later := t0.Add(time.Hour)
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "a.json"), map[string]any{"Records": []any{
		icStep("wf2", "CredentialVerification", "Success", later),
		icStep("wf2", "UserAuthentication", "Success", later.Add(time.Second)),
	}})
	writeJSON(t, filepath.Join(dir, "b.json"), map[string]any{"Records": []any{
		icStep("wf1", "CredentialVerification", "Failure", t0),
		icStep("wf1", "CredentialVerification", "Success", t0.Add(10*time.Second)),
		icStep("wf1", "UserAuthentication", "Success", t0.Add(11*time.Second)),
	}})
	ic := run(t, []string{dir}, 1).Summary.View().IdentityCenter
	if ic.Attempts != 2 || ic.Outcomes.Success != 2 || ic.Outcomes.Failure != 0 {
		t.Fatalf("want two successful attempts, got %+v", ic)
	}
}
