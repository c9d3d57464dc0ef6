package scan

import "strings"

// layoutRegion finds the region of a CloudTrail S3 key layout in an input
// name (AWSLogs/[o-id/]<account>/CloudTrail/<region>/YYYY/...): the first
// "CloudTrail/" segment followed by a region name (two letters, one or more
// "-word" parts, then "-N") and a four-digit year folder. It reports false
// when the name has no such layout. It is called once per input, so it is
// written out rather than a regular expression (which cost several
// microseconds per file, noticeable on trails of many small objects).
func layoutRegion(name string) (string, bool) {
	const seg = "CloudTrail/"
	for off := 0; ; {
		i := strings.Index(name[off:], seg)
		if i < 0 {
			return "", false
		}
		at := off + i
		off = at + 1
		if at > 0 && name[at-1] != '/' {
			continue
		}
		rest := name[at+len(seg):]
		if n := regionLen(rest); n > 0 && yearFolder(rest[n:]) {
			return rest[:n], true
		}
	}
}

// regionLen returns the length of the region name at the start of s
// followed by '/', or 0.
func regionLen(s string) int {
	if len(s) < 2 || !lower(s[0]) || !lower(s[1]) {
		return 0
	}
	i, words := 2, 0
	for i < len(s) && s[i] == '-' {
		j := i + 1
		switch {
		case j < len(s) && lower(s[j]):
			for j < len(s) && lower(s[j]) {
				j++
			}
			words++
			i = j
		case j < len(s) && digit(s[j]) && words > 0:
			for j < len(s) && digit(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '/' {
				return j
			}
			return 0
		default:
			return 0
		}
	}
	return 0
}

// yearFolder reports whether s starts with "/NNNN/".
func yearFolder(s string) bool {
	return len(s) >= 6 && s[0] == '/' && digit(s[1]) && digit(s[2]) && digit(s[3]) && digit(s[4]) && s[5] == '/'
}

func lower(c byte) bool { return c >= 'a' && c <= 'z' }
func digit(c byte) bool { return c >= '0' && c <= '9' }
