package ruleset_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/signwatch/signwatch/internal/config"
	"github.com/signwatch/signwatch/internal/correlate"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/internal/sigma"
	"github.com/signwatch/signwatch/rules"
)

// With SkipTests the rules load as they do otherwise, but the tests they
// carry are not read: a broken test does not stop a scan (rules validate
// and rules test still report it).
func TestSkipTests(t *testing.T) {
	dir := t.TempDir()
	rule := `title: Root sign-in
id: 5e0c3a1d-31a2-4e0e-9f57-0b6c1d2a3f40
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: ConsoleLogin, userIdentity.type: Root}
  condition: sel
level: high
signwatch:
  tests:
    - name: broken
      events: not-a-list
`
	if err := os.WriteFile(filepath.Join(dir, "root.yml"), []byte(rule), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ruleset.Load(ruleset.Options{Paths: []string{dir}}); err == nil {
		t.Fatal("a broken test must fail a load that reads tests")
	}
	set, err := ruleset.Load(ruleset.Options{Paths: []string{dir}, SkipTests: true})
	if err != nil {
		t.Fatalf("SkipTests: %v", err)
	}
	if len(set.Rules) != 1 || len(set.Tests) != 0 {
		t.Fatalf("SkipTests: %d rules, %d test suites; want 1 and 0", len(set.Rules), len(set.Tests))
	}
	// The catalog loads the same rules either way.
	all, err := ruleset.Load(ruleset.Options{Builtin: rules.FS})
	if err != nil {
		t.Fatal(err)
	}
	fast, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, SkipTests: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Tests) == 0 || len(fast.Tests) != 0 || len(all.Rules) != len(fast.Rules) || len(all.Correlations) != len(fast.Correlations) {
		t.Errorf("catalog: %d/%d rules, %d/%d correlations, %d/%d test suites",
			len(all.Rules), len(fast.Rules), len(all.Correlations), len(fast.Correlations), len(all.Tests), len(fast.Tests))
	}
}

// Files are parsed concurrently; the set and its errors come out in load
// order whatever the number of cores.
func TestLoadOrderIndependentOfCores(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		body := fmt.Sprintf("title: rule %02d\nid: 00000000-0000-4000-8000-0000000000%02d\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: E%d}\n  condition: sel\nlevel: low\n", i, i, i)
		if i%7 == 3 {
			body = fmt.Sprintf("title: broken %02d\ndetection: [\n", i) // a YAML error
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%02d.yml", i)), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	load := func(procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		_, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, Paths: []string{dir}})
		if err == nil {
			t.Fatal("broken files must fail the load")
		}
		return err.Error()
	}
	one := load(1)
	for _, procs := range []int{2, 8} {
		if got := load(procs); got != one {
			t.Fatalf("GOMAXPROCS=%d: errors differ from one core's:\n%s\n---\n%s", procs, got, one)
		}
	}
	for i := 0; i < 40; i++ {
		dir2 := filepath.Join(dir, fmt.Sprintf("r%02d.yml", i))
		if i%7 == 3 {
			os.Remove(dir2)
		}
	}
	ids := func(procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, Paths: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, r := range set.Rules {
			b.WriteString(r.ID + " " + r.File + "\n")
		}
		for _, c := range set.Correlations {
			b.WriteString(c.Title + "\n")
		}
		return b.String()
	}
	if a, b := ids(1), ids(8); a != b {
		t.Fatalf("rule order depends on the number of cores:\n%s\n---\n%s", a, b)
	}
}

// BenchmarkLoad is a scan's rule loading: the built-in catalog, and with
// every SigmaHQ CloudTrail rule when ../shared is present, without the
// rules' tests (as a scan loads them). `-cpu 1,2` shows the parallel parse.
func BenchmarkLoad(b *testing.B) {
	opt := ruleset.Options{Builtin: rules.FS, SkipTests: true}
	shared := filepath.Join("..", "..", "..", "shared", "rules", "sigmahq")
	if _, err := os.Stat(shared); err == nil {
		ph, err := config.LoadPlaceholders(filepath.Join("..", "..", "testdata", "sigmahq-placeholders.yml"))
		if err != nil {
			b.Fatal(err)
		}
		opt.Paths = []string{filepath.Join(shared, "rules"), filepath.Join(shared, "rules-placeholder")}
		opt.Placeholders = ph
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ruleset.Load(opt); err != nil {
			b.Fatal(err)
		}
	}
}

// Duplicate rule ids are an error even when one of the rules is for
// another log source (and so never compiled into the engine).
func TestDuplicateIDAcrossLogsources(t *testing.T) {
	windows := strings.Replace(strings.Replace(loginRule, "{product: aws, service: cloudtrail}", "{product: windows, service: security}", 1), "name: console_login", "name: other", 1)
	dir := writeRules(t, map[string]string{"a.yml": loginRule, "b.yml": windows})
	_, err := ruleset.Load(ruleset.Options{Paths: []string{dir}})
	if err == nil || !strings.Contains(err.Error(), "11111111-1111-4111-8111-111111111111") {
		t.Fatalf("duplicate id: got %v", err)
	}
}

// A directory contributes its .yml and .yaml files, and only those, all
// listed in Files.
func TestRuleFileExtensions(t *testing.T) {
	second := strings.Replace(strings.Replace(loginRule, "11111111-1111-4111-8111-111111111111", "33333333-3333-4333-8333-333333333333", 1), "name: console_login", "name: second", 1)
	dir := writeRules(t, map[string]string{"a.yml": loginRule, "b.yaml": second, "c.txt": "not: a rule\n"})
	set, err := ruleset.Load(ruleset.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Rules) != 2 || len(set.Files) != 2 || filepath.Base(set.Files[0]) != "a.yml" || filepath.Base(set.Files[1]) != "b.yaml" {
		t.Fatalf("%d rules, files %v; want 2 rules from a.yml and b.yaml", len(set.Rules), set.Files)
	}
}

// A meta filter in a user's file applies to the rules it names.
func TestUserFilterApplies(t *testing.T) {
	filter := `title: Lab address
logsource: {product: aws, service: cloudtrail}
filter:
  rules: [console_login]
  lab: {sourceIPAddress: 192.0.2.10}
  condition: lab
`
	tests := `rule: console_login
tests:
  - {name: lab, expect: no-match, events: [{eventSource: signin.amazonaws.com, eventName: ConsoleLogin, sourceIPAddress: 192.0.2.10}]}
  - {name: elsewhere, expect: match, events: [{eventSource: signin.amazonaws.com, eventName: ConsoleLogin, sourceIPAddress: 192.0.2.11}]}
`
	set := loadRules(t, map[string]string{"login.yml": loginRule, "lab.yml": filter, "login.tests.yml": tests})
	if len(set.Filters) != 1 {
		t.Fatalf("%d filters, want 1", len(set.Filters))
	}
	if res := set.RunTests(); len(res) != 2 || len(failures(res)) != 0 {
		t.Fatalf("filter: failing %v", failures(res))
	}
}

// Referenced and Reported (Sigma correlation specification): a rule or
// correlation that a correlation uses, by id or by name, is not an alert of
// its own unless one of the correlations using it says generate: true.
func TestReported(t *testing.T) {
	base := func(id, name string) string {
		return "title: " + name + "\nid: " + id + "\nname: " + name + "\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: " + name + "}\n  condition: sel\nlevel: low\n"
	}
	corr := func(id, name, ref, generate string) string {
		return "title: " + name + "\nid: " + id + "\nname: " + name + "\ncorrelation:\n  type: event_count\n  rules: [" + ref + "]\n  group-by: [sourceIPAddress]\n  timespan: 5m\n  condition: {gte: 2}\n" + generate + "level: high\n"
	}
	const (
		a, b, c, inner, outer = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002", "aaaaaaaa-0000-4000-8000-000000000003", "cccccccc-0000-4000-8000-000000000001", "cccccccc-0000-4000-8000-000000000002"
	)
	set := loadRules(t, map[string]string{
		"a.yml":     base(a, "rule_a"),
		"b.yml":     base(b, "rule_b"),
		"c.yml":     base(c, "rule_c"),
		"inner.yml": corr(inner, "inner", "rule_a", ""),                                         // uses a by name
		"outer.yml": corr(outer, "outer", "inner", ""),                                          // uses inner by name
		"gen.yml":   corr("cccccccc-0000-4000-8000-000000000003", "gen", b, "generate: true\n"), // uses b by id, generating
		"quiet.yml": corr("cccccccc-0000-4000-8000-000000000004", "quiet", b, ""),               // uses b by id, not generating
	})
	for _, tc := range []struct {
		id                 string
		referenced, report bool
	}{
		{a, true, false}, {b, true, true}, {c, false, true}, {inner, true, false}, {outer, false, true},
	} {
		if got := set.Referenced(tc.id); got != tc.referenced {
			t.Errorf("Referenced(%s) = %v, want %v", tc.id, got, tc.referenced)
		}
		if got := set.Reported(tc.id); got != tc.report {
			t.Errorf("Reported(%s) = %v, want %v", tc.id, got, tc.report)
		}
	}
}

// failFS is a file system whose file named bad cannot be read.
type failFS struct {
	m   fstest.MapFS
	bad string
}

func (f failFS) Open(name string) (fs.File, error) {
	if name == f.bad {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("unreadable")}
	}
	return f.m.Open(name)
}

// A rule path that cannot be read, or a built-in rule file that cannot,
// fails the load with an error naming it: a set that silently lost rules
// would be a blind spot.
func TestUnreadableRulesFail(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	_, err := ruleset.Load(ruleset.Options{Paths: []string{missing}})
	if err == nil || !strings.Contains(err.Error(), "rules "+missing+":") {
		t.Errorf("missing path: got %v, want an error naming %s", err, missing)
	}
	builtin := failFS{m: fstest.MapFS{"good.yml": {Data: []byte(loginRule)}, "sub/bad.yml": {Data: []byte(loginRule)}}, bad: "sub/bad.yml"}
	_, err = ruleset.Load(ruleset.Options{Builtin: builtin})
	if err == nil || !strings.Contains(err.Error(), "built-in rules: open sub/bad.yml: unreadable") {
		t.Errorf("unreadable built-in file: got %v", err)
	}
}

// LoadError lists every problem, one a line, and unwraps to them, so a
// caller can find the position of each.
func TestLoadErrorListsEach(t *testing.T) {
	dir := writeRules(t, map[string]string{
		"a.yml": "title: a\ndetection: [\n",
		"b.yml": "title: b\nlogsource: {product: aws}\ndetection:\n  sel: {eventName|nosuchmod: x}\n  condition: sel\n",
	})
	_, err := ruleset.Load(ruleset.Options{Paths: []string{dir}})
	var le *ruleset.LoadError
	if !errors.As(err, &le) || len(le.Errs) != 2 {
		t.Fatalf("want a LoadError with 2 errors, got %v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], filepath.Join(dir, "a.yml")+":") || !strings.HasPrefix(lines[1], filepath.Join(dir, "b.yml")+":4:") {
		t.Errorf("one error a line, in file order:\n%s", err)
	}
	var pe *sigma.PosError
	if !errors.As(err, &pe) || pe.File != filepath.Join(dir, "a.yml") {
		t.Errorf("errors.As through LoadError: %v", pe)
	}
}

// When files have errors, the load stops there: tuning and correlations
// that name a rule of a broken file do not add errors of their own, which
// would send the reader after the wrong problem.
func TestNoCascadingErrors(t *testing.T) {
	broken := strings.Replace(loginRule, "condition: sel", "condition: sel and nosuchsel", 1)
	corr := "title: many logins\nname: many_logins\ncorrelation:\n  type: event_count\n  rules: [console_login]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {gte: 3}\nlevel: high\n"
	dir := writeRules(t, map[string]string{"login.yml": broken, "corr.yml": corr})
	_, err := ruleset.Load(ruleset.Options{Paths: []string{dir}, Tuning: ruleset.Tuning{Rules: map[string]ruleset.RuleTuning{"console_login": {Level: "high"}}}})
	var le *ruleset.LoadError
	if !errors.As(err, &le) || len(le.Errs) != 1 || !strings.Contains(err.Error(), "login.yml") {
		t.Errorf("want the broken rule's error only, got %v", err)
	}
}

// A duplicate id names both places: the second rule's file and line, and
// the first's.
func TestDuplicateIDNamesBoth(t *testing.T) {
	dir := writeRules(t, map[string]string{"a.yml": loginRule, "b.yml": "# another\n" + strings.Replace(loginRule, "name: console_login", "name: other", 1)})
	_, err := ruleset.Load(ruleset.Options{Paths: []string{dir}})
	want := filepath.Join(dir, "b.yml") + ":2: rule id 11111111-1111-4111-8111-111111111111 already used by " + filepath.Join(dir, "a.yml") + ":1"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v\nwant an error containing %s", err, want)
	}
}

// A correlation that names no loaded rule fails the load, and the
// correlation limits of the options are checked there too.
func TestCorrelationErrorsFailLoad(t *testing.T) {
	corr := func(ref, cond string) string {
		return "title: c\nname: c\ncorrelation:\n  type: event_count\n  rules: [" + ref + "]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {" + cond + "}\nlevel: high\n"
	}
	dir := writeRules(t, map[string]string{"login.yml": loginRule, "c.yml": corr("no_such_rule", "gte: 3")})
	if _, err := ruleset.Load(ruleset.Options{Paths: []string{dir}}); err == nil || !strings.Contains(err.Error(), "no_such_rule") {
		t.Errorf("unknown reference: got %v", err)
	}
	dir = writeRules(t, map[string]string{"login.yml": loginRule, "c.yml": corr("console_login", "gte: 3")})
	if _, err := ruleset.Load(ruleset.Options{Paths: []string{dir}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ruleset.Load(ruleset.Options{Paths: []string{dir}, Correlation: correlate.Config{MaxGroups: -1}}); err == nil {
		t.Errorf("negative max_groups accepted")
	}
}

// A set with exactly one correlation runs it in tests.
func TestSingleCorrelationCase(t *testing.T) {
	ev := "{eventSource: signin.amazonaws.com, eventName: ConsoleLogin, sourceIPAddress: 192.0.2.1}"
	set := loadRules(t, map[string]string{
		"login.yml": loginRule,
		"c.yml": "title: two logins\nname: two_logins\ncorrelation:\n  type: event_count\n  rules: [console_login]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {gte: 2}\nlevel: high\n" +
			"signwatch:\n  tests:\n    - {name: two, expect: match, count: 1, events: [" + ev + ", " + ev + "]}\n    - {name: one, expect: no-match, events: [" + ev + "]}\n",
	})
	requireAllPass(t, set, 2)
}

// Rule files are named .yml or .yaml in any case; other files of a
// directory or of the built-in file system are not read. A directory's
// files come in lexical order of their paths, subdirectories included.
func TestRuleFileNamesAndOrder(t *testing.T) {
	third := strings.Replace(strings.Replace(loginRule, "11111111-1111-4111-8111-111111111111", "44444444-4444-4444-8444-444444444444", 1), "name: console_login", "name: third", 1)
	second := strings.Replace(strings.Replace(loginRule, "11111111-1111-4111-8111-111111111111", "33333333-3333-4333-8333-333333333333", 1), "name: console_login", "name: second", 1)
	dir := writeRules(t, map[string]string{"b.YML": loginRule, "a.Yaml": second, "README.md": "# not a rule\n"})
	if err := os.Mkdir(filepath.Join(dir, "a"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a", "z.yml"), []byte(third), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := ruleset.Load(ruleset.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.Yaml"), filepath.Join(dir, "a", "z.yml"), filepath.Join(dir, "b.YML")}
	if !sort.StringsAreSorted(want) || strings.Join(set.Files, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", set.Files, want)
	}

	builtin := fstest.MapFS{"login.yml": {Data: []byte(loginRule)}, "notes.md": {Data: []byte("not: [a rule\n")}, "sub.yml/x.txt": {Data: []byte("not: [a rule\n")}}
	set, err = ruleset.Load(ruleset.Options{Builtin: builtin})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(set.Files, " ") != "builtin:login.yml" {
		t.Errorf("built-in files %v, want builtin:login.yml only", set.Files)
	}
	// A built-in directory that cannot be listed fails the load.
	_, err = ruleset.Load(ruleset.Options{Builtin: failFS{m: builtin, bad: "sub.yml"}})
	if err == nil || !strings.Contains(err.Error(), "built-in rules: open sub.yml: unreadable") {
		t.Errorf("unlistable built-in directory: got %v", err)
	}
}

// Key is a rule's id, or its name when it has none.
func TestKey(t *testing.T) {
	if got := ruleset.Key(sigma.Meta{ID: "i", Name: "n"}); got != "i" {
		t.Errorf("Key with id = %q", got)
	}
	if got := ruleset.Key(sigma.Meta{Name: "n"}); got != "n" {
		t.Errorf("Key without id = %q", got)
	}
}

// An id or a name stands for one rule or correlation: a second detection
// rule or correlation with the same id, or the same name, fails the load
// naming both places (a test or tuning by name would otherwise pick one of
// them, or count both).
func TestDuplicateNamesAndCorrelationIDs(t *testing.T) {
	other := strings.Replace(loginRule, "11111111-1111-4111-8111-111111111111", "33333333-3333-4333-8333-333333333333", 1)
	corr := func(id, name string) string {
		return "title: c\nid: " + id + "\nname: " + name + "\ncorrelation:\n  type: event_count\n  rules: [11111111-1111-4111-8111-111111111111]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {gte: 3}\nlevel: high\n"
	}
	for _, tc := range []struct {
		name, b, want string
	}{
		{"rule name", other, "b.yml:1: rule name console_login already used by "},
		{"correlation id", corr("11111111-1111-4111-8111-111111111111", "c"), "b.yml:1: rule id 11111111-1111-4111-8111-111111111111 already used by "},
		{"correlation name", corr("22222222-2222-4222-8222-222222222222", "console_login"), "b.yml:1: rule name console_login already used by "},
	} {
		dir := writeRules(t, map[string]string{"a.yml": loginRule, "b.yml": tc.b})
		_, err := ruleset.Load(ruleset.Options{Paths: []string{dir}})
		if err == nil || !strings.Contains(err.Error(), tc.want+filepath.Join(dir, "a.yml")+":1") {
			t.Errorf("%s: got %v", tc.name, err)
		}
		var le *ruleset.LoadError
		if errors.As(err, &le) && len(le.Errs) != 1 {
			t.Errorf("%s: the duplicate is reported %d times:\n%v", tc.name, len(le.Errs), err)
		}
	}
}
