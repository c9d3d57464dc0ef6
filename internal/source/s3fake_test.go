package source

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeS3 speaks enough of the S3 HTTP API (path-style) for the walker:
// ListObjectsV2 with prefix, delimiter, start-after and continuation
// tokens, and GetObject. It records every request.
type fakeS3 struct {
	mu       sync.Mutex
	bucket   string
	objects  map[string]string
	pageSize int
	region   string   // when set, requests signed for another region get 301
	lists    []string // "prefix|delimiter|start-after" per ListObjectsV2 call (all pages)
	gets     []string
}

func newFakeS3(t *testing.T, bucket string, objects map[string]string, pageSize int) (*fakeS3, string) {
	f := &fakeS3{bucket: bucket, objects: objects, pageSize: pageSize}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

type listResult struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Name                  string
	Prefix                string
	Delimiter             string `xml:",omitempty"`
	KeyCount              int
	MaxKeys               int
	IsTruncated           bool
	NextContinuationToken string     `xml:",omitempty"`
	Contents              []object   `xml:"Contents"`
	CommonPrefixes        []cpPrefix `xml:"CommonPrefixes"`
}

type object struct {
	Key          string
	Size         int64
	LastModified string
	ETag         string
	StorageClass string
}

type cpPrefix struct{ Prefix string }

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(p, "/")
	if bucket != f.bucket {
		http.Error(w, "<Error><Code>NoSuchBucket</Code></Error>", http.StatusNotFound)
		return
	}
	if f.region != "" && !strings.Contains(r.Header.Get("Authorization"), "/"+f.region+"/s3/aws4_request") {
		w.Header().Set("X-Amz-Bucket-Region", f.region)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMovedPermanently)
		fmt.Fprint(w, "<Error><Code>PermanentRedirect</Code><Message>use the bucket's region</Message></Error>")
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if key == "" && r.URL.Query().Get("list-type") == "2" {
		f.list(w, r)
		return
	}
	f.mu.Lock()
	f.gets = append(f.gets, key)
	body, ok := f.objects[key]
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>")
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write([]byte(body))
}

// list implements ListObjectsV2: keys after start-after (or the
// continuation token, which is the last key or prefix returned), grouped by
// delimiter, pageSize entries per page.
func (f *fakeS3) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	prefix, delim, after, token := q.Get("prefix"), q.Get("delimiter"), q.Get("start-after"), q.Get("continuation-token")
	f.mu.Lock()
	if token == "" {
		f.lists = append(f.lists, prefix+"|"+delim+"|"+after)
	}
	keys := make([]string, 0, len(f.objects))
	for k := range f.objects {
		keys = append(keys, k)
	}
	f.mu.Unlock()
	sort.Strings(keys)
	skipPrefix := ""
	switch {
	case strings.HasPrefix(token, "P:"):
		after, skipPrefix = token[2:], token[2:]
	case strings.HasPrefix(token, "K:"):
		after = token[2:]
	}
	res := listResult{Name: f.bucket, Prefix: prefix, Delimiter: delim, MaxKeys: f.pageSize}
	seen := map[string]bool{}
	last := ""
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) || k <= after || (skipPrefix != "" && strings.HasPrefix(k, skipPrefix)) {
			continue
		}
		entry, isPrefix := k, false
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				entry, isPrefix = k[:len(prefix)+i+len(delim)], true
			}
		}
		if isPrefix && (seen[entry] || entry <= after) {
			continue
		}
		if res.KeyCount == f.pageSize {
			res.IsTruncated, res.NextContinuationToken = true, last
			break
		}
		if isPrefix {
			seen[entry] = true
			res.CommonPrefixes = append(res.CommonPrefixes, cpPrefix{entry})
			last = "P:" + entry // continue after every key under this prefix
		} else {
			res.Contents = append(res.Contents, object{Key: k, Size: int64(len(f.objects[k])), LastModified: "2021-07-28T12:00:00.000Z", ETag: `"x"`, StorageClass: "STANDARD"})
			last = "K:" + k
		}
		res.KeyCount++
	}
	w.Header().Set("Content-Type", "application/xml")
	xml.NewEncoder(w).Encode(res)
}

func (f *fakeS3) requests() (lists, gets []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.lists...), append([]string(nil), f.gets...)
}
