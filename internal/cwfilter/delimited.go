package cwfilter

import (
	"strconv"
	"strings"
)

// dleaf is one `name op value` condition of a space-delimited pattern.
type dleaf struct {
	name  string
	field int // index of the named pattern field
	at    int // byte offset of the name, for errors
	op    cmpOp
	val   value
}

// dterm is an && of leaves; a field condition is an || of dterms
// (&& binds tighter than ||; delimited patterns have no parentheses).
type dterm []dleaf

// dfield is one comma-separated element of a space-delimited pattern.
type dfield struct {
	name     string // "" for an anonymous field
	ellipsis bool   // ... matches any number of fields
	cond     []dterm
	local    bool // cond refers only to this field, so it can be checked early
}

// delimPattern is a `[ ... ]` pattern.
type delimPattern struct {
	fields []dfield
	fixed  int  // number of non-ellipsis fields
	memo   bool // several ellipses and only local conditions: memoize failures
}

// span is one field of a message: msg[start:end], without its quotes or brackets.
type span struct{ start, end int }

// binding is the result of matching: which message field each pattern field took.
type binding struct {
	msg    []byte
	fields []span
	pos    []int  // per pattern field; -1 for an ellipsis
	failed []bool // (pattern field, message field) pairs known not to match
}

// maxBindSteps bounds the backtracking over ellipses per message.
const maxBindSteps = 10000

func (d *delimPattern) match(msg []byte, keep bool) (*binding, bool) {
	var fieldBuf [64]span
	var posBuf [32]int
	b := binding{msg: msg, fields: splitFields(msg, fieldBuf[:0])}
	if len(d.fields) <= len(posBuf) {
		b.pos = posBuf[:len(d.fields)]
	} else {
		b.pos = make([]int, len(d.fields))
	}
	if len(b.fields) < d.fixed {
		return nil, false
	}
	if d.memo {
		b.failed = make([]bool, (len(d.fields)+1)*(len(b.fields)+1))
	}
	budget := maxBindSteps
	if !d.bind(&b, 0, 0, &budget) {
		return nil, false
	}
	if keep {
		b.fields = append([]span(nil), b.fields...)
		b.pos = append([]int(nil), b.pos...)
		return &b, true
	}
	return nil, true
}

func (d *delimPattern) bind(b *binding, pi, fi int, budget *int) bool {
	*budget--
	if *budget < 0 {
		return false
	}
	if pi == len(d.fields) {
		return fi == len(b.fields) && d.checkAll(b)
	}
	f := &d.fields[pi]
	if f.ellipsis {
		b.pos[pi] = -1
		for k := fi; k <= len(b.fields); k++ {
			if d.memo && b.failed[(pi+1)*(len(b.fields)+1)+k] {
				continue
			}
			if d.bind(b, pi+1, k, budget) {
				return true
			}
			if d.memo && *budget >= 0 {
				b.failed[(pi+1)*(len(b.fields)+1)+k] = true
			}
		}
		return false
	}
	if fi >= len(b.fields) {
		return false
	}
	b.pos[pi] = fi
	if f.local && !evalCond(f.cond, b) {
		return false
	}
	return d.bind(b, pi+1, fi+1, budget)
}

func (d *delimPattern) checkAll(b *binding) bool {
	for i := range d.fields {
		f := &d.fields[i]
		if !f.local && !evalCond(f.cond, b) {
			return false
		}
	}
	return true
}

func evalCond(cond []dterm, b *binding) bool {
	if len(cond) == 0 {
		return true
	}
	for _, t := range cond {
		ok := true
		for i := range t {
			l := &t[i]
			s := b.fields[b.pos[l.field]]
			if !l.val.test(l.op, b.msg[s.start:s.end]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// splitFields splits a message at runs of blanks; a field that starts with
// a double quote extends to the next unescaped double quote, one that
// starts with [ to the next ], and both are returned without those marks.
func splitFields(msg []byte, out []span) []span {
	i := 0
	for {
		for i < len(msg) && isBlank(msg[i]) {
			i++
		}
		if i >= len(msg) {
			return out
		}
		switch msg[i] {
		case '"':
			j := i + 1
			for j < len(msg) && msg[j] != '"' {
				if msg[j] == '\\' {
					j++
				}
				j++
			}
			out = append(out, span{i + 1, min(j, len(msg))})
			i = j + 1
		case '[':
			j := i + 1
			for j < len(msg) && msg[j] != ']' {
				j++
			}
			out = append(out, span{i + 1, j})
			i = j + 1
		default:
			j := i
			for j < len(msg) && !isBlank(msg[j]) {
				j++
			}
			out = append(out, span{i, j})
			i = j
		}
	}
}

// fieldMap names the extracted fields as CloudWatch does: "$name" for a
// field bound to a named pattern field, "$N" (1-based) for the others.
func (b *binding) fieldMap(d *delimPattern) map[string]string {
	named := make(map[int]string)
	for pi, f := range d.fields {
		if f.name != "" && b.pos[pi] >= 0 {
			named[b.pos[pi]] = f.name
		}
	}
	m := make(map[string]string, len(b.fields))
	for i, s := range b.fields {
		key := "$" + strconv.Itoa(i+1)
		if n, ok := named[i]; ok {
			key = "$" + n
		}
		m[key] = string(b.msg[s.start:s.end])
	}
	return m
}

// parseDelimited reads `[ field, ... ]` starting at p.pos (on the `[`).
func (p *parser) parseDelimited() (*delimPattern, error) {
	open := p.pos
	p.pos++
	d := &delimPattern{}
	names := map[string]int{}
	var leaves []*dleaf
	for {
		p.skipSpace()
		if p.eof() {
			return nil, p.errAt(p.pos, "missing ] to close the [ at column %d", p.columnOf(open))
		}
		if p.peek() == ']' && len(d.fields) == 0 {
			return nil, p.errAt(p.pos, "empty space-delimited pattern: name the fields, e.g. [ip, user, ...]")
		}
		f, err := p.delimField()
		if err != nil {
			return nil, err
		}
		if f.name != "" {
			if _, dup := names[f.name]; dup {
				return nil, p.errAt(p.pos, "field name %q is used twice", f.name)
			}
			names[f.name] = len(d.fields)
		}
		d.fields = append(d.fields, f)
		p.skipSpace()
		if p.eof() {
			return nil, p.errAt(p.pos, "missing ] to close the [ at column %d", p.columnOf(open))
		}
		if p.peek() == ',' {
			p.pos++
			continue
		}
		if p.peek() == ']' {
			p.pos++
			break
		}
		return nil, p.errAt(p.pos, "expected , or ] but found %s", p.describe(p.pos))
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.errAt(p.pos, "unexpected %s after the closing ]", p.describe(p.pos))
	}
	for i := range d.fields {
		for j := range d.fields[i].cond {
			for k := range d.fields[i].cond[j] {
				leaves = append(leaves, &d.fields[i].cond[j][k])
			}
		}
	}
	return d, p.resolve(d, names, leaves)
}

// resolve binds each condition to its field and marks local conditions.
func (p *parser) resolve(d *delimPattern, names map[string]int, leaves []*dleaf) error {
	for _, l := range leaves {
		idx, ok := names[l.name]
		if !ok {
			return p.errAt(l.at, "condition on %q, which is not a field of the pattern", l.name)
		}
		l.field = idx
	}
	ellipses, allLocal := 0, true
	defer func() { d.memo = ellipses > 1 && allLocal }()
	for i := range d.fields {
		f := &d.fields[i]
		if f.ellipsis {
			ellipses++
			continue
		}
		d.fixed++
		f.local = true
		for _, t := range f.cond {
			for _, l := range t {
				if l.field != i {
					f.local, allLocal = false, false
				}
			}
		}
	}
	return nil
}

// delimField reads one field: empty (anonymous), `...`, or a name with
// optional conditions joined by && and ||.
func (p *parser) delimField() (dfield, error) {
	var f dfield
	if p.hasPrefix("...") {
		p.pos += 3
		f.ellipsis = true
		return f, nil
	}
	if c := p.peek(); c == ',' || c == ']' {
		return f, nil
	}
	at := p.pos
	f.name = p.fieldName()
	if f.name == "" {
		return f, p.errAt(at, "expected a field name, ... or , but found %s", p.describe(at))
	}
	p.skipSpace()
	if c := p.peek(); c == ',' || c == ']' || p.eof() {
		return f, nil
	}
	first, err := p.delimLeaf(f.name, at)
	if err != nil {
		return f, err
	}
	cur := dterm{first}
	for {
		p.skipSpace()
		switch {
		case p.hasPrefix("&&"):
			p.pos += 2
		case p.hasPrefix("||"):
			p.pos += 2
			f.cond = append(f.cond, cur)
			cur = nil
		default:
			f.cond = append(f.cond, cur)
			return f, nil
		}
		p.skipSpace()
		lat := p.pos
		name := p.fieldName()
		if name == "" {
			return f, p.errAt(lat, "expected a field name after && or || but found %s", p.describe(lat))
		}
		l, err := p.delimLeaf(name, lat)
		if err != nil {
			return f, err
		}
		cur = append(cur, l)
	}
}

func (p *parser) fieldName() string {
	start := p.pos
	for p.pos < len(p.src) && (isAlnum(p.src[p.pos]) || p.src[p.pos] == '_') {
		p.pos++
	}
	return p.src[start:p.pos]
}

// delimLeaf reads `op value` for the field name read at `at`.
func (p *parser) delimLeaf(name string, at int) (dleaf, error) {
	p.skipSpace()
	opAt := p.pos
	if op, ok := p.comparison(); ok {
		p.skipSpace()
		v, err := p.value(op, opAt)
		if err != nil {
			return dleaf{}, err
		}
		return dleaf{name: name, at: at, op: op, val: v}, nil
	}
	return dleaf{}, p.errAt(opAt, "expected an operator (=, !=, <, >, <=, >=) after %q but found %s", name, p.describe(opAt))
}

// String renders the pattern in canonical form.
func (d *delimPattern) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range d.fields {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case f.ellipsis:
			b.WriteString("...")
		case len(f.cond) == 0:
			b.WriteString(f.name)
		default:
			for j, t := range f.cond {
				if j > 0 {
					b.WriteString(" || ")
				}
				for k, l := range t {
					if k > 0 {
						b.WriteString(" && ")
					}
					b.WriteString(l.name + " " + opText[l.op] + " ")
					b.Write(l.val.appendTo(nil))
				}
			}
		}
	}
	b.WriteByte(']')
	return b.String()
}
