package rules_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/internal/sigma"
	"github.com/signwatch/signwatch/rules"
)

// counterparts maps another vendor's rule (its path in the labelled fixtures'
// sources file) to the built-in rule with the same per-event logic. Vendor
// rules whose verdict rests on a threshold evaluate each event on its own in
// their tests (the threshold applies later), so they map to our building
// blocks.
var counterparts = map[string]string{
	"rules/aws_cloudtrail_rules/aws_cloudtrail_loginprofilecreatedormodified.yml": "aws_login_profile_other_user",
	"rules/aws_cloudtrail_rules/aws_user_login_profile_modified.yml":              "aws_login_profile_other_user",
	"rules/aws_cloudtrail_rules/aws_cloudtrail_password_spraying.yml":             "aws_console_login_failure",
	"rules/aws_cloudtrail_rules/aws_cloudtrail_unsuccessful_mfa_attempt.yml":      "aws_mfa_failed_iam",
	"rules/aws_cloudtrail_rules/aws_console_getsignintoken.yml":                   "aws_getsignintoken_outside_sso",
	"rules/aws_cloudtrail_rules/aws_console_login_without_mfa.yml":                "aws_console_login_without_mfa",
	"rules/aws_cloudtrail_rules/aws_console_root_login.yml":                       "aws_root_console_login",
	"rules/aws_cloudtrail_rules/aws_console_root_login_failed.yml":                "aws_root_console_login_failure",
	"rules/aws_cloudtrail_rules/aws_root_password_changed.yml":                    "aws_root_password_changed",
	"rules/standard_rules/brute_force_by_ip.yml":                                  "aws_console_login_failure",
	"rules/standard_rules/brute_force_by_user.yml":                                "aws_console_login_failure",
}

// differences lists the labelled cases where signwatch deliberately gives
// another verdict, keyed by "rule path :: test name"; docs/detections.md
// explains each.
var differences = map[string]string{
	"rules/aws_cloudtrail_rules/aws_console_login_without_mfa.yml :: No MFA Login - New User":          "Panther stays quiet for a user created recently (a lookup in its state store); the event itself is a sign-in without MFA and signwatch reports it",
	"rules/aws_cloudtrail_rules/aws_cloudtrail_loginprofilecreatedormodified.yml :: ChangeOwnPassword": "the actor is an assumed-role session whose session name equals the target user: the session name is chosen by whoever assumed the role, so it does not prove the user changed their own password",
	"rules/aws_cloudtrail_rules/aws_user_login_profile_modified.yml :: ChangeOwnPassword":              "same event and reason as the case above",
}

var sourceLine = regexp.MustCompile(`^(\d+)\t[^:]+:(\S+) :: Tests\[(.*)\] ExpectedResult=(True|False)\t`)

// TestOutsideLabels checks the catalog against the verdicts of another
// vendor's tests on the labelled sign-in fixtures.
func TestOutsideLabels(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "signin-fixtures")
	src, err := os.Open(filepath.Join(dir, "signin-events.sources.txt"))
	if err != nil {
		t.Skipf("labelled fixtures not available (%v): this check runs where ../shared is present", err)
	}
	defer src.Close()
	events := readLines(t, filepath.Join(dir, "signin-events.jsonl"))
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	sc := bufio.NewScanner(src)
	for sc.Scan() {
		m := sourceLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ours, ok := counterparts[m[2]]
		if !ok {
			continue
		}
		line := atoi(m[1])
		key := m[2] + " :: " + m[3]
		want := m[4] == "True"
		if why, deliberate := differences[key]; deliberate && why != "" {
			want = !want
		}
		got := fires(t, set, ours, events[line-1])
		checked++
		if got != want {
			t.Errorf("fixture line %d (%s): %s fired=%v, want %v", line, key, ours, got, want)
		}
	}
	if checked < 20 {
		t.Errorf("only %d labelled cases had a counterpart; the sources file may have changed shape", checked)
	}
	t.Logf("%d labelled cases checked against their counterparts", checked)
}

func fires(t *testing.T, set *ruleset.Set, name string, raw []byte) bool {
	t.Helper()
	var doc event.Doc
	if err := doc.Parse(raw); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	hit := false
	set.Match(doc.Root(), raw, nil, func(m sigma.Match) {
		if m.Rule.Name == name {
			hit = true
		}
	})
	return hit
}

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("labelled fixtures not available: %v", err)
	}
	var out [][]byte
	for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		out = append(out, []byte(l))
	}
	return out
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
