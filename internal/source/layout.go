package source

import (
	"path"
	"strconv"
	"strings"
	"time"
)

// clockSkew is how far after the delivery time in a CloudTrail file name
// (minute resolution) an event in it may be stamped.
const clockSkew = 5 * time.Minute

// DefaultSlack is how long before its delivery a CloudTrail file may hold
// events when Options.Slack is zero. CloudTrail delivers within about 15
// minutes (the largest lag in the project's external corpus is 10 min 8 s);
// two hours leaves room for delivery delays.
const DefaultSlack = 2 * time.Hour

// keyFacts is what a key (or path) says about the files under it.
type keyFacts struct {
	account     string    // from AWSLogs/[o-id/]<account>/ or the file name
	region      string    // the segment before the date, when known
	from, to    time.Time // delivery dates covered by the date folders: [from, to)
	dateDepth   int       // 1 year, 2 month, 3 day folder found
	dateEnd     int       // index of the segment after the date folders
	delivered   time.Time // from a CloudTrail file name, minute resolution
	namePrefix  string    // "<account>_CloudTrail_<region>_" of a day folder's files
	isCloudFile bool      // the file name has the CloudTrail delivery form
}

// parseKey reads the layout of a slash-separated key. dir tells that the
// key names a folder (all its segments are folders).
func parseKey(key string, dir bool) keyFacts {
	var f keyFacts
	segs := strings.Split(strings.Trim(key, "/"), "/")
	folders := segs
	if !dir && len(segs) > 0 {
		folders = segs[:len(segs)-1]
		f.fileName(segs[len(segs)-1])
	}
	for i, s := range folders {
		if s == "AWSLogs" && i+1 < len(folders) {
			j := i + 1
			if strings.HasPrefix(folders[j], "o-") {
				j++
			}
			if j < len(folders) && isDigits(folders[j], 12) {
				f.account = folders[j]
			}
		}
	}
	f.dates(folders)
	if f.account != "" && f.region != "" {
		f.namePrefix = f.account + "_CloudTrail_" + f.region + "_"
	}
	return f
}

// dates finds YYYY[/MM[/DD]] folders and the delivery range they cover.
func (f *keyFacts) dates(folders []string) {
	for i := 0; i < len(folders); i++ {
		y, ok := number(folders[i], 4, 1970, 2999)
		if !ok {
			continue
		}
		mo, okm := 0, false
		if i+1 < len(folders) {
			mo, okm = number(folders[i+1], 2, 1, 12)
		}
		if i+1 < len(folders) && !okm {
			continue // a 4-digit folder not followed by a month
		}
		if i > 0 {
			f.region = folders[i-1]
		}
		switch {
		case !okm:
			f.from = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			f.to, f.dateDepth, f.dateEnd = f.from.AddDate(1, 0, 0), 1, i+1
		case i+2 < len(folders):
			dd, okd := number(folders[i+2], 2, 1, 31)
			if !okd {
				f.from = time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
				f.to, f.dateDepth, f.dateEnd = f.from.AddDate(0, 1, 0), 2, i+2
				return
			}
			f.from = time.Date(y, time.Month(mo), dd, 0, 0, 0, 0, time.UTC)
			f.to, f.dateDepth, f.dateEnd = f.from.AddDate(0, 0, 1), 3, i+3
		default:
			f.from = time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
			f.to, f.dateDepth, f.dateEnd = f.from.AddDate(0, 1, 0), 2, i+2
		}
		return
	}
}

// fileName reads "<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<rand>...".
func (f *keyFacts) fileName(name string) {
	parts := strings.SplitN(name, "_", 5)
	if len(parts) < 5 || !strings.HasPrefix(parts[1], "CloudTrail") || !isDigits(parts[0], 12) {
		return
	}
	t, err := time.Parse("20060102T1504Z", parts[3])
	if err != nil {
		return
	}
	f.delivered, f.isCloudFile = t, true
	if f.account == "" {
		f.account = parts[0]
	}
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func number(s string, width, lo, hi int) (int, bool) {
	if !isDigits(s, width) {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n >= lo && n <= hi
}

// filter is the pruning part of Options.
type filter struct {
	since, until time.Time
	accounts     map[string]bool
	slack        time.Duration
}

func newFilter(o Options) filter {
	f := filter{since: o.Since, until: o.Until, slack: o.Slack}
	if f.slack <= 0 {
		f.slack = DefaultSlack
	}
	if len(o.Accounts) > 0 {
		f.accounts = map[string]bool{}
		for _, a := range o.Accounts {
			f.accounts[a] = true
		}
	}
	return f
}

func (f filter) timed() bool  { return !f.since.IsZero() || !f.until.IsZero() }
func (f filter) active() bool { return f.timed() || f.accounts != nil }

// keepKey is keep for a slash-separated key (dir as for parseKey); with no
// time range or account selected it does not parse the key.
func (f filter) keepKey(key string, dir bool) (bool, string) {
	if !f.active() {
		return true, ""
	}
	return f.keep(parseKey(key, dir))
}

// keep decides from a key's layout whether it may hold wanted events, and
// says why not. Keys whose layout says nothing are kept.
func (f filter) keep(k keyFacts) (bool, string) {
	if f.accounts != nil && k.account != "" && !f.accounts[k.account] {
		return false, "account " + k.account + " not selected (key layout)"
	}
	if k.dateDepth > 0 && !f.mayHold(k.from, k.to) {
		return false, "delivered " + k.from.Format("2006-01-02") + " to " + k.to.Add(-time.Second).Format("2006-01-02") + ", outside the time range (key layout)"
	}
	if k.isCloudFile && !f.mayHold(k.delivered, k.delivered.Add(time.Minute)) {
		return false, "delivered " + k.delivered.Format(time.RFC3339) + ", outside the time range (file name)"
	}
	return true, ""
}

// mayHold tells whether files delivered in [from, to) may hold events in
// [since, until]: events are at most slack older than their delivery and
// at most clockSkew newer.
func (f filter) mayHold(from, to time.Time) bool {
	if !f.since.IsZero() && !to.Add(clockSkew).After(f.since) {
		return false
	}
	if !f.until.IsZero() && from.Add(-f.slack).After(f.until) {
		return false
	}
	return true
}

// startAfter returns the S3 StartAfter key for a day folder whose files are
// named namePrefix+timestamp, so that files delivered too early for since
// are not listed; "" when it cannot tell.
func (f filter) startAfter(dayPrefix string, k keyFacts) string {
	if f.since.IsZero() || k.namePrefix == "" || k.dateDepth != 3 {
		return ""
	}
	first := f.since.Add(-clockSkew - time.Minute).UTC()
	if first.Before(k.from) {
		return ""
	}
	return path.Join(dayPrefix, k.namePrefix+first.Format("20060102T1504Z"))
}

// pastUntil tells whether a file delivered at d and all later ones in key
// order are too late to hold events up to until.
func (f filter) pastUntil(d time.Time) bool {
	return !f.until.IsZero() && d.Add(-f.slack).After(f.until)
}
