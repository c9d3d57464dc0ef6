//go:build !amd64 || purego

package event

// specials is empty where there is no classifier in assembly (or with the
// purego build tag, which tests the portable path on amd64): the parser
// scans strings eight bytes at a time with the portable scanString.
type specials struct{}

func (p *parser) scanString(i int) (int, bool, error) { return scanString(p.data, i) }

// quickEnd has no fast path here: scanString does the work.
func (p *parser) quickEnd(int) int { return -1 }
