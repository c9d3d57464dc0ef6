package decode

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchEvents makes n realistic events of about 1.6 KB with a seeded
// generator: several services, nested requestParameters, resources.
func benchEvents(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	services := []string{"s3", "kms", "ec2", "iam", "sts", "lambda", "signin", "cloudtrail", "logs", "dynamodb"}
	names := []string{"GetObject", "Decrypt", "DescribeInstances", "ListRoles", "AssumeRole", "Invoke", "ConsoleLogin", "LookupEvents", "PutLogEvents", "Query"}
	evs := make([]string, n)
	for i := range evs {
		s := rng.IntN(len(services))
		pad := strings.Repeat(fmt.Sprintf("%x", rng.Uint64()), 14+rng.IntN(6))
		evs[i] = fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA%016X:session-%d","arn":"arn:aws:sts::123456789012:assumed-role/role-%d/session-%d","accountId":"123456789012","accessKeyId":"ASIA%016X","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA%016X","arn":"arn:aws:iam::123456789012:role/role-%d","accountId":"123456789012","userName":"role-%d"},"webIdFederationData":{},"attributes":{"creationDate":"2021-07-28T12:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2021-07-28T12:%02d:%02dZ","eventSource":"%s.amazonaws.com","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.%d","userAgent":"aws-sdk-go-v2/1.21.0 os/linux lang/go#1.21 md/GOOS#linux md/GOARCH#amd64 api/%s#1.0","requestParameters":{"bucketName":"bucket-%d","key":"path/to/object-%d.bin","Host":"bucket.s3.amazonaws.com","x-id":"%s"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"%s","bytesTransferredOut":%d},"requestID":"%016X","eventID":"%08x-%04x-4%03x-8%03x-%012x","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::bucket-%d/path/to/object-%d.bin"},{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::bucket-%d"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"bucket.s3.amazonaws.com"}}`,
			rng.Uint64(), i, s, i, rng.Uint64(), rng.Uint64(), s, s, rng.IntN(60), rng.IntN(60), services[s], names[s], rng.IntN(255), services[s], i%50, i, names[s], pad, rng.IntN(1<<20), rng.Uint64(), rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()&(1<<48-1), i%50, i, i%50)
	}
	return evs
}

func benchDecode(b *testing.B, data []byte, decoded int64, events int) {
	b.Helper()
	ctx := context.Background()
	b.SetBytes(decoded)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := Decode(ctx, "bench", bytes.NewReader(data), Options{}, func(Record) error { return nil }, nil)
		if err != nil || res.Events != events || res.Problems != 0 {
			b.Fatalf("%v %+v", err, res)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRecords measures the splitter on a plain {"Records":[...]} file.
// MB/s counts decoded bytes.
func BenchmarkRecords(b *testing.B) {
	evs := benchEvents(2000)
	data := []byte(`{"Records":[` + strings.Join(evs, ",") + `]}`)
	b.Logf("mean event size %d bytes", len(data)/len(evs))
	benchDecode(b, data, int64(len(data)), len(evs))
}

// BenchmarkGzipRecords measures a .json.gz delivery object (inflate
// included). MB/s counts decoded bytes.
func BenchmarkGzipRecords(b *testing.B) {
	evs := benchEvents(2000)
	plain := `{"Records":[` + strings.Join(evs, ",") + `]}`
	data := gz(plain)
	b.Logf("compression ratio %.1f", float64(len(plain))/float64(len(data)))
	benchDecode(b, data, int64(len(plain)), len(evs))
}

// BenchmarkJSONLines measures one event per line.
func BenchmarkJSONLines(b *testing.B) {
	evs := benchEvents(2000)
	data := []byte(strings.Join(evs, "\n") + "\n")
	benchDecode(b, data, int64(len(data)), len(evs))
}

// BenchmarkCorpusGzip decodes the real .json.gz delivery objects of the
// external corpus (when present) from memory: many small files.
func BenchmarkCorpusGzip(b *testing.B) {
	var files [][]byte
	_ = filepath.WalkDir(corpusDir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".json.gz") {
			data, err := os.ReadFile(p)
			if err == nil {
				files = append(files, data)
			}
		}
		return nil
	})
	if len(files) == 0 {
		b.Skip("external corpus not present at " + corpusDir)
	}
	var decoded int64
	events := 0
	for _, f := range files {
		res, _ := Decode(context.Background(), "x", bytes.NewReader(f), Options{}, nil, nil)
		decoded += res.DecodedBytes
		events += res.Events
	}
	b.SetBytes(decoded)
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			if _, err := Decode(context.Background(), "x", bytes.NewReader(f), Options{}, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
