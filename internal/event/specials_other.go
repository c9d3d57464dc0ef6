//go:build !amd64

package event

// specials is empty where there is no classifier in assembly: the parser
// scans strings eight bytes at a time with the portable scanString.
type specials struct{}

func (p *parser) scanString(i int) (int, bool, error) { return scanString(p.data, i) }
