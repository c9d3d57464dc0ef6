package sigma

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// itemKind is what an item tests.
type itemKind uint8

const (
	kindString   itemKind = iota // wildcard patterns (possibly encoded)
	kindRegex                    // re
	kindCIDR                     // cidr
	kindCompare                  // gt/gte/lt/lte, and the time modifiers
	kindExists                   // exists
	kindNull                     // field: null
	kindFieldRef                 // fieldref
)

// posMod is the position a string or fieldref value must take.
type posMod uint8

const (
	posExact posMod = iota
	posPrefix
	posSuffix
	posContains
)

// item is one "field|modifiers: values" entry of a selection, or a list of
// keywords (field "").
type item struct {
	field   string
	mods    []string
	node    *yaml.Node
	kind    itemKind
	keyword bool
	all     bool
	neq     bool
	cased   bool
	exists  bool
	pos     posMod
	// alts holds one entry per rule value; each is a list of alternative
	// patterns (expansions by windash, base64offset, expand). Without "all"
	// every pattern of every value is an alternative.
	alts [][]*vpat
}

// vpat is one compiled value pattern.
type vpat struct {
	src    string // the value as written in the rule (for explanations)
	g      glob
	cased  bool
	re     *regexp.Regexp
	reLit  literal // a literal every match of re contains (folded if reFold)
	reFold bool
	pfx    netip.Prefix
	num    float64
	cmp    string // "gt", "gte", "lt", "lte" or "" (equal)
	part   string // time modifier, or ""
	ref    string // fieldref: the referenced field
}

// modifier names and their categories.
var (
	transformMods = map[string]bool{"windash": true, "base64": true, "base64offset": true,
		"utf16": true, "utf16le": true, "utf16be": true, "wide": true, "expand": true}
	posMods   = map[string]posMod{"contains": posContains, "startswith": posPrefix, "endswith": posSuffix}
	cmpMods   = map[string]bool{"gt": true, "gte": true, "lt": true, "lte": true}
	timeMods  = map[string]bool{"minute": true, "hour": true, "day": true, "week": true, "month": true, "year": true}
	reFlags   = map[string]bool{"i": true, "m": true, "s": true}
	flagMods  = map[string]bool{"all": true, "cased": true, "neq": true}
	typeMods  = map[string]itemKind{"re": kindRegex, "cidr": kindCIDR, "exists": kindExists, "fieldref": kindFieldRef}
	knownMods = func() map[string]bool {
		m := map[string]bool{}
		for _, s := range []map[string]bool{transformMods, cmpMods, timeMods, reFlags, flagMods} {
			for k := range s {
				m[k] = true
			}
		}
		for k := range posMods {
			m[k] = true
		}
		for k := range typeMods {
			m[k] = true
		}
		return m
	}()
)

// itemSpec is the result of reading a key's modifiers.
type itemSpec struct {
	transforms []string
	reFlags    string
	part       string
	cmp        string
}

func parseItem(file string, k, v *yaml.Node, opt ParseOptions) (*item, error) {
	parts := strings.Split(k.Value, "|")
	it := &item{field: parts[0], mods: parts[1:], node: k, keyword: parts[0] == ""}
	spec, err := it.readMods(file, k)
	if err != nil {
		return nil, err
	}
	vals, err := scalarValues(file, v)
	if err != nil {
		return nil, err
	}
	if err := it.checkValues(file, v, vals); err != nil {
		return nil, err
	}
	for _, val := range vals {
		alt, err := it.compileValue(file, val, spec, opt)
		if err != nil {
			return nil, err
		}
		if len(alt) == 0 {
			return nil, errorf(file, val.node, "%q: value %q gives nothing to match after %s", k.Value, val.text, strings.Join(it.mods, "|"))
		}
		it.alts = append(it.alts, alt)
	}
	if !it.all && len(it.alts) > 1 {
		var flat []*vpat
		for _, a := range it.alts {
			flat = append(flat, a...)
		}
		it.alts = [][]*vpat{flat}
	}
	return it, nil
}

// readMods validates the modifier chain of a key.
func (it *item) readMods(file string, k *yaml.Node) (itemSpec, error) {
	var sp itemSpec
	bad := func(format string, args ...any) (itemSpec, error) {
		return sp, errorf(file, k, "%q: "+format, append([]any{k.Value}, args...)...)
	}
	typed := ""
	for _, m := range it.mods {
		if !knownMods[m] {
			return bad("unknown modifier %q", m)
		}
		switch {
		case transformMods[m]:
			if typed != "" {
				return bad("modifier %q cannot follow %q", m, typed)
			}
			if m == "expand" {
				for _, prev := range sp.transforms {
					if prev != "windash" && prev != "expand" {
						return bad("expand cannot follow %q: the encoded value holds no placeholder to expand", prev)
					}
				}
			}
			sp.transforms = append(sp.transforms, m)
		case posMods[m] != posExact:
			if it.pos != posExact {
				return bad("only one of contains, startswith, endswith may be used")
			}
			if typed != "" && typed != "fieldref" {
				return bad("modifier %q cannot be combined with %q", m, typed)
			}
			it.pos = posMods[m]
		case reFlags[m]:
			if typed != "re" {
				return bad("modifier %q is a sub-modifier of re and must follow it", m)
			}
			sp.reFlags += m
		case timeMods[m]:
			if typed != "" || sp.part != "" {
				return bad("time modifier %q cannot be combined with %q", m, typed+sp.part)
			}
			sp.part = m
		case cmpMods[m]:
			if (typed != "" && typed != "compare") || sp.cmp != "" {
				return bad("modifier %q cannot be combined with %q", m, typed+sp.cmp)
			}
			typed, sp.cmp = "compare", m
		case m == "all":
			it.all = true
		case m == "cased":
			it.cased = true
		case m == "neq":
			it.neq = true
		default:
			if typed != "" {
				return bad("modifier %q cannot be combined with %q", m, typed)
			}
			typed = m
		}
	}
	return sp, it.setKind(file, k, typed, sp)
}

func (it *item) setKind(file string, k *yaml.Node, typed string, sp itemSpec) error {
	switch {
	case typed == "compare" || sp.part != "":
		it.kind = kindCompare
	case typed != "":
		it.kind = typeMods[typed]
	}
	if it.kind == kindCompare { // name the modifiers as written, not the kind
		typed = strings.Trim(sp.part+"|"+sp.cmp, "|")
	}
	if it.kind != kindString && it.kind != kindFieldRef && it.pos != posExact {
		return errorf(file, k, "%q: contains/startswith/endswith cannot be combined with %s", k.Value, typed)
	}
	if it.kind != kindString && len(sp.transforms) > 0 && !(len(sp.transforms) == 1 && sp.transforms[0] == "expand") {
		return errorf(file, k, "%q: %s cannot be combined with %s", k.Value, strings.Join(sp.transforms, "|"), typed)
	}
	if it.keyword && it.kind != kindString && it.kind != kindRegex {
		return errorf(file, k, "%q: modifier %s needs a field name", k.Value, typed)
	}
	if it.neq && (it.all || it.kind == kindExists) {
		return errorf(file, k, "%q: neq cannot be combined with all or exists", k.Value)
	}
	if it.keyword && it.pos == posExact && it.kind == kindString {
		it.pos = posContains // keywords are searched anywhere in a value
	}
	return nil
}

// yval is one scalar value of a rule, as text.
type yval struct {
	node *yaml.Node
	text string
	null bool
	bool bool
	isB  bool
}

func scalarValues(file string, v *yaml.Node) ([]yval, error) {
	var nodes []*yaml.Node
	switch v.Kind {
	case yaml.ScalarNode:
		nodes = []*yaml.Node{v}
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			return nil, errorf(file, v, "empty list of values")
		}
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode {
				return nil, errorf(file, e, "a field value must be a string, number, boolean or null")
			}
			nodes = append(nodes, e)
		}
	default:
		return nil, errorf(file, v, "a field value must be a value or a list of values")
	}
	out := make([]yval, 0, len(nodes))
	for _, n := range nodes {
		y := yval{node: n, text: n.Value}
		switch n.ShortTag() {
		case "!!null":
			y.null = true
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err == nil {
				y.isB, y.bool = true, b
				y.text = strconv.FormatBool(b)
			}
		case "!!int":
			var i int64
			if err := n.Decode(&i); err == nil {
				y.text = strconv.FormatInt(i, 10)
			}
		}
		out = append(out, y)
	}
	return out, nil
}

func (it *item) checkValues(file string, v *yaml.Node, vals []yval) error {
	if it.all && len(vals) < 2 {
		return errorf(file, v, "%q: the all modifier needs a list of at least two values", it.node.Value)
	}
	for _, y := range vals {
		if !y.null {
			continue
		}
		switch {
		case it.keyword:
			return errorf(file, y.node, "null needs a field name: a keyword search cannot look for null")
		case len(vals) > 1:
			return errorf(file, y.node, "null cannot be part of a list of values: use a separate selection")
		case len(it.mods) > 0:
			return errorf(file, y.node, "null cannot be used with modifiers")
		}
		it.kind = kindNull
	}
	if it.kind == kindExists {
		if len(vals) != 1 || !vals[0].isB {
			return errorf(file, v, "%q: exists takes true or false", it.node.Value)
		}
		it.exists = vals[0].bool
	}
	return nil
}

// compileValue turns one rule value into its alternative patterns.
func (it *item) compileValue(file string, y yval, sp itemSpec, opt ParseOptions) ([]*vpat, error) {
	switch it.kind {
	case kindNull, kindExists:
		return []*vpat{{src: y.text}}, nil
	}
	texts := []string{y.text}
	if k := slices.Index(sp.transforms, "expand"); k >= 0 {
		// Modifiers apply in the order written: those before expand (only
		// windash, readMods rejects encodings there) vary the value as
		// written, leaving placeholder names alone, then each variant's
		// placeholders are replaced.
		vs := []sstring{placeholderPieces(y.text)}
		for range sp.transforms[:k] {
			var err error
			if vs, err = windash(vs); err != nil {
				return nil, errorf(file, y.node, "%q: %v", y.text, err)
			}
		}
		var expanded []string
		for _, v := range vs {
			ts, err := expandPieces(v, opt.Placeholders)
			if err != nil {
				return nil, errorf(file, y.node, "%v", err)
			}
			if expanded = append(expanded, ts...); len(expanded) > maxValuePatterns {
				return nil, errorf(file, y.node, "%q: %v", y.text, errTooManyPatterns)
			}
		}
		texts = expanded
		sp.transforms = sp.transforms[k:] // compileStrings skips expand
	}
	var out []*vpat
	for _, t := range texts {
		ps, err := it.compileText(t, sp)
		if err != nil {
			return nil, errorf(file, y.node, "%q: %v", y.text, err)
		}
		if out = append(out, ps...); len(out) > maxValuePatterns {
			return nil, errorf(file, y.node, "%q: %v", y.text, errTooManyPatterns)
		}
	}
	return out, nil
}

// parseCIDR reads a cidr value as pySigma does (Python's strict
// ip_network): a bare address is a network of that one address, and a
// prefix with host bits set is an error, since 10.1.2.3/8 is most likely a
// mistyped /32 that would silently match the whole of 10.0.0.0/8.
func parseCIDR(t string) (netip.Prefix, error) {
	if !strings.Contains(t, "/") {
		a, err := netip.ParseAddr(t)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("bad CIDR: %w", err)
		}
		if a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("bad CIDR: %s has a zone, which a network cannot have", t)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(t)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad CIDR: %w", err)
	}
	if err := HostBitsError(p); err != nil {
		return netip.Prefix{}, fmt.Errorf("bad CIDR: %s %w", t, err)
	}
	return p, nil
}

// HostBitsError reports a network written with host bits set (10.1.2.3/8),
// which the cidr modifier and the configuration's trusted ranges reject:
// most likely a mistyped /32 that would quietly stand for the whole network.
// It is nil for a network written as its first address.
func HostBitsError(p netip.Prefix) error {
	if m := p.Masked(); m != p {
		return fmt.Errorf("has host bits set (the network is %s; write /%d for the one address)", m, p.Addr().BitLen())
	}
	return nil
}

// maxValuePatterns bounds what one rule value may turn into once its
// placeholders, windash variants and encodings multiply (each alone is
// bounded: 4,096 expansions, 3,125 windash variants), so that a rule or a
// placeholder file cannot make loading take minutes and gigabytes.
const maxValuePatterns = 16384

// errTooManyPatterns rejects a value past maxValuePatterns.
var errTooManyPatterns = fmt.Errorf("gives more than %d patterns (placeholders, windash and encodings multiply)", maxValuePatterns)

func (it *item) compileText(t string, sp itemSpec) ([]*vpat, error) {
	switch it.kind {
	case kindRegex:
		re, err := compileRegex(t, sp.reFlags)
		if err != nil {
			return nil, err
		}
		lit, fold := regexRequired(re.String())
		return []*vpat{{src: t, re: re, reLit: newLiteral([]byte(lit)), reFold: fold}}, nil
	case kindCIDR:
		p, err := parseCIDR(strings.TrimSpace(t))
		if err != nil {
			return nil, err
		}
		return []*vpat{{src: t, pfx: p}}, nil
	case kindCompare:
		f, ok := ruleNumber(t)
		if !ok {
			return nil, fmt.Errorf("%s needs a number (decimal digits, with a sign, a point or an exponent), not %q", sp.cmp+sp.part, t)
		}
		return []*vpat{{src: t, num: f, cmp: sp.cmp, part: sp.part}}, nil
	case kindFieldRef:
		if t == "" {
			return nil, fmt.Errorf("fieldref needs a field name")
		}
		return []*vpat{{src: t, ref: t}}, nil
	}
	return it.compileStrings(t, sp.transforms)
}

// ruleNumber reads the value of a comparison modifier: a decimal number,
// digits with an optional sign, point and exponent (YAML integers arrive
// normalised to decimal). NaN, infinities, hexadecimal, digit separators and
// spaces are rejected: strconv.ParseFloat reads them, but `gt: NaN` would
// never match and `lt: Inf` would match every number, and an event's value
// written so is text, not a number. A number past float64's range is ±Inf,
// as it is in events: `gt: 1e999` matches nothing, `gt: -1e999` any number.
func ruleNumber(t string) (float64, bool) {
	if t == "" || !numberChars(t) {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

func compileRegex(t, flags string) (*regexp.Regexp, error) {
	prefix := ""
	if flags != "" {
		prefix = "(?" + flags + ")"
	}
	re, err := regexp.Compile(prefix + t)
	if err != nil {
		return nil, fmt.Errorf("bad regular expression: %w", err)
	}
	return re, nil
}

// compileStrings applies the transformation modifiers in order, then the
// position modifier, and compiles the resulting wildcard patterns.
func (it *item) compileStrings(t string, transforms []string) ([]*vpat, error) {
	vals := []sstring{parseSigmaString(t)}
	encoded := false
	for _, m := range transforms {
		var err error
		switch m {
		case "expand":
			continue
		case "windash":
			vals, err = windash(vals)
		default:
			vals, err = encode(m, vals)
			encoded = true
		}
		if err != nil {
			return nil, err
		}
	}
	cased := it.cased || encoded
	out := make([]*vpat, 0, len(vals))
	for _, s := range vals {
		s = s.withStar(it.pos == posSuffix || it.pos == posContains, it.pos == posPrefix || it.pos == posContains)
		if !cased {
			s = s.lower()
		}
		out = append(out, &vpat{src: t, g: compileGlob(s), cased: cased})
	}
	return out, nil
}
