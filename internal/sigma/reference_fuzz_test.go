package sigma

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/signwatch/signwatch/internal/event"
)

// This file holds FuzzMatchReference: a differential fuzz test of the
// engine (compiled matchers, field and folding caches, rule index, literal
// prefilter) against refMatch, a slow matcher written from docs/sigma.md.

// refModes are the modifier chains the fuzz test writes, chosen by a byte.
// values is how many rule values the item has (2: a YAML list).
// keyword marks a field-less search: a plain list of keywords when mods is
// empty, otherwise a map key "|mods".
var refModes = []struct {
	mods    string
	values  int
	keyword bool
}{
	{"", 1, false},
	{"contains", 1, false},
	{"startswith", 1, false},
	{"endswith", 1, false},
	{"cased", 1, false},
	{"contains|cased", 1, false},
	{"cased|startswith", 1, false},
	{"endswith|cased", 1, false},
	{"all", 2, false},
	{"contains|all", 2, false},
	{"", 2, false},
	{"startswith", 2, false},
	{"re", 1, false},
	{"re|i", 1, false},
	{"re|m", 1, false},
	{"re|i|s", 1, false},
	{"neq", 1, false},
	{"contains|neq", 2, false},
	{"cased|neq", 1, false},
	{"re|neq", 1, false},
	{"exists", 1, false},
	{"gt", 1, false},
	{"gte", 1, false},
	{"lt", 1, false},
	{"lte", 1, false},
	{"cidr", 1, false},
	{"cidr", 2, false},
	{"base64", 1, false},
	{"base64|contains", 1, false},
	{"base64offset|contains", 1, false},
	{"wide|base64offset|contains", 1, false},
	{"utf16le|contains", 1, false},
	{"utf16be|endswith", 1, false},
	{"utf16|startswith", 1, false},
	{"windash", 1, false},
	{"windash|contains", 1, false},
	{"windash|base64offset|contains", 1, false},
	{"null", 1, false}, // the value null, no modifier
	{"expand", 1, false},
	{"expand|contains", 1, false},
	{"windash|expand", 1, false},
	{"expand|windash|contains", 1, false},
	{"fieldref", 1, false},
	{"fieldref|contains", 1, false},
	{"fieldref|cased|startswith", 1, false},
	{"endswith|fieldref", 1, false},
	{"fieldref|neq", 1, false},
	{"", 1, true},
	{"", 2, true},
	{"all", 2, true},
	{"startswith", 1, true},
	{"endswith", 1, true},
	{"re", 1, true},
	{"re|i", 1, true},
	{"cased", 1, true},
	{"windash", 1, true},
}

// refFields are the rule fields the fuzz test uses: a plain and a dotted
// name, and fields the rule index and the event's known root keys handle.
var refFields = []string{"f", "a.b", "eventName", "eventSource", "userIdentity.type", "userAgent"}

// refOther is the field a fieldref rule references; the event holds it at
// its root (with the second value) unless style bit 0x20 is set.
const refOther = "g"

// refPlaceholders are the placeholder values of the expand modes.
var refPlaceholders = map[string][]string{"p": {"v*", "x-y"}, "q": {"\u0130K", `a\*`}}

// refNumbers are number texts used when the fuzzed value is not a JSON
// number, chosen by the value's length.
var refNumbers = []string{"0", "-0", "1", "1.0", "1e5", "1E5", "-1.5e-3", "1e999", "-1e999", "1e-400",
	"12345678901234567890", "0.1", "31", "100", "-7", "9007199254740993"}

// jsonNumber is the grammar of a JSON number (RFC 8259).
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// yamlPlain matches the values the fuzz test may write without quotes:
// decimal integers (normalised by YAML loading), booleans and floats.
var yamlPlain = regexp.MustCompile(`^(-?(0|[1-9][0-9]{0,15})|true|false|True|False|TRUE|FALSE|-?[0-9]+\.[0-9]+|-?[0-9]+(\.[0-9]+)?[eE][-+]?[0-9]+)$`)

// FuzzMatchReference fuzzes a one-item rule (modifier chain, field and
// values; the condition is "not sel" when shape bit 0x40 is set) together
// with an event, and checks for every input that
//
//   - the engine's Match agrees with refMatch, a slow reference written
//     from docs/sigma.md (wildcards as anchored regular expressions over
//     lower-cased text, encodings computed as pySigma does, numbers
//     compared as floats, IP networks with the netip package);
//   - the same holds for a few companion rules compiled with it;
//   - Match agrees with evaluating the rules without the rule index;
//   - MayMatch (the literal prefilter) accepts every event Match matches;
//   - nothing panics.
//
// The arguments are: mode (refModes), field (refFields), shape (where and
// as what kind the value sits in the event: see refEvent), style (how the
// event's JSON is written: escapes, spaces, padding members), the rule's
// two values and the event's two values. Each rule is matched against two
// events built from them, and the first again, through one reused Doc.
// Rules the engine rejects and values YAML cannot carry are skipped.
func FuzzMatchReference(f *testing.F) {
	type seed struct {
		mode, field, shape, style uint8
		pat, pat2, val, val2      string
	}
	m := func(mods string, values int, keyword bool) uint8 {
		for i, x := range refModes {
			if x.mods == mods && x.values == values && x.keyword == keyword {
				return uint8(i)
			}
		}
		panic("no mode " + mods)
	}
	for _, s := range []seed{
		{m("", 1, false), 0, 0, 0, "abc", "", "ABC", ""},
		{m("", 1, false), 2, 0, 0, "ConsoleLogin", "", "consolelogin", ""},
		{m("", 1, false), 2, 0, 2, "ConsoleLogin", "", "CONSOLELOGIN", ""},
		{m("", 1, false), 2, 0, 0x40, "k", "", "\u212a", ""},
		{m("", 1, false), 3, 0, 1, "\u0130am", "", "iAM", ""},
		{m("", 1, false), 4, 0, 0, "kkk", "", "\u212a\u212a\u212a", ""},
		{m("", 1, false), 5, 0, 3, "\u1e9e", "", "\u00df", ""},
		{m("", 1, false), 0, 0, 0, "\u017f", "", "s", ""},
		{m("", 1, false), 0, 0, 0, "", "", "", ""},
		{m("", 1, false), 0, 0, 0, "*", "", "", ""},
		{m("", 1, false), 0, 0, 0, `a\`, "", `a\`, ""},
		{m("", 1, false), 0, 0, 0, `a\\*b\?c\*`, "", `a\xxb?c*`, ""},
		{m("", 1, false), 0, 0, 0, "?\u00e9*", "", "\u00e9\u00e9", ""},
		{m("", 1, false), 0, 3 << 3, 0, "1e5", "", "1E5", ""},
		{m("", 1, false), 0, 3 << 3, 0, "-0", "", "-0", ""},
		{m("", 1, false), 0, 3 << 3, 0, "1.0", "", "1.0", ""},
		{m("", 1, false), 0, 3 << 3, 0, "1e999", "", "1e999", ""},
		{m("", 1, false), 0, 4 << 3, 0, "true", "", "x", ""},
		{m("", 1, false), 0, 5 << 3, 0, "null", "", "", ""},
		{m("", 1, false), 1, 2, 0, "v", "", "V", "w"},
		{m("", 1, false), 1, 3, 0, "v", "", "x", "v"},
		{m("", 1, false), 0, 1, 0x80, "w", "", "x", "W"},
		{m("contains", 1, false), 0, 6, 0, `"k":"x`, "", "x", "y"},
		{m("contains", 1, false), 0, 6, 2, `"k":"a"b`, "", `a"b`, "y"},
		{m("contains", 1, false), 0, 7, 0, `"k"`, "", "x", "y"},
		{m("startswith", 1, false), 2, 0, 0, "Get", "", "getObject", ""},
		{m("endswith", 1, false), 0, 0, 0, "\u0130", "", "xi", ""},
		{m("contains|cased", 1, false), 0, 0, 0, "K", "", "k", ""},
		{m("all", 2, false), 0, 1, 0, "a", "b", "A", "B"},
		{m("contains|all", 2, false), 5, 0, 0, "aws", "cli", "aws-cli/2.0", ""},
		{m("re", 1, false), 0, 0, 0, "^ab+c", "", "abbc", ""},
		{m("re|i", 1, false), 0, 0, 0, "sk", "", "\u017f\u212a", ""},
		{m("re|m", 1, false), 0, 0, 0, "^b$", "", "a\nb", ""},
		{m("neq", 1, false), 0, 1, 0, "a", "", "a", "b"},
		{m("contains|neq", 2, false), 0, 5 << 3, 0, "a", "b", "", ""},
		{m("exists", 1, false), 1, 4, 0, "true", "", "x", ""},
		{m("exists", 1, false), 0, 5 << 3, 0, "true", "", "x", ""},
		{m("gt", 1, false), 0, 3 << 3, 0, "5", "", "1e999", ""},
		{m("gte", 1, false), 0, 0, 0, "1.5", "", "1.5", ""},
		{m("lt", 1, false), 0, 0, 0, "0", "", "-0", ""},
		{m("lte", 1, false), 0, 3 << 3, 0, "-1e5", "", "-1e999", ""},
		{m("lt", 1, false), 0, 3 << 3, 0, "1e700", "", "0", ""}, // a rule value past float64's range
		{m("cidr", 1, false), 0, 0, 0, "10.0.0.0/8", "", "::ffff:10.1.2.3", ""},
		{m("cidr", 1, false), 0, 0, 0, "::ffff:0:0/96", "", "::ffff:10.1.2.3", ""},
		{m("cidr", 2, false), 0, 1, 0, "192.168.0.0/16", "2001:db8::/32", "x", "2001:db8::1"},
		{m("base64", 1, false), 0, 0, 0, "abc", "", "YWJj", ""},
		{m("base64offset|contains", 1, false), 0, 0, 0, "hello", "", "xaGVsbG8x", ""},
		{m("wide|base64offset|contains", 1, false), 0, 0, 0, "ping", "", "cABpAG4AZwA", ""},
		{m("utf16le|contains", 1, false), 0, 0, 0, "a", "", "a\x00", ""},
		{m("windash", 1, false), 0, 0, 0, "-enc", "", "/enc", ""},
		{m("windash|contains", 1, false), 0, 0, 0, "a-b", "", "xa\u2015by", ""},
		{m("expand", 1, false), 0, 0, 0, "%p%", "", "vvv", ""},
		{m("expand|contains", 1, false), 0, 0, 0, `%q%\%`, "", "-ik%", ""},
		{m("windash|expand", 1, false), 0, 0, 0, "-%p%", "", "/x-y", ""},
		{m("windash|expand", 1, false), 0, 0, 0, "-%p%", "", "/x/y", ""},
		{m("expand|windash|contains", 1, false), 0, 0, 0, "%p%", "", "x\u2013y", ""},
		{m("", 1, true), 0, 0, 0, "evil", "", "xEVILx", ""},
		{m("", 2, true), 0, 6, 0, "k", "zz", "v", "w"},
		{m("all", 2, true), 0, 1, 0, "x", "y", "x", "y"},
		{m("re|i", 1, true), 0, 3 << 3, 0, "1E5", "", "1e5", ""},
		{m("null", 1, false), 1, 4, 0, "", "", "x", ""},
		{m("fieldref", 1, false), 0, 0, 0, "", "", "Alice", "aLICE"},
		{m("fieldref|contains", 1, false), 1, 1, 0, "", "", "xK", "k"},
		{m("fieldref|neq", 1, false), 0, 0, 0, "", "", "a", "b"},
		{m("fieldref|neq", 1, false), 0, 0, 0x20, "", "", "a", "b"},
	} {
		f.Add(s.mode, s.field, s.shape, s.style, s.pat, s.pat2, s.val, s.val2)
	}
	others := companionRules(f)
	var doc event.Doc
	f.Fuzz(func(t *testing.T, mode, field, shape, style uint8, pat, pat2, val, val2 string) {
		checkReference(t, &doc, others, mode, field, shape, style, pat, pat2, val, val2)
	})
}

// refCompanions are rules compiled with each fuzzed rule, so that the rule
// index holds keys of several lengths on a shared field and several
// fields, and the prefilter several rules.
var refCompanions = []refRule{
	{field: "eventName", values: []string{"AVeryLongEventNameThatBoundsTheIndexKeys"}},
	{field: "userAgent", values: []string{"x"}},
	{field: "f", mods: []string{"contains"}, values: []string{"companion"}},
}

// companion is a parsed companion rule and its reference item.
type companion struct {
	rule *Rule
	spec refRule
}

func companionRules(t testing.TB) []companion {
	var out []companion
	for i, spec := range refCompanions {
		src := fmt.Sprintf("title: companion %d\nid: 22222222-2222-4222-8222-%012d\nlogsource:\n    product: aws\ndetection:\n%s", i, i, spec.yaml(false))
		r, err := parseRuleText(t, src, ParseOptions{})
		if err != nil {
			t.Fatalf("companion rule %d: %v", i, err)
		}
		out = append(out, companion{r, spec})
	}
	return out
}

// checkReference is one input of FuzzMatchReference; doc is reused.
func checkReference(t *testing.T, doc *event.Doc, others []companion, mode, field, shape, style uint8, pat, pat2, val, val2 string) {
	t.Helper()
	opt := ParseOptions{Placeholders: refPlaceholders}
	if !utf8.ValidString(pat) || !utf8.ValidString(pat2) || strings.ContainsRune(pat+pat2, dashMark) {
		return // rule files are UTF-8 text; dashMark is the reference's
	}
	md := refModes[int(mode)%len(refModes)]
	spec := refRule{mods: splitMods(md.mods), keyword: md.keyword, field: refFields[int(field)%len(refFields)], negated: shape&0x40 != 0}
	spec.values = []string{pat, pat2}[:md.values]
	src := spec.yaml(style&0x10 != 0)
	r, err := parseRuleText(t, detectionRule(src), opt)
	if err != nil {
		var pe *PosError
		if !errors.As(err, &pe) {
			t.Fatalf("rule\n%s\nerror is not a *PosError: %v", src, err)
		}
		return
	}
	rules, specs := []*Rule{r}, []refRule{spec}
	for _, c := range others {
		rules, specs = append(rules, c.rule), append(specs, c.spec)
	}
	e, err := Compile(rules, nil, CompileOptions{})
	if err != nil {
		t.Fatalf("compile rule\n%s\n: %v", src, err)
	}
	// Two events, the first matched again after the second: the
	// engine's per-event state is reused and must not carry over.
	evs := [2]jv{refEvent(spec, shape, style, val, val2), refEvent(spec, shape^5, style^0x4f, val2, val)}
	styles := [2]uint8{style, style ^ 0x4f}
	for _, i := range []int{0, 1, 0} {
		ev, st := evs[i], styles[i]
		raw := ev.render(st, false)
		if err := doc.Parse([]byte(raw)); err != nil {
			t.Fatalf("event %s does not parse: %v", raw, err)
		}
		matched := map[*Rule]bool{}
		got := 0
		e.Match(doc.Root(), nil, func(m Match) { matched[m.Rule] = true; got++ })
		for k, sp := range specs {
			want, err := refMatch(sp, ev, st)
			if err != nil {
				t.Fatalf("rule\n%s\nreference: %v", src, err)
			}
			if matched[rules[k]] != want {
				t.Fatalf("rule\n%s\n(rule %d of %d) event %s\nMatch = %v, reference = %v", sp.yaml(st&0x10 != 0), k+1, len(rules), raw, matched[rules[k]], want)
			}
		}
		if b := len(bruteForce(e, doc.Root(), nil)); b != got {
			t.Fatalf("rule\n%s\nevent %s\nrule index: %d matches, %d by evaluating the rule", src, raw, got, b)
		}
		if got > 0 && !e.MayMatch([]byte(raw)) {
			t.Fatalf("rule\n%s\nevent %s\nMayMatch rejected an event that matches", src, raw)
		}
	}
}

// splitMods splits a modifier chain; "" is no modifier.
func splitMods(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// refRule is the one item of a fuzzed rule: sel: {field|mods: values}, or
// a keyword search.
type refRule struct {
	field   string
	mods    []string
	values  []string
	keyword bool
	negated bool // condition: not sel
}

func (r refRule) condition() string {
	if r.negated {
		return "not sel"
	}
	return "sel"
}

func (r refRule) has(mod string) bool { return r.index(mod) >= 0 }

// index returns the position of mod in the chain, or -1.
func (r refRule) index(mod string) int {
	for i, m := range r.mods {
		if m == mod {
			return i
		}
	}
	return -1
}

// yaml writes the detection body; plain asks for unquoted values where
// YAML reads them as numbers or booleans.
func (r refRule) yaml(plain bool) string {
	var b strings.Builder
	b.WriteString("    sel:\n")
	vals := make([]string, len(r.values))
	for i, v := range r.values {
		switch {
		case r.has("null"):
			vals[i] = "null"
		case r.has("exists"):
			vals[i] = strconv.FormatBool(len(v)%2 == 0)
		case r.has("fieldref"):
			vals[i] = refOther
		case plain && yamlPlain.MatchString(v):
			vals[i] = v
		default:
			vals[i] = strconv.Quote(v) // Go's escapes are YAML double-quoted escapes
		}
	}
	indent := "        "
	switch {
	case r.keyword && len(r.mods) == 0:
		// A list of keywords.
	case r.keyword:
		fmt.Fprintf(&b, "        '|%s':\n", strings.Join(r.mods, "|"))
		indent = "            "
	default:
		key := r.field
		if mods := r.modsAsWritten(); len(mods) > 0 {
			key += "|" + strings.Join(mods, "|")
		}
		if len(vals) == 1 {
			fmt.Fprintf(&b, "        '%s': %s\n    condition: %s\n", key, vals[0], r.condition())
			return b.String()
		}
		fmt.Fprintf(&b, "        '%s':\n", key)
		indent = "            "
	}
	for _, v := range vals {
		fmt.Fprintf(&b, "%s- %s\n", indent, v)
	}
	fmt.Fprintf(&b, "    condition: %s\n", r.condition())
	return b.String()
}

// modsAsWritten is the modifier chain without the pseudo-modifier null.
func (r refRule) modsAsWritten() []string {
	var out []string
	for _, m := range r.mods {
		if m != "null" {
			out = append(out, m)
		}
	}
	return out
}

// valueText is a rule value as the engine receives it from YAML: unquoted
// integers and booleans are normalised.
func valueText(v string, plain bool) string {
	if !plain || !yamlPlain.MatchString(v) {
		return v
	}
	switch v {
	case "true", "True", "TRUE":
		return "true"
	case "false", "False", "FALSE":
		return "false"
	}
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return strconv.FormatInt(i, 10)
	}
	return v
}

// jv is a JSON value of a generated event.
type jv struct {
	kind  byte   // 's' string, 'n' number, 'b' boolean, 'z' null, 'a' array, 'o' object
	text  string // string contents, number text, "true" or "false"
	elems []jv   // array elements, object member values
	keys  []string
}

func str(s string) jv { return jv{kind: 's', text: s} }

func obj(kv ...any) jv {
	o := jv{kind: 'o'}
	for i := 0; i < len(kv); i += 2 {
		o.keys = append(o.keys, kv[i].(string))
		o.elems = append(o.elems, kv[i+1].(jv))
	}
	return o
}

func arr(es ...jv) jv { return jv{kind: 'a', elems: es} }

// refPadding are root members added by style bit 0x40: CloudTrail keys the
// event package knows, and others, so that the root has enough members for
// its lookup table.
var refPadding = []struct {
	key string
	val jv
}{
	{"eventVersion", str("1.08")},
	{"awsRegion", str("us-east-1")},
	{"eventTime", str("2024-05-06T07:08:09Z")},
	{"sourceIPAddress", str("192.0.2.1")},
	{"readOnly", jv{kind: 'b', text: "true"}},
	{"eventType", str("AwsApiCall")},
	{"requestID", str("r-1")},
	{"eventname", str("lowercase key")},
	{"pad", jv{kind: 'n', text: "42"}},
	{"eventSource", str("s3.amazonaws.com")},
	{"userAgent", str("aws-cli/2.15")},
}

// refEvent builds the event: the value (from val, of the kind shape bits
// 3-5 pick) and a second value (val2) placed at the rule's field as shape
// bits 0-2 say, under a root padded with more members when style bit 0x40
// is set.
func refEvent(r refRule, shape, style uint8, val, val2 string) jv {
	val, val2 = string([]rune(val)), string([]rune(val2)) // invalid UTF-8 as JSON encoders write it
	v := str(val)
	switch shape >> 3 & 7 {
	case 3:
		n := val
		if !jsonNumber.MatchString(n) {
			n = refNumbers[len(val)%len(refNumbers)]
		}
		v = jv{kind: 'n', text: n}
	case 4:
		v = jv{kind: 'b', text: strconv.FormatBool(len(val)%2 == 0)}
	case 5:
		v = jv{kind: 'z'}
	case 6:
		v = arr()
	}
	w := str(val2)
	if shape&0x80 != 0 {
		w = jv{kind: 'n', text: refNumbers[len(val2)%len(refNumbers)]}
	}
	segs := strings.Split(r.field, ".")
	nest := func(x jv) jv {
		for i := len(segs) - 1; i > 0; i-- {
			x = obj(segs[i], x)
		}
		return x
	}
	root := obj()
	add := func(k string, x jv) {
		root.keys = append(root.keys, k)
		root.elems = append(root.elems, x)
	}
	switch shape & 7 {
	case 0:
		add(segs[0], nest(v))
	case 1:
		add(segs[0], nest(arr(v, w)))
	case 2: // a key holding dots, beside a nested object without the path
		if len(segs) > 1 {
			add(segs[0], obj("c", w))
			add(r.field, v)
		} else {
			add(segs[0], arr(arr(v), arr(arr(w))))
		}
	case 3: // the path crosses an array
		if len(segs) > 1 {
			add(segs[0], arr(nest(v), obj("c", w), nest(w)))
		} else {
			add(segs[0], arr(v, w))
		}
	case 4:
		add("zz", v)
	case 5: // a repeated key: the last one counts
		if r.keyword {
			add(segs[0], nest(v))
		} else {
			add(segs[0], nest(w))
			add(segs[0], nest(v))
		}
	case 6:
		add(segs[0], nest(obj("k", v, "k2", w)))
	case 7:
		add(segs[0], nest(arr(v, obj("k", w))))
	}
	if r.has("fieldref") && style&0x20 == 0 && segs[0] != refOther {
		add(refOther, w)
	}
	if style&0x40 != 0 {
		for _, p := range refPadding {
			if p.key != segs[0] {
				add(p.key, p.val)
			}
		}
	}
	return root
}

// render writes x as JSON. style bits 0-1 choose the escapes (0: as
// encoding/json, 1: only what JSON requires, 2: every non-alphanumeric
// character as \u00XX and non-ASCII as \uXXXX, 3: every character as an
// upper-case \uXXXX), bit 2 puts spaces after ':' and ',', bit 3 escapes
// object keys as their values. decoded writes strings without escapes (the
// text an object's escapes decode to).
func (x jv) render(style uint8, decoded bool) string {
	var b strings.Builder
	x.write(&b, style, decoded)
	return b.String()
}

func (x jv) write(b *strings.Builder, style uint8, decoded bool) {
	colon, comma := ":", ","
	if style&4 != 0 {
		colon, comma = ": ", ", "
	}
	switch x.kind {
	case 's':
		writeString(b, x.text, style&3, decoded)
	case 'n', 'b':
		b.WriteString(x.text)
	case 'z':
		b.WriteString("null")
	case 'a':
		b.WriteByte('[')
		for i, e := range x.elems {
			if i > 0 {
				b.WriteString(comma)
			}
			e.write(b, style, decoded)
		}
		b.WriteByte(']')
	case 'o':
		b.WriteByte('{')
		for i, e := range x.elems {
			if i > 0 {
				b.WriteString(comma)
			}
			keyStyle := uint8(1)
			if style&8 != 0 {
				keyStyle = style & 3
			}
			writeString(b, x.keys[i], keyStyle, decoded)
			b.WriteString(colon)
			e.write(b, style, decoded)
		}
		b.WriteByte('}')
	}
}

// writeString writes s as a JSON string with the escapes of mode (see
// render), or without any when decoded.
func writeString(b *strings.Builder, s string, mode uint8, decoded bool) {
	b.WriteByte('"')
	if decoded {
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	u := func(r rune) {
		if mode == 3 {
			fmt.Fprintf(b, `\u%04X`, r)
		} else {
			fmt.Fprintf(b, `\u%04x`, r)
		}
	}
	for _, r := range s {
		switch {
		case mode == 3:
			if r >= 0x10000 {
				hi, lo := utf16.EncodeRune(r)
				u(hi)
				u(lo)
			} else {
				u(r)
			}
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' && mode == 0:
			b.WriteString(`\n`)
		case r < 0x20:
			u(r)
		case mode == 0 && (r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029'):
			u(r)
		case mode == 0 && r == '/':
			b.WriteString(`\/`)
		case mode == 2 && r < 0x80 && !unicode.IsLetter(r) && !unicode.IsDigit(r):
			u(r)
		case mode == 2 && r >= 0x80:
			if r >= 0x10000 {
				hi, lo := utf16.EncodeRune(r)
				u(hi)
				u(lo)
			} else {
				u(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// refValue is one value a field has for matching: its kind and text.
type refValue struct {
	kind byte // as jv.kind; never 'a' (arrays give their elements)
	text string
}

// resolve returns the values of the dotted field in x and whether the field
// is present (docs/sigma.md, items 5 and 6): nested objects first, a key
// holding dots where they give nothing; arrays on the way are entered
// element by element; an array value gives its elements (flattened); an
// object gives its JSON text, and the text with escapes decoded when it
// holds escapes. A repeated key counts once, with its last value.
func resolve(x jv, segs []string, style uint8) ([]refValue, bool) {
	if len(segs) == 0 {
		return flatten(x, style), true
	}
	switch x.kind {
	case 'o':
		for j := 1; j <= len(segs); j++ {
			if c, ok := member(x, strings.Join(segs[:j], ".")); ok {
				if vs, found := resolve(c, segs[j:], style); found {
					return vs, true
				}
			}
		}
	case 'a':
		var out []refValue
		found := false
		for _, e := range x.elems {
			vs, ok := resolve(e, segs, style)
			out = append(out, vs...)
			found = found || ok
		}
		return out, found
	}
	return nil, false
}

// member returns the last member of object x named key.
func member(x jv, key string) (jv, bool) {
	for i := len(x.keys) - 1; i >= 0; i-- {
		if x.keys[i] == key {
			return x.elems[i], true
		}
	}
	return jv{}, false
}

func flatten(x jv, style uint8) []refValue {
	switch x.kind {
	case 'a':
		var out []refValue
		for _, e := range x.elems {
			out = append(out, flatten(e, style)...)
		}
		return out
	case 'o':
		raw := x.render(style, false)
		out := []refValue{{'o', raw}}
		if strings.Contains(raw, `\`) {
			out = append(out, refValue{'o', x.render(style, true)})
		}
		return out
	case 'z':
		return []refValue{{kind: 'z'}}
	}
	return []refValue{{x.kind, x.text}}
}

// leaves returns every string, number and boolean of x at any depth (the
// values a keyword search looks in).
func leaves(x jv) []refValue {
	switch x.kind {
	case 'a', 'o':
		var out []refValue
		for _, e := range x.elems {
			out = append(out, leaves(e)...)
		}
		return out
	case 'z':
		return nil
	}
	return []refValue{{x.kind, x.text}}
}

// refPred is the reference test of one rule value against one event value.
type refPred func(refValue) bool

// refMatch computes from the rule as written whether it matches the event.
func refMatch(r refRule, ev jv, style uint8) (bool, error) {
	m, err := refSelection(r, ev, style)
	return m != r.negated, err
}

// refSelection computes whether the rule's selection matches the event.
func refSelection(r refRule, ev jv, style uint8) (bool, error) {
	var vals []refValue
	present := true
	if r.keyword {
		vals = leaves(ev)
	} else {
		vals, present = resolve(ev, strings.Split(r.field, "."), style)
	}
	switch {
	case r.has("null"):
		for _, v := range vals {
			if v.kind == 'z' {
				return true, nil
			}
		}
		return !present, nil
	case r.has("exists"):
		want := len(r.values[0])%2 == 0
		return present == want, nil
	}
	if r.has("fieldref") {
		refs, _ := resolve(ev, []string{refOther}, style)
		return fieldrefMatch(r, vals, refs), nil
	}
	var preds [][]refPred // per rule value, its alternatives
	for _, v := range r.values {
		ps, err := r.preds(valueText(v, style&0x10 != 0))
		if err != nil {
			return false, err
		}
		preds = append(preds, ps)
	}
	anyValue := func(ps []refPred) bool {
		for _, v := range vals {
			if v.kind == 'z' {
				continue
			}
			for _, p := range ps {
				if p(v) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case r.has("neq"):
		nonNull := false
		for _, v := range vals {
			nonNull = nonNull || v.kind != 'z'
		}
		for _, ps := range preds {
			if anyValue(ps) {
				return false, nil
			}
		}
		return nonNull, nil
	case r.has("all"):
		for _, ps := range preds {
			if !anyValue(ps) {
				return false, nil
			}
		}
		return true, nil
	}
	for _, ps := range preds {
		if anyValue(ps) {
			return true, nil
		}
	}
	return false, nil
}

// fieldrefMatch compares the field's values with the referenced field's
// (docs/sigma.md, item 10): literally, lower-cased unless cased, at the
// position the modifiers give. With neq, both fields need a value (a
// comparison with a missing field is not a difference).
func fieldrefMatch(r refRule, vals, refs []refValue) bool {
	pos := "exact"
	for _, m := range r.mods {
		if m == "contains" || m == "startswith" || m == "endswith" {
			pos = m
		}
	}
	nonNull := func(vs []refValue) bool {
		for _, v := range vs {
			if v.kind != 'z' {
				return true
			}
		}
		return false
	}
	same := false
	for _, v := range vals {
		for _, ref := range refs {
			if v.kind == 'z' || ref.kind == 'z' {
				continue
			}
			a, b := v.text, ref.text
			if !r.has("cased") {
				a, b = strings.ToLower(a), strings.ToLower(b)
			}
			switch pos {
			case "contains":
				same = same || strings.Contains(a, b)
			case "startswith":
				same = same || strings.HasPrefix(a, b)
			case "endswith":
				same = same || strings.HasSuffix(a, b)
			default:
				same = same || a == b
			}
		}
	}
	if r.has("neq") {
		return !same && nonNull(vals) && nonNull(refs)
	}
	return same
}

// preds returns the tests of one rule value (several with windash, expand
// or base64offset).
func (r refRule) preds(text string) ([]refPred, error) {
	switch {
	case r.has("re"):
		flags := ""
		for _, m := range r.mods {
			if m == "i" || m == "m" || m == "s" {
				flags += m
			}
		}
		if flags != "" {
			flags = "(?" + flags + ")"
		}
		re, err := regexp.Compile(flags + text)
		if err != nil {
			return nil, fmt.Errorf("regexp %q: %w", text, err)
		}
		return []refPred{func(v refValue) bool { return re.MatchString(v.text) }}, nil
	case r.has("cidr"):
		return []refPred{cidrPred(text)}, nil
	case r.has("gt") || r.has("gte") || r.has("lt") || r.has("lte"):
		return []refPred{comparePred(r.mods[0], text)}, nil
	}
	texts := []string{text}
	// windash before expand varies the dashes written in the value, not
	// those of the placeholders' values: refExpand marks the former.
	dashFirst := r.has("windash") && r.has("expand") && r.index("windash") < r.index("expand")
	if r.has("expand") {
		texts = refExpand(text, dashFirst)
	}
	pos := "exact"
	switch {
	case r.has("contains") || (r.keyword && !r.has("startswith") && !r.has("endswith")):
		pos = "contains"
	case r.has("startswith"):
		pos = "startswith"
	case r.has("endswith"):
		pos = "endswith"
	}
	encoded := false
	for _, m := range r.mods {
		encoded = encoded || m == "base64" || m == "base64offset" || strings.HasPrefix(m, "utf16") || m == "wide"
	}
	var out []refPred
	for _, t := range texts {
		if !encoded {
			out = append(out, wildcardPred(t, pos, r.has("cased"), r.has("windash") && !dashFirst))
			continue
		}
		plain, ok := sigmaUnescape(t)
		if !ok {
			return nil, fmt.Errorf("value %q holds wildcards: the engine should reject it", t)
		}
		vs := []string{plain}
		for _, m := range r.mods {
			vs = refTransform(m, vs)
		}
		for _, s := range vs {
			out = append(out, literalPred(s, pos))
		}
	}
	return out, nil
}

// dashMark stands, in an expanded value, for a dash that windash varies.
const dashMark = '\uE000'

// refExpand replaces each %name% of s by each value of the placeholder
// (every combination); "\%" is a percent sign. With markDashes the dashes
// of s itself become dashMark.
func refExpand(s string, markDashes bool) []string {
	outs := []string{""}
	appendAll := func(alts ...string) {
		var next []string
		for _, o := range outs {
			for _, a := range alts {
				next = append(next, o+a)
			}
		}
		outs = next
	}
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], `\%`) {
			appendAll("%")
			i += 2
			continue
		}
		if s[i] == '%' {
			j := i + 1
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				j += n
			}
			if j > i+1 && j < len(s) && s[j] == '%' {
				appendAll(refPlaceholders[s[i+1:j]]...)
				i = j + 1
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if markDashes && isWindash(r) {
			appendAll(string(dashMark))
		} else {
			appendAll(s[i : i+n])
		}
		i += n
	}
	return outs
}

// isWindash reports whether r is one of the characters windash varies.
func isWindash(r rune) bool {
	return r == '-' || r == '/' || r == '\u2013' || r == '\u2014' || r == '\u2015'
}

// wildcardPred tests a Sigma string (wildcards, escapes) translated to a
// regular expression: '*' any run of characters, '?' one character, "\*",
// "\?" and "\\" escapes, a backslash before anything else literal. Unless
// cased both sides are lower-cased. With windash each dash of the value
// is any of the five.
func wildcardPred(s, pos string, cased, windash bool) refPred {
	var b strings.Builder
	b.WriteString(`^(?s)`)
	if pos == "contains" || pos == "endswith" {
		b.WriteString(`.*`)
	}
	lit := func(r rune) {
		if !cased {
			r = unicode.ToLower(r)
		}
		if r == dashMark || windash && isWindash(r) {
			b.WriteString("[-/\u2013\u2014\u2015]")
			return
		}
		b.WriteString(regexp.QuoteMeta(string(r)))
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\' && i+1 < len(s) && strings.IndexByte(`*?\`, s[i+1]) >= 0:
			lit(rune(s[i+1]))
			n = 2
		case r == '*':
			b.WriteString(`.*`)
		case r == '?':
			b.WriteString(`.`)
		default:
			lit(r)
		}
		i += n
	}
	if pos == "contains" || pos == "startswith" {
		b.WriteString(`.*`)
	}
	b.WriteString(`$`)
	re := regexp.MustCompile(b.String())
	return func(v refValue) bool {
		t := v.text
		if !cased {
			t = strings.ToLower(t)
		}
		return re.MatchString(t)
	}
}

// sigmaUnescape returns the text of a Sigma string without wildcards, or
// false if it holds one.
func sigmaUnescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`*?\`, s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i++
		case s[i] == '*' || s[i] == '?':
			return "", false
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), true
}

// refTransform applies a transformation modifier to each value (the other
// modifiers leave them as they are).
func refTransform(mod string, vs []string) []string {
	var out []string
	for _, v := range vs {
		switch mod {
		case "windash":
			out = append(out, windashVariants(v)...)
		case "base64":
			out = append(out, base64.StdEncoding.EncodeToString([]byte(v)))
		case "base64offset":
			// pySigma: b64encode(i * b" " + value)[start[i] : end[(len+i) % 3]]
			// with start (0, 2, 3) and end (None, -3, -2); an empty result
			// would match everything and is left out.
			start := []int{0, 2, 3}
			end := []int{0, 3, 2}
			for i := range 3 {
				enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", i) + v))
				if stop := len(enc) - end[(len(v)+i)%3]; stop > start[i] {
					out = append(out, enc[start[i]:stop])
				}
			}
		case "wide", "utf16le":
			out = append(out, utf16Of(v, binary.LittleEndian))
		case "utf16be":
			out = append(out, utf16Of(v, binary.BigEndian))
		case "utf16":
			out = append(out, "\xff\xfe"+utf16Of(v, binary.LittleEndian))
		default:
			out = append(out, v)
		}
	}
	return out
}

// windashVariants returns every variant of v with each dash character
// replaced by each of the five.
func windashVariants(v string) []string {
	outs := []string{""}
	for _, r := range v {
		alts := []string{string(r)}
		if isWindash(r) {
			alts = []string{"-", "/", "\u2013", "\u2014", "\u2015"}
		}
		var next []string
		for _, o := range outs {
			for _, a := range alts {
				next = append(next, o+a)
			}
		}
		outs = next
	}
	return outs
}

func utf16Of(s string, order binary.AppendByteOrder) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return string(b)
}

// literalPred tests an encoded value: case-sensitive, at the position the
// modifiers give.
func literalPred(s, pos string) refPred {
	return func(v refValue) bool {
		switch pos {
		case "contains":
			return strings.Contains(v.text, s)
		case "startswith":
			return strings.HasPrefix(v.text, s)
		case "endswith":
			return strings.HasSuffix(v.text, s)
		}
		return v.text == s
	}
}

// cidrPred tests whether a value is an IP address in the network the rule
// value names (a bare address is a one-address network). An IPv4-mapped
// IPv6 address is in an IPv6 network holding it and in an IPv4 network
// holding its IPv4 address.
func cidrPred(text string) refPred {
	text = strings.TrimSpace(text)
	var p netip.Prefix
	if a, err := netip.ParseAddr(text); err == nil {
		p = netip.PrefixFrom(a, a.BitLen())
	} else {
		p, _ = netip.ParsePrefix(text)
	}
	return func(v refValue) bool {
		if v.kind != 's' {
			return false
		}
		a, err := netip.ParseAddr(strings.TrimSpace(v.text))
		if err != nil || a.Zone() != "" {
			return false
		}
		return p.Contains(a) || p.Contains(a.Unmap())
	}
}

// ruleDecimal is the rule value a comparison takes (docs/sigma.md item 4):
// a decimal number with an optional sign, point and exponent.
var ruleDecimal = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// comparePred compares a number, or a string holding a JSON number, with
// the rule's number; past float64's range a number is ±Inf, on both sides.
func comparePred(op, text string) refPred {
	want, err := strconv.ParseFloat(text, 64)
	if !ruleDecimal.MatchString(text) || err != nil && !errors.Is(err, strconv.ErrRange) {
		return func(refValue) bool { return false }
	}
	return func(v refValue) bool {
		if (v.kind != 'n' && v.kind != 's') || !jsonNumber.MatchString(v.text) {
			return false
		}
		got, err := strconv.ParseFloat(v.text, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return false
		}
		switch op {
		case "gt":
			return got > want
		case "gte":
			return got >= want
		case "lt":
			return got < want
		}
		return got <= want
	}
}
