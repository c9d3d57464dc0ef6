package decode

import (
	"bytes"
	"errors"

	"github.com/signwatch/signwatch/internal/event"
)

// resumeError means the problem was already reported; the rest of the value
// is lost and decoding resumes at offset at.
type resumeError struct{ at int }

func (e *resumeError) Error() string { return "reported" }

// values decodes a sequence of JSON values (one value, JSON Lines, or
// concatenated values) starting at data[i]. It returns the kind of the
// first CloudTrail value found. top is true for the outer stream.
func (d *decoder) values(data []byte, i int, p *path, top bool) string {
	kind := ""
	for !d.stopped() {
		i = skipSpace(data, i)
		if i >= len(data) {
			break
		}
		if top {
			d.topValues++
		}
		c := data[i]
		if c != '{' && c != '[' {
			d.problemPath(i, p, "expected a JSON object or array, found "+describe(c))
			i = nextValueLine(data, i)
			continue
		}
		end, k, err := d.value(data, i, p)
		// A value broken after its events (a truncated delivery object or
		// array) still gives the input its shape.
		if kind == "" && d.ct && k != kindOther && k != kindIgnored && k != kindBad {
			kind = k
		}
		if err != nil {
			i = d.valueFailed(data, i, p, err)
			continue
		}
		i = end
	}
	return kind
}

// valueFailed reports a broken top-level value and returns where decoding
// resumes: the next line that starts a JSON value.
func (d *decoder) valueFailed(data []byte, i int, p *path, err error) int {
	var re *resumeError
	if errors.As(err, &re) {
		return nextValueLine(data, re.at)
	}
	off := i
	var se *event.SyntaxError
	if errors.As(err, &se) {
		off = int(se.Offset)
	}
	d.problemPath(off, p, "invalid JSON: "+syntaxMsg(err)+" (value skipped)")
	return nextValueLine(data, off)
}

func syntaxMsg(err error) string {
	var se *event.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

// nextValueLine returns where decoding resumes after bad input at offset
// i: the start of the next line that begins a new value, that is, does not
// begin with white space (the inside of a pretty-printed value) or with a
// closing bracket; len(data) if there is none.
func nextValueLine(data []byte, i int) int {
	for i < len(data) {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return len(data)
		}
		i += j + 1
		if i < len(data) && !isSpace[data[i]] && data[i] != '}' && data[i] != ']' {
			return i
		}
	}
	return len(data)
}

// value decodes one top-level value: an object of any known shape, or an
// array of them.
func (d *decoder) value(data []byte, i int, p *path) (int, string, error) {
	if data[i] == '[' {
		end, err := d.array(data, i, p, false)
		return end, kindArray, err
	}
	end, k, err := d.object(data, i, p)
	if err != nil {
		return end, k, err
	}
	if k == kindOther {
		d.problemPath(i, p, "not a CloudTrail event (no eventVersion, eventSource, eventName or eventID)")
	}
	return end, k, nil
}

// array decodes an array of events (a top-level array or the Records
// array). A broken element is reported and skipped; decoding resynchronises
// at the next element that is an event.
func (d *decoder) array(data []byte, i int, p *path, records bool) (int, error) {
	j := skipSpace(data, i+1)
	if j < len(data) && data[j] == ']' {
		return j + 1, nil
	}
	ep := path{parent: p}
	for idx := 0; !d.stopped(); idx++ {
		ep.idx = idx
		if j >= len(data) {
			d.problemPath(j, p, "unexpected end of input in array (input truncated?)")
			return j, &resumeError{at: j}
		}
		end, err := d.element(data, j, &ep)
		if err != nil {
			next, ok := d.resync(data, j, err, &ep)
			if !ok {
				d.lost(data, j, p)
				return len(data), &resumeError{at: len(data)}
			}
			j = next
			continue
		}
		k := skipSpace(data, end)
		switch {
		case k >= len(data):
			d.problemPath(k, p, "unexpected end of input in array (input truncated?)")
			return k, &resumeError{at: k}
		case data[k] == ',':
			j = skipSpace(data, k+1)
		case data[k] == ']':
			return k + 1, nil
		default:
			d.problemPath(k, p, "expected ',' or ']' after element, found "+describe(data[k]))
			next, ok := d.resyncFrom(data, k)
			if !ok {
				d.lost(data, k, p)
				return len(data), &resumeError{at: len(data)}
			}
			j = next
		}
	}
	return len(data), &resumeError{at: len(data)}
}

// element decodes one array element that should be an event.
func (d *decoder) element(data []byte, j int, p *path) (int, error) {
	if data[j] != '{' {
		end, err := event.Skip(data, j)
		if err != nil {
			return end, err
		}
		d.problemPath(j, p, "expected an event object, found "+jsonType(data[j])+" (element skipped)")
		return end, nil
	}
	if end, ok := d.parsedEvent(data, j, p); ok {
		return end, nil
	}
	end, k, err := d.object(data, j, p)
	if err != nil {
		return end, err
	}
	if k == kindOther {
		d.problemPath(j, p, "not a CloudTrail event (no eventVersion, eventSource, eventName or eventID; element skipped)")
	}
	return end, nil
}

// lost reports the part of an array given up when no later element could
// be found, unless it is only the end of a truncated input.
func (d *decoder) lost(data []byte, from int, p *path) {
	if end := bytes.IndexByte(data[from:], '\n'); end < 0 && isTruncatedTail(data[from:]) {
		return
	}
	d.problemPath(from, p, "no valid event found after the bad element: the remaining "+
		itoa(len(data)-from)+" bytes of the input were skipped")
}

// isTruncatedTail tells whether b could be the unfinished last element of
// a truncated input: it holds no further element start.
func isTruncatedTail(b []byte) bool {
	if len(b) < 2 {
		return true
	}
	return !bytes.Contains(b[1:], []byte(",{")) && !bytes.Contains(b[1:], []byte(", {"))
}

// resync reports a broken element and finds the start of the next element
// that is an event object.
func (d *decoder) resync(data []byte, j int, err error, p *path) (int, bool) {
	var re *resumeError
	if errors.As(err, &re) {
		return d.resyncFrom(data, re.at)
	}
	off := j
	var se *event.SyntaxError
	if errors.As(err, &se) {
		off = int(se.Offset)
	}
	d.problemPath(off, p, "invalid JSON in element: "+syntaxMsg(err)+" (element skipped)")
	return d.resyncFrom(data, j+1)
}

// resyncFrom searches from offset i for "{" following "," or "[" that
// starts a valid event object. The work is bounded so that adversarial
// input cannot make it quadratic.
func (d *decoder) resyncFrom(data []byte, i int) (int, bool) {
	if d.resyncBudget == 0 {
		d.resyncBudget = 4*len(d.outer) + 1<<20
	}
	for i < len(data) && d.resyncBudget > 0 {
		k := bytes.IndexByte(data[i:], '{')
		if k < 0 {
			break
		}
		c := i + k
		i = c + 1
		b := c - 1
		for b >= 0 && isSpace[data[b]] {
			b--
		}
		if b < 0 || (data[b] != ',' && data[b] != '[') {
			continue
		}
		lim := min(len(data), c+d.opt.MaxLine+1)
		ok, scanned := isEventObject(data[:lim], c)
		d.resyncBudget -= scanned
		if ok {
			return c, true
		}
	}
	return len(data), false
}

// isEventObject tells whether data[c:] starts a valid JSON object with one
// of the keys that make an event, and how many bytes it looked at.
func isEventObject(data []byte, c int) (bool, int) {
	end, err := event.Skip(data, c)
	if err != nil {
		var se *event.SyntaxError
		if errors.As(err, &se) {
			return false, int(se.Offset) - c + 1
		}
		return false, end - c + 1
	}
	found := false
	_ = members(data, c, func(key []byte, vs, ve int) bool {
		if fieldOf(key) <= fEventID {
			found = true
			return false
		}
		return true
	})
	return found, end - c
}

// members walks the members of a valid object at data[i], calling fn until
// it returns false.
func members(data []byte, i int, fn func(key []byte, vs, ve int) bool) error {
	j := skipSpace(data, i+1)
	for j < len(data) && data[j] == '"' {
		ke, err := event.Skip(data, j)
		if err != nil {
			return err
		}
		key := data[j+1 : ke-1]
		vs := skipSpace(data, skipSpace(data, ke)+1)
		ve, err := event.Skip(data, vs)
		if err != nil {
			return err
		}
		if !fn(key, vs, ve) {
			return nil
		}
		j = skipSpace(data, ve)
		if j < len(data) && data[j] == ',' {
			j = skipSpace(data, j+1)
		}
	}
	return nil
}
