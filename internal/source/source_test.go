package source

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type walked struct {
	inputs  []Input
	names   []string
	skipped []Skipped
}

func walk(t *testing.T, paths []string, opt Options) walked {
	t.Helper()
	var w walked
	err := Walk(context.Background(), paths, opt, func(in Input) error {
		w.inputs = append(w.inputs, in)
		w.names = append(w.names, in.Name)
		return nil
	}, func(s Skipped) { w.skipped = append(w.skipped, s) })
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func read(t *testing.T, in Input) string {
	t.Helper()
	rc, err := in.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("%s: %v", in.Name, err)
	}
	return string(b)
}

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func makeZip(t *testing.T, members map[string]string, order []string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range order {
		if strings.HasSuffix(name, "/") {
			zw.Create(name)
			continue
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(members[name]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDirectoryWalkOrderAndOddEntries(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"b/2.json": "b2", "b/10.json": "b10", "a.json": "a", "c/d/e.json": "e", "README.md": "readme",
	})
	bad := filepath.Join(root, "b", "caf\xe9.json") // Latin-1 name: not UTF-8
	if err := os.WriteFile(bad, []byte("latin"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink(filepath.Join(root, "c"), filepath.Join(root, "c", "d", "loop"))      // loop
	os.Symlink(filepath.Join(root, "missing"), filepath.Join(root, "dangling.json")) // broken
	os.Symlink(filepath.Join(root, "a.json"), filepath.Join(root, "link.json"))      // followed
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := walk(t, []string{root}, Options{})
	var rel []string
	for _, n := range w.names {
		rel = append(rel, strings.TrimPrefix(n, root+"/"))
	}
	want := []string{"README.md", "a.json", "b/10.json", "b/2.json", `b/caf\xe9.json`, "c/d/e.json", "link.json"}
	if strings.Join(rel, " ") != strings.Join(want, " ") {
		t.Errorf("inputs %q\nwant   %q", rel, want)
	}
	if got := read(t, w.inputs[4]); got != "latin" {
		t.Errorf("non-UTF-8 file read %q", got)
	}
	reasons := map[string]string{}
	for _, s := range w.skipped {
		if s.Pruned {
			t.Errorf("%v is an input error, not pruned", s)
		}
		reasons[strings.TrimPrefix(s.Name, root+"/")] = s.Reason
	}
	for name, frag := range map[string]string{"c/d/loop": "symlink loop", "dangling.json": "does not exist", "fifo": "not a regular file"} {
		if !strings.Contains(reasons[name], frag) {
			t.Errorf("%s skipped for %q, want %q (all: %v)", name, reasons[name], frag, reasons)
		}
	}
}

func TestUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permissions do not stop reads")
	}
	root := t.TempDir()
	write(t, root, map[string]string{"f.json": "x", "d/g.json": "y"})
	os.Chmod(filepath.Join(root, "f.json"), 0)
	os.Chmod(filepath.Join(root, "d"), 0)
	defer os.Chmod(filepath.Join(root, "d"), 0o755)
	w := walk(t, []string{root}, Options{})
	if len(w.inputs) != 0 || len(w.skipped) != 2 || !strings.Contains(w.skipped[0].Reason, "permission") {
		t.Errorf("inputs %v skipped %v", w.names, w.skipped)
	}
}

func TestUnreadableAsRoot(t *testing.T) {
	// Reading /proc/self/mem at offset 0 fails even for root.
	if _, err := os.Stat("/proc/self/mem"); err != nil {
		t.Skip("no /proc/self/mem")
	}
	w := walk(t, []string{"/proc/self/mem"}, Options{})
	if len(w.inputs) != 0 || len(w.skipped) != 1 || w.skipped[0].Reason == "" {
		t.Errorf("inputs %v skipped %v", w.names, w.skipped)
	}
}

func TestMissingPathAndStdin(t *testing.T) {
	w := walk(t, []string{"/no/such/path", "-"}, Options{Stdin: strings.NewReader("from stdin")})
	if len(w.skipped) != 1 || w.skipped[0].Name != "/no/such/path" {
		t.Errorf("skipped %v", w.skipped)
	}
	if len(w.inputs) != 1 || w.inputs[0].Name != "-" || w.inputs[0].Size != -1 || read(t, w.inputs[0]) != "from stdin" {
		t.Errorf("stdin input %v", w.names)
	}
}

func TestZipMembers(t *testing.T) {
	root := t.TempDir()
	members := map[string]string{"z/2.json": "two", "a/b/1.json": "one", "top.json": "top"}
	data := makeZip(t, members, []string{"z/", "z/2.json", "a/", "a/b/", "a/b/1.json", "top.json"})
	write(t, root, map[string]string{"logs.bin": string(data), "notzip.zip": "plain text"})
	w := walk(t, []string{root}, Options{})
	want := []string{"logs.bin!a/b/1.json", "logs.bin!top.json", "logs.bin!z/2.json", "notzip.zip"}
	var rel []string
	for _, n := range w.names {
		rel = append(rel, strings.TrimPrefix(n, root+"/"))
	}
	if strings.Join(rel, " ") != strings.Join(want, " ") {
		t.Fatalf("inputs %q, want %q", rel, want)
	}
	// Members open concurrently, after Walk returned.
	var wg sync.WaitGroup
	got := make([]string, 3)
	errs := make(chan error, 3)
	for i := range 3 {
		wg.Go(func() {
			rc, err := w.inputs[i].Open(context.Background())
			if err != nil {
				errs <- err
				return
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				errs <- err
			}
			got[i] = string(b)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if strings.Join(got, ",") != "one,top,two" {
		t.Errorf("member contents %q", got)
	}
	if w.inputs[0].Size != 3 {
		t.Errorf("member size %d", w.inputs[0].Size)
	}
}

// A file named as CloudTrail delivers its objects is not opened by the walk
// to look for the zip signature: it is one input, and the decoder expands
// the archive should it be one. Other names are still sniffed.
func TestDeliveryNamesNotSniffed(t *testing.T) {
	root := t.TempDir()
	data := makeZip(t, map[string]string{"a.json": "one"}, []string{"a.json"})
	write(t, root, map[string]string{"x.json": string(data), "y.JSON.GZ": string(data), "z.data": string(data)})
	w := walk(t, []string{root}, Options{})
	var rel []string
	for _, n := range w.names {
		rel = append(rel, strings.TrimPrefix(n, root+"/"))
	}
	if want := "x.json y.JSON.GZ z.data!a.json"; strings.Join(rel, " ") != want {
		t.Fatalf("inputs %q, want %s", rel, want)
	}
	if got := read(t, w.inputs[0]); got != string(data) {
		t.Errorf("x.json read %d bytes, want the %d of the archive", len(got), len(data))
	}
	if w.inputs[0].Size != -1 {
		t.Errorf("a listed file's size is %d, want -1 (not stat'ed)", w.inputs[0].Size)
	}
}

func TestZipBombMember(t *testing.T) {
	root := t.TempDir()
	big := strings.Repeat("A", 1<<20)
	data := makeZip(t, map[string]string{"big.json": big, "small.json": "ok"}, []string{"big.json", "small.json"})
	write(t, root, map[string]string{"a.zip": string(data)})
	w := walk(t, []string{filepath.Join(root, "a.zip")}, Options{MaxMember: 1000})
	if len(w.inputs) != 1 || !strings.HasSuffix(w.names[0], "!small.json") {
		t.Errorf("inputs %v", w.names)
	}
	if len(w.skipped) != 1 || !strings.Contains(w.skipped[0].Reason, "over the 1000-byte limit") {
		t.Errorf("skipped %v", w.skipped)
	}
	// A member that lies about its size is cut at the limit with an error.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	fw, _ := zw.CreateRaw(&zip.FileHeader{Name: "liar.json", Method: zip.Store, CompressedSize64: 5000, UncompressedSize64: 10})
	fw.Write(bytes.Repeat([]byte("B"), 5000))
	zw.Close()
	write(t, root, map[string]string{"liar.zip": b.String()})
	w = walk(t, []string{filepath.Join(root, "liar.zip")}, Options{MaxMember: 1000})
	rc, err := w.inputs[0].Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rc)
	rc.Close()
	if err == nil || n > 1001 {
		t.Errorf("read %d bytes, err %v", n, err)
	}
}

func TestCorruptZip(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"bad.zip": "PK\x03\x04 this is not really a zip"})
	w := walk(t, []string{root}, Options{})
	if len(w.inputs) != 0 || len(w.skipped) != 1 || !strings.Contains(w.skipped[0].Reason, "zip") {
		t.Errorf("inputs %v skipped %v", w.names, w.skipped)
	}
}

// layoutKeys is an organization trail and a plain trail, two regions, three
// days, and a digest folder.
var layoutKeys = []string{
	"AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2021/07/27/111111111111_CloudTrail_us-east-1_20210727T2356Z_a.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2021/07/28/111111111111_CloudTrail_us-east-1_20210728T0005Z_b.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2021/07/28/111111111111_CloudTrail_us-east-1_20210728T1235Z_c.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2021/07/29/111111111111_CloudTrail_us-east-1_20210729T0030Z_d.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2021/07/29/111111111111_CloudTrail_us-east-1_20210729T0500Z_e.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/eu-west-1/2021/07/28/111111111111_CloudTrail_eu-west-1_20210728T0800Z_f.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/eu-west-1/2021/08/01/111111111111_CloudTrail_eu-west-1_20210801T0800Z_g.json.gz",
	"AWSLogs/o-abc123/222222222222/CloudTrail/us-east-1/2021/07/28/222222222222_CloudTrail_us-east-1_20210728T1000Z_h.json.gz",
	"AWSLogs/333333333333/CloudTrail/us-east-1/2021/07/28/333333333333_CloudTrail_us-east-1_20210728T1000Z_i.json.gz",
	"AWSLogs/333333333333/CloudTrail/us-east-1/2020/12/31/333333333333_CloudTrail_us-east-1_20201231T1000Z_j.json.gz",
	"AWSLogs/333333333333/CloudTrail-Digest/us-east-1/2021/07/28/333333333333_CloudTrail-Digest_us-east-1_trail_us-east-1_20210728T1100Z.json.gz",
}

var oneDay = Options{
	Since: time.Date(2021, 7, 28, 0, 0, 0, 0, time.UTC),
	Until: time.Date(2021, 7, 28, 23, 59, 59, 0, time.UTC),
}

// wantOneDay is what a 2021-07-28 scan must read, with the default slack:
// day 28, the file delivered 4 minutes before midnight on the 27th (an
// event stamped just after midnight may be in it, by clock skew), and the file delivered at 00:30
// on the 29th (it may hold events of the 28th); not the 05:00 one.
var wantOneDay = []string{
	"AWSLogs/333333333333/CloudTrail-Digest/us-east-1/2021/07/28/333333333333_CloudTrail-Digest_us-east-1_trail_us-east-1_20210728T1100Z.json.gz",
	"AWSLogs/333333333333/CloudTrail/us-east-1/2021/07/28/333333333333_CloudTrail_us-east-1_20210728T1000Z_i.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/eu-west-1/2021/07/28/111111111111_CloudTrail_eu-west-1_20210728T0800Z_f.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2021/07/27/111111111111_CloudTrail_us-east-1_20210727T2356Z_a.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2021/07/28/111111111111_CloudTrail_us-east-1_20210728T0005Z_b.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2021/07/28/111111111111_CloudTrail_us-east-1_20210728T1235Z_c.json.gz",
	"AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2021/07/29/111111111111_CloudTrail_us-east-1_20210729T0030Z_d.json.gz",
	"AWSLogs/o-abc123/222222222222/CloudTrail/us-east-1/2021/07/28/222222222222_CloudTrail_us-east-1_20210728T1000Z_h.json.gz",
}

func TestLocalLayoutPruning(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{}
	for _, k := range layoutKeys {
		files[k] = k
	}
	write(t, root, files)
	w := walk(t, []string{root}, oneDay)
	var got []string
	for _, n := range w.names {
		got = append(got, strings.TrimPrefix(n, root+"/"))
	}
	if strings.Join(got, "\n") != strings.Join(wantOneDay, "\n") {
		t.Errorf("kept:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantOneDay, "\n"))
	}
	for _, s := range w.skipped {
		if !strings.Contains(s.Reason, "outside the time range") || !s.Pruned {
			t.Errorf("skipped %v", s)
		}
	}
	opt := oneDay
	opt.Accounts = []string{"111111111111"}
	w = walk(t, []string{root}, opt)
	for _, n := range w.names {
		if !strings.Contains(n, "/111111111111/") {
			t.Errorf("account filter kept %s", n)
		}
	}
	if len(w.names) != 5 {
		t.Errorf("account filter kept %d files: %v", len(w.names), w.names)
	}
}

func TestS3OneDayListsOnlyWhatItNeeds(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	objects := map[string]string{"README.txt": "x"}
	for _, k := range layoutKeys {
		objects[k] = "body of " + k
	}
	// Many more days that a one-day scan must not list.
	for d := 1; d <= 31; d++ {
		if d >= 27 && d <= 29 {
			continue
		}
		k := "AWSLogs/333333333333/CloudTrail/us-east-1/2021/07/" + two(d) + "/333333333333_CloudTrail_us-east-1_202107" + two(d) + "T1000Z_x.json.gz"
		objects[k] = "other day"
	}
	fake, url := newFakeS3(t, "trail-bucket", objects, 2)
	opt := oneDay
	opt.S3Endpoint, opt.S3Region = url, "us-east-1"
	w := walk(t, []string{"s3://trail-bucket/AWSLogs/"}, opt)
	var got []string
	for _, n := range w.names {
		got = append(got, strings.TrimPrefix(n, "s3://trail-bucket/"))
	}
	if strings.Join(got, "\n") != strings.Join(wantOneDay, "\n") {
		t.Errorf("kept:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantOneDay, "\n"))
	}
	lists, gets := fake.requests()
	for _, l := range lists {
		prefix, _, _ := strings.Cut(l, "|")
		if f := parseKey(prefix, true); f.dateDepth == 3 && !(f.from.Day() >= 27 && f.from.Day() <= 29 && f.from.Month() == 7) {
			t.Errorf("listed a day folder outside the range: %s", l)
		}
	}
	// One delimiter listing per folder level on the way down (accounts,
	// CloudTrail folders, regions, years, months), then each kept day flat:
	// the day before from just before since (start-after), the day after
	// until the first file delivered after until+slack. Not listed: 2020,
	// days 01-26, 30, 31, and all objects of other days.
	want := []string{"AWSLogs/|/|"}
	down := func(prefix string, days ...string) {
		p := ""
		for _, seg := range strings.Split(strings.TrimSuffix(prefix, "/"), "/") {
			p += seg + "/"
			if !strings.HasPrefix(want[len(want)-1], p) && !contains(want, p+"|/|") {
				want = append(want, p+"|/|")
			}
		}
		want = append(want, days...)
	}
	a, o1, o2 := "AWSLogs/333333333333/", "AWSLogs/o-abc123/111111111111/CloudTrail/", "AWSLogs/o-abc123/222222222222/CloudTrail/"
	down(a+"CloudTrail-Digest/us-east-1/2021/07", a+"CloudTrail-Digest/us-east-1/2021/07/28/||")
	down(a+"CloudTrail/us-east-1/2021/07", a+"CloudTrail/us-east-1/2021/07/28/||")
	down(o1+"eu-west-1/2021/07", o1+"eu-west-1/2021/07/28/||")
	down(o1+"us-east-1/2021/07",
		o1+"us-east-1/2021/07/27/||"+o1+"us-east-1/2021/07/27/111111111111_CloudTrail_us-east-1_20210727T2354Z",
		o1+"us-east-1/2021/07/28/||", o1+"us-east-1/2021/07/29/||")
	down(o2+"us-east-1/2021/07", o2+"us-east-1/2021/07/28/||")
	if strings.Join(lists, "\n") != strings.Join(want, "\n") {
		t.Errorf("listed:\n%s\nwant:\n%s", strings.Join(lists, "\n"), strings.Join(want, "\n"))
	}
	if len(gets) != 0 {
		t.Errorf("walking fetched objects: %v", gets)
	}
	if body := read(t, w.inputs[1]); body != "body of "+wantOneDay[1] {
		t.Errorf("GetObject returned %q", body)
	}
	if _, gets = fake.requests(); len(gets) != 1 || gets[0] != wantOneDay[1] {
		t.Errorf("gets %v", gets)
	}
	t.Logf("%d list calls for %d objects", len(lists), len(objects))
}

func TestS3FlatListingPaginates(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	objects := map[string]string{}
	var want []string
	for i := range 7 {
		k := "exports/part-" + two(i) + ".json"
		objects[k] = k
		want = append(want, "s3://b/"+k)
	}
	objects["other/x.json"] = "x"
	objects["exports/dir/"] = ""
	want = append(want[:0:0], want...)
	sort.Strings(want)
	fake, url := newFakeS3(t, "b", objects, 3)
	w := walk(t, []string{"s3://b/exports/"}, Options{S3Endpoint: url, S3Region: "eu-west-1"})
	if strings.Join(w.names, " ") != strings.Join(want, " ") {
		t.Errorf("inputs %v", w.names)
	}
	lists, _ := fake.requests()
	if len(lists) != 1 || lists[0] != "exports/||" {
		t.Errorf("lists %v", lists)
	}
	// A missing bucket is an error of the walk, naming the URL.
	err := Walk(context.Background(), []string{"s3://nope/x"}, Options{S3Endpoint: url, S3Region: "eu-west-1"},
		func(Input) error { return nil }, nil)
	if err == nil || !strings.Contains(err.Error(), "s3://nope/x") {
		t.Errorf("err %v", err)
	}
}

func TestS3FollowsTheBucketRegion(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	fake, url := newFakeS3(t, "b", map[string]string{"k/1.json": "one", "k/2.json": "two"}, 1)
	fake.region = "ap-southeast-2"
	w := walk(t, []string{"s3://b/k/"}, Options{S3Endpoint: url, S3Region: "us-east-1"})
	if len(w.names) != 2 {
		t.Fatalf("inputs %v", w.names)
	}
	if got := read(t, w.inputs[1]); got != "two" {
		t.Errorf("read %q", got)
	}
}

func TestS3PrefixIsADayFolder(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	objects := map[string]string{}
	for _, k := range layoutKeys {
		objects[k] = k
	}
	fake, url := newFakeS3(t, "b", objects, 1000)
	opt := oneDay
	opt.S3Endpoint, opt.S3Region = url, "us-east-1"
	opt.Since = time.Date(2021, 7, 28, 12, 0, 0, 0, time.UTC)
	opt.Until = time.Date(2021, 7, 28, 13, 0, 0, 0, time.UTC)
	opt.Slack = time.Minute
	day := "AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2021/07/28/"
	w := walk(t, []string{"s3://b/" + day}, opt)
	// Listing starts after files delivered before 11:54 (00:05 is never
	// listed) and 12:35 is kept.
	if len(w.names) != 1 || !strings.HasSuffix(w.names[0], "T1235Z_c.json.gz") {
		t.Errorf("inputs %v", w.names)
	}
	lists, _ := fake.requests()
	if len(lists) != 1 || lists[0] != day+"||"+day+"111111111111_CloudTrail_us-east-1_20210728T1154Z" {
		t.Errorf("lists %v", lists)
	}
	// With until before 12:35 - slack, the listing stops at 12:35.
	opt.Since, opt.Until = time.Time{}, time.Date(2021, 7, 28, 12, 0, 0, 0, time.UTC)
	w = walk(t, []string{"s3://b/" + day}, opt)
	if len(w.names) != 1 || !strings.HasSuffix(w.names[0], "T0005Z_b.json.gz") || len(w.skipped) != 0 {
		t.Errorf("inputs %v skipped %v", w.names, w.skipped)
	}
	opt.Since = time.Date(2021, 7, 28, 0, 0, 0, 0, time.UTC)
	w = walk(t, []string{"s3://b/AWSLogs/333333333333/CloudTrail/us-east-1/2020/"}, opt)
	if len(w.names) != 0 || len(w.skipped) != 1 {
		t.Errorf("a pruned prefix: inputs %v skipped %v", w.names, w.skipped)
	}
}

func TestS3AccountsOnly(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	objects := map[string]string{}
	for _, k := range layoutKeys {
		objects[k] = k
	}
	fake, url := newFakeS3(t, "b", objects, 1000)
	w := walk(t, []string{"s3://b/"}, Options{S3Endpoint: url, S3Region: "us-east-1", Accounts: []string{"222222222222", "333333333333"}})
	if len(w.names) != 4 {
		t.Errorf("inputs %v", w.names)
	}
	lists, _ := fake.requests()
	for _, l := range lists {
		if strings.Contains(l, "111111111111") {
			t.Errorf("listed an unselected account: %s", l)
		}
	}
}

func TestParseKeyAndFilter(t *testing.T) {
	f := parseKey("AWSLogs/o-x1/123456789012/CloudTrail/ap-southeast-2/2021/07/28/123456789012_CloudTrail_ap-southeast-2_20210728T1235Z_abc.json.gz", false)
	if f.account != "123456789012" || f.region != "ap-southeast-2" || f.dateDepth != 3 || !f.isCloudFile ||
		!f.delivered.Equal(time.Date(2021, 7, 28, 12, 35, 0, 0, time.UTC)) || f.namePrefix != "123456789012_CloudTrail_ap-southeast-2_" {
		t.Errorf("facts %+v", f)
	}
	if f := parseKey("SANS/us-east-2/2021/07", true); f.dateDepth != 2 || f.region != "us-east-2" || f.to != time.Date(2021, 8, 1, 0, 0, 0, 0, time.UTC) {
		t.Errorf("month folder %+v", f)
	}
	if f := parseKey("notes/2021/readme.txt", false); f.dateDepth != 1 {
		t.Errorf("year folder %+v", f)
	}
	if f := parseKey("x/1234/56/file.json", false); f.dateDepth != 0 {
		t.Errorf("not a date %+v", f)
	}
	flt := newFilter(Options{Since: time.Date(2021, 7, 28, 12, 0, 0, 0, time.UTC), Slack: time.Hour})
	at := func(s string) keyFacts {
		return parseKey("123456789012_CloudTrail_us-east-1_"+s+"_x.json.gz", false)
	}
	if ok, _ := flt.keep(at("20210728T1155Z")); !ok {
		t.Error("a file delivered 5 minutes before since may hold an event stamped at since (clock skew)")
	}
	if ok, _ := flt.keep(at("20210728T1150Z")); ok {
		t.Error("a file delivered 10 minutes before since cannot hold later events")
	}
	flt = newFilter(Options{Until: time.Date(2021, 7, 28, 12, 0, 0, 0, time.UTC), Slack: time.Hour})
	if ok, _ := flt.keep(at("20210728T1300Z")); !ok {
		t.Error("a file delivered within the slack after until must be kept")
	}
	if ok, _ := flt.keep(at("20210728T1301Z")); ok {
		t.Error("a file delivered after until+slack must be pruned")
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{"a/b.json": "a/b.json", "caf\xe9": `caf\xe9`, "x\ny": `x\x0ay`, "é": "é"} {
		if got := displayName(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

func two(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
