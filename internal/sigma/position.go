package sigma

import (
	"bytes"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// scalarPosition finds where byte off of scalar n's value was written in
// src, the text the node was parsed from: its 1-based line and column
// (columns count characters, as YAML's do). A value written over several
// lines (a block scalar, a plain or quoted scalar folded across lines) has
// lost its line breaks and indentation, so its offsets no longer follow
// from the node's own position. Outside white space a value holds the
// characters of its source in order; they are walked in step. ok is false
// when src is unknown or the two cannot be walked in step (an escape in a
// double-quoted scalar).
func scalarPosition(src []byte, n *yaml.Node, off int) (line, col int, ok bool) {
	i, ok := sourceOffset(src, n.Line, n.Column)
	if !ok {
		return 0, 0, false
	}
	quote := byte(0)
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// The value starts on the line after the indicator.
		nl := bytes.IndexByte(src[i:], '\n')
		if nl < 0 {
			return 0, 0, false
		}
		i += nl + 1
	case n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
		quote = src[i]
		i++
	}
	v := n.Value
	off = min(off, len(v))
	for j := 0; j < off; j++ {
		c := v[j]
		if isYAMLSpace(c) {
			continue
		}
		for i < len(src) && isYAMLSpace(src[i]) {
			i++
		}
		switch {
		case i >= len(src):
			return 0, 0, false
		case quote == '\'' && c == '\'':
			if !bytes.HasPrefix(src[i:], []byte("''")) {
				return 0, 0, false
			}
			i++ // a quote is written twice
		case quote == '"' && src[i] == '\\', src[i] != c:
			return 0, 0, false
		}
		i++
	}
	// Point at the character the offset names, or just past the last one
	// matched when it names white space or the end.
	if off < len(v) && !isYAMLSpace(v[off]) {
		for i < len(src) && isYAMLSpace(src[i]) {
			i++
		}
	}
	line = 1 + bytes.Count(src[:i], []byte{'\n'})
	start := bytes.LastIndexByte(src[:i], '\n') + 1
	return line, 1 + utf8.RuneCount(src[start:i]), true
}

// sourceOffset returns the byte offset of the 1-based line and character
// column in src.
func sourceOffset(src []byte, line, col int) (int, bool) {
	if src == nil || line < 1 || col < 1 {
		return 0, false
	}
	i := 0
	for l := 1; l < line; l++ {
		nl := bytes.IndexByte(src[i:], '\n')
		if nl < 0 {
			return 0, false
		}
		i += nl + 1
	}
	for c := 1; c < col; c++ {
		if i >= len(src) || src[i] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRune(src[i:])
		i += size
	}
	return i, i < len(src)
}

func isYAMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
