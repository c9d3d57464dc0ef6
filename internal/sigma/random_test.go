package sigma

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/signwatch/signwatch/internal/event"
)

// randomGen builds random rules and events over a small vocabulary so that
// they often meet: the test checks the prefilter guarantee and the rule
// index against evaluating every rule.
type randomGen struct{ r *rand.Rand }

var (
	rgFields = []string{"a", "b.c", "arr", "obj", "n", "a.b"}
	rgMods   = []string{"", "|contains", "|startswith", "|endswith", "|cased", "|contains|all", "|re", "|re|i",
		"|neq", "|exists", "|windash|contains", "|base64offset|contains", "|gt", "|cidr", "|fieldref"}
	rgAtoms = []string{"k", "K", "i", "ab", "x/y", `q"t`, `b\s`, "10", "*", "?", "-", "true", "Kel", "İd"}
)

func (g randomGen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g randomGen) word() string {
	var b strings.Builder
	for n := 1 + g.r.IntN(3); n > 0; n-- {
		b.WriteString(g.pick(rgAtoms))
	}
	return b.String()
}

// value renders a YAML value for a modifier.
func (g randomGen) value(mod string) string {
	switch {
	case strings.Contains(mod, "exists"):
		return []string{"true", "false"}[g.r.IntN(2)]
	case strings.Contains(mod, "gt"):
		return fmt.Sprint(g.r.IntN(20))
	case strings.Contains(mod, "cidr"):
		return "10.0.0.0/8"
	case strings.Contains(mod, "fieldref"):
		return g.pick(rgFields)
	case strings.Contains(mod, "re"):
		return "'" + strings.NewReplacer("*", ".*", "?", ".", `\`, "", "'", "").Replace(g.word()) + "'"
	case strings.Contains(mod, "all"):
		return "\n            - '" + strings.ReplaceAll(g.word(), "'", "''") + "'\n            - '" + strings.ReplaceAll(g.word(), "'", "''") + "'"
	}
	return "'" + strings.ReplaceAll(g.word(), "'", "''") + "'"
}

func (g randomGen) rule(id int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: r%d\nid: r%d\nlogsource:\n    product: aws\ndetection:\n", id, id)
	nsel := 1 + g.r.IntN(3)
	for s := 0; s < nsel; s++ {
		fmt.Fprintf(&b, "    s%d:\n", s)
		if g.r.IntN(5) == 0 {
			fmt.Fprintf(&b, "        - '%s'\n", strings.ReplaceAll(g.word(), "'", "''"))
			continue
		}
		for k := 1 + g.r.IntN(2); k > 0; k-- {
			mod := g.pick(rgMods)
			fmt.Fprintf(&b, "        %s%s: %s\n", g.pick(rgFields), mod, g.value(mod))
		}
	}
	conds := []string{"s0", "s0", "s0", "not s0", "1 of s*", "all of them", "all of them", "s0 or not s0"}
	if nsel > 1 {
		conds = append(conds, "s0 and s1", "s0 and not s1", "s0 and not s1", "(s0 or s1) and not s0", "not (s0 and s1)")
	}
	fmt.Fprintf(&b, "    condition: %s\n", g.pick(conds))
	return b.String()
}

func (g randomGen) jsonString() string {
	var b strings.Builder
	for n := g.r.IntN(4); n > 0; n-- {
		w := g.word()
		switch g.r.IntN(6) {
		case 0: // escape every character
			for _, c := range w {
				fmt.Fprintf(&b, `\u%04X`, c)
			}
			continue
		case 1:
			w = strings.ReplaceAll(w, "/", `\/`)
		}
		w = strings.ReplaceAll(strings.ReplaceAll(w, `\`, `\\`), `"`, `\"`)
		w = strings.ReplaceAll(w, `\\/`, `\/`)
		b.WriteString(w)
	}
	return `"` + b.String() + `"`
}

func (g randomGen) event() string {
	vals := []func() string{
		g.jsonString,
		func() string { return fmt.Sprint(g.r.IntN(20)) },
		func() string { return "true" },
		func() string { return "null" },
		func() string { return `"10.1.2.3"` },
		func() string { return "[" + g.jsonString() + "," + g.jsonString() + "]" },
		func() string { return `{"c":` + g.jsonString() + `,"b":` + g.jsonString() + `}` },
	}
	var parts []string
	for _, k := range []string{"a", "b", "arr", "obj", "n", "a.b", "b.c"} {
		if g.r.IntN(3) > 0 {
			parts = append(parts, fmt.Sprintf("%q:%s", k, vals[g.r.IntN(len(vals))]()))
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestRandomRulesAndEvents(t *testing.T) {
	g := randomGen{rand.New(rand.NewPCG(11, 13))}
	parsed, matched, rejected := 0, 0, 0
	for round := 0; round < 1000; round++ {
		var rules []*Rule
		for i := 0; i < 2; i++ {
			src := g.rule(i)
			docs, errs := LoadDocuments("rand.yml", []byte(src))
			if len(errs) > 0 {
				t.Fatalf("generator wrote bad YAML: %v\n%s", errs, src)
			}
			if r, err := ParseRule(docs[0], ParseOptions{}); err == nil {
				rules = append(rules, r)
			}
		}
		parsed += len(rules)
		e, err := Compile(rules, nil, CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 20; k++ {
			js := g.event()
			var d event.Doc
			if err := d.Parse([]byte(js)); err != nil {
				t.Fatalf("generator wrote bad JSON %s: %v", js, err)
			}
			n := 0
			e.Match(d.Root(), nil, func(Match) { n++ })
			if !e.MayMatch([]byte(js)) {
				rejected++
			}
			matched += n
			if n > 0 && !e.MayMatch([]byte(js)) {
				t.Fatalf("prefilter rejected %s", js)
			}
			if b := bruteForce(e, d.Root(), nil); len(b) != n {
				t.Fatalf("index: %d matches, brute force %d on %s", n, len(b), js)
			}
		}
	}
	if parsed < 1000 || matched < 100 || rejected < 100 {
		t.Errorf("generator too weak: %d rules parsed, %d matches, %d events rejected", parsed, matched, rejected)
	}
	t.Logf("%d rules, %d matches, %d events rejected by the prefilter", parsed, matched, rejected)
}
