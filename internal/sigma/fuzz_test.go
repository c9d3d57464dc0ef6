package sigma

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/signwatch/signwatch/internal/event"
)

// FuzzParseRule feeds arbitrary rule files through loading, parsing,
// compiling and matching: errors must be positioned PosErrors, never panics.
func FuzzParseRule(f *testing.F) {
	f.Add(detectionRule("    sel:\n        eventName|contains|all:\n            - a\n            - b\n    condition: sel\n"))
	f.Add(detectionRule("    sel:\n        - a|re|i: '^x'\n        - b|cidr: 10.0.0.0/8\n    k:\n        - kw\n    condition: 1 of them and not k\n"))
	f.Add(detectionRule("    sel:\n        a|base64offset|contains: abc\n        b|windash: -x\n        c|expand: '%p%'\n    condition: sel\n"))
	f.Add(detectionRule("    sel:\n        a|base64offset|neq: ''\n        b|fieldref|neq: a\n        c|exists: true\n        d: null\n    condition: not sel\n"))
	f.Add("title: f\nlogsource: {product: aws}\nfilter:\n  rules: [x]\n  s: {a: 1}\n  condition: s\n")
	f.Add(detectionRule("    sel:\n        a: 1\n    condition: |\n        sel and\n          (zz or\n"))
	f.Add(detectionRule("    sel:\n        a: 1\n    condition: 'sel or\n\n        ''q'' zz'\n"))
	f.Add(detectionRule("    sel:\n        a: 1\n    condition: \"sel\\tor\n        zz\"\n"))
	events := []string{
		`{"a":"abc","b":["-x",{"c":1}],"eventName":"ab","n":5}`,
		`{"a":"A\u0042C","b":{"c":"x\/y","d":null},"eventName":"AB","n":"5","t":"2024-01-02T03:04:05Z"}`,
		"{\"a\":\"\u212abc\",\"b\":[[\"v1\"],{\"c.d\":\"10.1.2.3\"}],\"ip\":\"::ffff:10.0.0.1\",\"ok\":true}",
	}
	evs := make([]event.Doc, len(events))
	for i, js := range events {
		if err := evs[i].Parse([]byte(js)); err != nil {
			f.Fatal(err)
		}
	}
	opt := ParseOptions{Placeholders: map[string][]string{"p": {"v*"}}}
	f.Fuzz(func(t *testing.T, src string) {
		docs, _ := LoadDocuments("fuzz.yml", []byte(src))
		var rules []*Rule
		var filters []*Filter
		for _, d := range docs {
			var err error
			switch d.Kind {
			case KindRule:
				var r *Rule
				if r, err = ParseRule(d, opt); err == nil {
					rules = append(rules, r)
				}
			case KindFilter:
				var fl *Filter
				if fl, err = ParseFilter(d, opt); err == nil {
					filters = append(filters, fl)
				}
			}
			var pe *PosError
			if err != nil && !errors.As(err, &pe) {
				t.Fatalf("error is not a *PosError: %v", err)
			}
			if lines := yamlLines(src); err != nil && (pe.Line > lines || pe.Line < 0 || pe.Column < 0) {
				t.Fatalf("error %v points outside the %d-line text", err, lines)
			}
		}
		e, err := Compile(rules, filters, CompileOptions{})
		if err != nil {
			return
		}
		for i := range evs {
			root := evs[i].Root()
			n := 0
			e.Match(root, nil, func(Match) { n++ })
			if n > 0 && !e.MayMatch(evs[i].Raw()) {
				t.Fatalf("prefilter rejected matching event %s", events[i])
			}
			if b := len(bruteForce(e, root, nil)); b != n {
				t.Fatalf("rule index: %d matches, %d by evaluating every rule, on %s", n, b, events[i])
			}
		}
	})
}

// FuzzParseCondition checks the condition parser on arbitrary text.
func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"a and not (b or c)", "1 of sel_* and not all of filter*", "all of them", "a | count() > 5", "((a)", "not not not a"} {
		f.Add(s)
	}
	names := []string{"a", "b", "c", "sel_1", "sel_2", "filter_x", "_hidden"}
	lookup := func(name string, pattern bool) []int {
		var out []int
		g := compileGlob(parseSigmaString(name))
		for i, n := range names {
			if (!pattern && n == name) || (pattern && name == "them" && n[0] != '_') || (pattern && name != "them" && g.match([]byte(n))) {
				out = append(out, i)
			}
		}
		return out
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := parseCondition(src, lookup)
		if err != nil {
			var ce *condError
			if !errors.As(err, &ce) || ce.off < 0 || ce.off > len(src) {
				t.Fatalf("bad error %v for %q", err, src)
			}
			return
		}
		// A parsed condition re-parses from its rendering to the same tree.
		c2, err := parseCondition(c.String(), lookup)
		if err != nil || c2.String() != c.String() {
			t.Fatalf("%q renders as %q which gives %v, %v", src, c.String(), c2, err)
		}
	})
}

// FuzzMayMatch checks the prefilter's guarantee on arbitrary events: an
// event that matches a rule is never rejected.
func FuzzMayMatch(f *testing.F) {
	r, err := parseRuleText(f, detectionRule(`    sel:
        eventName: ConsoleLogin
    kw:
        - 'evil/x'
    other:
        a|contains: 'say "hi"'
        b|endswith: '\bin'
    condition: sel or kw or other
`), ParseOptions{})
	if err != nil {
		f.Fatal(err)
	}
	e, err := Compile([]*Rule{r}, nil, CompileOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(`{"eventName":"Console\u004cogin"}`)
	f.Add(`{"x":"evil\/x"}`)
	f.Add(`{"eventName":"CONSOLE\u004COGIN","y":"\u0130\u212a"}`)
	f.Add(`{"a":"say \"hi\"","b":"c:\\bin"}`)
	var doc event.Doc
	f.Fuzz(func(t *testing.T, js string) {
		if doc.Parse([]byte(js)) != nil {
			return
		}
		n := 0
		e.Match(doc.Root(), nil, func(Match) { n++ })
		if n > 0 && !e.MayMatch([]byte(js)) {
			t.Fatalf("prefilter rejected matching event %s", js)
		}
	})
}

// FuzzGlob checks the wildcard parser and matcher against a regular
// expression built from the same pattern, and the escaping round trip.
func FuzzGlob(f *testing.F) {
	f.Add(`a*b?c\*d\\`, "axxbycs*d\\")
	f.Add(`*`, "")
	f.Add(`?é*`, "éé")
	f.Add(`x\?*\\*y`, `x?\zy`)
	f.Fuzz(func(t *testing.T, pat, val string) {
		if !utf8.ValidString(pat) || !utf8.ValidString(val) {
			return // rule files are YAML text; the reference regexp needs UTF-8
		}
		s := parseSigmaString(pat)
		if back := parseSigmaString(s.String()); back.String() != s.String() {
			t.Fatalf("round trip %q -> %q -> %q", pat, s.String(), back.String())
		}
		var re strings.Builder
		re.WriteString(`^(?s)`)
		for _, p := range s {
			switch p.wild {
			case '*':
				re.WriteString(`.*`)
			case '?':
				re.WriteString(`.`)
			default:
				re.WriteString(regexp.QuoteMeta(p.lit))
			}
		}
		re.WriteString(`$`)
		want := regexp.MustCompile(re.String()).MatchString(val)
		g := compileGlob(s)
		if got := g.match([]byte(val)); got != want {
			t.Fatalf("pattern %q (%v) on %q: %v, regexp says %v", pat, s, val, got, want)
		}
	})
}

// yamlLines counts the lines of src as YAML does: "\r\n", a lone "\r" and
// "\n" each end one.
func yamlLines(src string) int {
	return 1 + strings.Count(strings.ReplaceAll(src, "\r\n", "\n"), "\n") + strings.Count(strings.ReplaceAll(src, "\r\n", "\n"), "\r")
}
