package scan

import (
	"regexp"
	"testing"
)

// layoutOracle is the pattern layoutRegion implements, as a regular
// expression: the tests hold the hand-written parser to it.
var layoutOracle = regexp.MustCompile(`(?:^|/)CloudTrail/([a-z]{2}(?:-[a-z]+)+-\d+)/\d{4}/`)

func oracleRegion(name string) (string, bool) {
	if m := layoutOracle.FindStringSubmatch(name); m != nil {
		return m[1], true
	}
	return "", false
}

func TestLayoutRegion(t *testing.T) {
	for _, tc := range []struct {
		name, want string
	}{
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/02/111122223333_CloudTrail_us-east-1_20260102T0000Z_a.json.gz", "us-east-1"},
		{"logs/AWSLogs/o-abc/111122223333/CloudTrail/us-gov-west-1/2026/01/02/x.json", "us-gov-west-1"},
		{"CloudTrail/ap-southeast-2/2026/x.json", "ap-southeast-2"},
		{"a.zip!AWSLogs/1/CloudTrail/eu-north-1/2025/12/31/x.json", "eu-north-1"},
		{"MyCloudTrail/us-east-1/2026/x.json", ""},                                        // not a whole segment
		{"AWSLogs/1/CloudTrail/us-east-1/26/x.json", ""},                                  // no year folder
		{"AWSLogs/1/CloudTrail/useast1/2026/x.json", ""},                                  // not a region
		{"AWSLogs/1/CloudTrail/us-1/2026/x.json", ""},                                     // no word part
		{"AWSLogs/1/CloudTrail/US-east-1/2026/x.json", ""},                                // upper case
		{"x/MyCloudTrail/us-east-1/2026/y/CloudTrail/eu-west-3/2026/z.json", "eu-west-3"}, // the first layout segment
		{"CloudTrail/us-east-1/2026", ""},
		{"", ""},
	} {
		got, ok := layoutRegion(tc.name)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("layoutRegion(%q) = %q, %v; want %q", tc.name, got, ok, tc.want)
		}
		if og, ook := oracleRegion(tc.name); og != got || ook != ok {
			t.Errorf("layoutRegion(%q) = %q, %v; the pattern says %q, %v", tc.name, got, ok, og, ook)
		}
	}
}

func FuzzLayoutRegion(f *testing.F) {
	for _, s := range []string{"AWSLogs/1/CloudTrail/us-east-1/2026/01/x", "/CloudTrail/a-b-c-1/1234/", "CloudTrail/xx-y-/2026/", "CloudTrail/ab-c-12x/2026/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, ok := layoutRegion(name)
		if og, ook := oracleRegion(name); og != got || ook != ok {
			t.Fatalf("layoutRegion(%q) = %q, %v; the pattern says %q, %v", name, got, ok, og, ook)
		}
	})
}
