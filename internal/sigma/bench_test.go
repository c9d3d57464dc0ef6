package sigma

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// apiCall is one kind of non-sign-in CloudTrail event of the benchmark mix.
type apiCall struct {
	source, name, params, response string
	readOnly                       bool
}

var benchCalls = []apiCall{
	{"s3.amazonaws.com", "GetObject", `{"bucketName":"app-data-%d","Host":"app-data.s3.us-east-1.amazonaws.com","key":"reports/2024/%d/summary.csv"}`, `null`, true},
	{"s3.amazonaws.com", "PutObject", `{"bucketName":"app-logs-%d","Host":"app-logs.s3.us-east-1.amazonaws.com","key":"logs/%d.gz"}`, `null`, false},
	{"ec2.amazonaws.com", "DescribeInstances", `{"instancesSet":{},"filterSet":{"items":[{"name":"tag:env","valueSet":{"items":[{"value":"prod-%d"}]}}]}}`, `null`, true},
	{"ec2.amazonaws.com", "DescribeSecurityGroups", `{"securityGroupSet":{},"securityGroupIdSet":{"items":[{"groupId":"sg-0a1b2c3d%d"}]}}`, `null`, true},
	{"sts.amazonaws.com", "AssumeRole", `{"roleArn":"arn:aws:iam::123456789012:role/deploy-%d","roleSessionName":"ci-%d","durationSeconds":3600}`, `{"credentials":{"accessKeyId":"ASIAEXAMPLE%d","sessionToken":"IQoJb3JpZ2luX2VjEXAMPLETOKEN","expiration":"Jan 1, 2025, 1:00:00 AM"},"assumedRoleUser":{"assumedRoleId":"AROAEXAMPLE:ci","arn":"arn:aws:sts::123456789012:assumed-role/deploy/ci"}}`, false},
	{"kms.amazonaws.com", "Decrypt", `{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:lambda:FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:worker-%d"}}`, `null`, true},
	{"kms.amazonaws.com", "GenerateDataKey", `{"keyId":"arn:aws:kms:us-east-1:123456789012:key/%d","keySpec":"AES_256"}`, `null`, true},
	{"lambda.amazonaws.com", "Invoke", `{"functionName":"arn:aws:lambda:us-east-1:123456789012:function:worker-%d"}`, `null`, false},
	{"dynamodb.amazonaws.com", "GetItem", `{"tableName":"sessions-%d","key":{"pk":"user#%d"},"consistentRead":false}`, `null`, true},
	{"logs.amazonaws.com", "CreateLogStream", `{"logGroupName":"/aws/lambda/worker-%d","logStreamName":"2024/01/01/[$LATEST]%d"}`, `null`, false},
	{"ssm.amazonaws.com", "GetParameter", `{"name":"/app/config/db-%d","withDecryption":true}`, `null`, true},
	{"iam.amazonaws.com", "ListRoles", `{"maxItems":100,"marker":"m%d"}`, `null`, true},
	{"iam.amazonaws.com", "GetRole", `{"roleName":"service-role-%d"}`, `null`, true},
	{"cloudwatch.amazonaws.com", "PutMetricData", `{"namespace":"App/%d","metricData":[{"metricName":"latency","value":%d}]}`, `null`, false},
	{"sqs.amazonaws.com", "ReceiveMessage", `{"queueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/jobs-%d","maxNumberOfMessages":%d}`, `null`, true},
	{"ecr.amazonaws.com", "GetAuthorizationToken", `{"registryIds":["%d"]}`, `null`, true},
	{"autoscaling.amazonaws.com", "DescribeAutoScalingGroups", `{"maxRecords":%d}`, `null`, true},
	{"rds.amazonaws.com", "DescribeDBInstances", `{"maxRecords":%d}`, `null`, true},
	{"secretsmanager.amazonaws.com", "GetSecretValue", `{"secretId":"prod/db/password-%d"}`, `null`, true},
	{"elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", `{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-%d/%d"}`, `null`, true},
}

const benchIdentity = `{"type":"AssumedRole","principalId":"AROAEXAMPLEID%d:worker","arn":"arn:aws:sts::123456789012:assumed-role/app-role-%d/worker","accountId":"123456789012","accessKeyId":"ASIAEXAMPLEKEY%d","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEID","arn":"arn:aws:iam::123456789012:role/app-role","accountId":"123456789012","userName":"app-role"},"attributes":{"creationDate":"2024-05-01T11:00:00Z","mfaAuthenticated":"false"}}}`

// Other principals of the mix: AWS services acting on the account's
// behalf and IAM users with long-term keys.
const (
	benchServiceIdentity = `{"type":"AWSService","invokedBy":"%s"}`
	benchUserIdentity    = `{"type":"IAMUser","principalId":"AIDAEXAMPLEUSER%d","arn":"arn:aws:iam::123456789012:user/deployer-%d","accountId":"123456789012","accessKeyId":"AKIAEXAMPLEKEY%d","userName":"deployer-%d"}`
)

// benchEvent builds one ~1.6 KB API-call event. Principals: 55% assumed
// roles, 30% AWS services, 15% IAM users.
func benchEvent(r *rand.Rand, i int) string {
	c := benchCalls[r.IntN(len(benchCalls))]
	n := r.IntN(1000)
	params := strings.ReplaceAll(c.params, "%d", fmt.Sprint(n))
	resp := strings.ReplaceAll(c.response, "%d", fmt.Sprint(n))
	var ident string
	switch k := r.IntN(100); {
	case k < 55:
		ident = strings.ReplaceAll(benchIdentity, "%d", fmt.Sprint(n%50))
	case k < 85:
		ident = fmt.Sprintf(benchServiceIdentity, []string{"lambda.amazonaws.com", "ec2.amazonaws.com", "cloudformation.amazonaws.com", "elasticmapreduce.amazonaws.com"}[n%4])
	default:
		ident = strings.ReplaceAll(benchUserIdentity, "%d", fmt.Sprint(n%20))
	}
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":%s,"eventTime":"2024-05-01T12:%02d:%02dZ","eventSource":"%s","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"10.%d.%d.%d","userAgent":"aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.3 md/GOOS#linux md/GOARCH#amd64 api/%s#1.50.0","requestParameters":%s,"responseElements":%s,"requestID":"%08x-1111-2222-3333-444455556666","eventID":"%08x-aaaa-bbbb-cccc-ddddeeeeffff","readOnly":%v,"resources":[{"accountId":"123456789012","type":"AWS::Service::Resource","ARN":"arn:aws:%s:us-east-1:123456789012:resource/%d"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","vpcEndpointId":"vpce-0a1b2c3d4e5f%03d","additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"Q2xvdWRUcmFpbEV4YW1wbGVSZXF1ZXN0SWRlbnRpZmllcjEyMzQ1Njc4OTA=","bytesTransferredOut":%d},"eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"%s"}}`,
		ident, i%60, n%60, c.source, c.name, n%256, i%256, (n*7)%256, strings.TrimSuffix(c.source, ".amazonaws.com"),
		params, resp, i, i*7+n, c.readOnly, strings.TrimSuffix(c.source, ".amazonaws.com"), n, n, n*37, c.source)
}

// benchSignIn builds a ConsoleLogin event, failed or not, with or without MFA.
func benchSignIn(r *rand.Rand, i int) string {
	outcome, errMsg := "Success", ""
	if r.IntN(4) == 0 {
		outcome, errMsg = "Failure", `,"errorMessage":"Failed authentication"`
	}
	mfa := []string{"Yes", "No"}[r.IntN(2)]
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE%d","arn":"arn:aws:iam::123456789012:user/user%d","accountId":"123456789012","userName":"user%d"},"eventTime":"2024-05-01T12:00:%02dZ","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.%d","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36","requestParameters":null,"responseElements":{"ConsoleLogin":"%s"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"%s"}%s,"eventID":"%08x-0000-1111-2222-333344445555","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"signin.aws.amazon.com"}}`,
		i%20, i%20, i%20, i%60, i%256, outcome, mfa, errMsg, i)
}

// benchMix returns n events, about 3% of them sign-ins.
func benchMix(n int) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, n)
	for i := range out {
		if r.IntN(100) < 3 {
			out[i] = []byte(benchSignIn(r, i))
		} else {
			out[i] = []byte(benchEvent(r, i))
		}
	}
	return out
}

func benchEngine(b testing.TB) *Engine {
	rules := loadDir(b, filepath.Join(sigmaHQ, "rules"), ParseOptions{})
	rules = append(rules, loadDir(b, filepath.Join(sigmaHQ, "rules-placeholder"), ParseOptions{Placeholders: testPlaceholders})...)
	e, err := Compile(rules, nil, CompileOptions{Product: "aws", Service: "cloudtrail",
		FieldMappings: map[string][]string{"src_ip": {"sourceIPAddress"}}, EnrichFields: []string{"src_country"}})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkSigmaHQ measures the scan path for all SigmaHQ CloudTrail rules
// on the mix: the prefilter on every event, then Parse and Match for the
// events it lets through. One op is one event.
func BenchmarkSigmaHQ(b *testing.B) {
	e := benchEngine(b)
	events := benchMix(4096)
	size := 0
	for _, ev := range events {
		size += len(ev)
	}
	b.Run("prefilter+parse+match", func(b *testing.B) { benchScan(b, e, events, size, e.MayMatch) })
	b.Run("gate+parse+match", func(b *testing.B) { benchScan(b, e, events, size, e.NewGate().Pass) })
	// "AWS STS AssumeRole Misuse" matches every assumed-role event; without
	// it almost every event is rejected before parsing.
	var quiet []*Rule
	for _, r := range e.Rules() {
		if r.Title != "AWS STS AssumeRole Misuse" {
			quiet = append(quiet, r)
		}
	}
	eq, err := Compile(quiet, nil, CompileOptions{Product: "aws", Service: "cloudtrail",
		FieldMappings: map[string][]string{"src_ip": {"sourceIPAddress"}}, EnrichFields: []string{"src_country"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("prefilter+parse+match/without-assumerole-rule", func(b *testing.B) { benchScan(b, eq, events, size, eq.MayMatch) })
	b.Run("gate+parse+match/without-assumerole-rule", func(b *testing.B) { benchScan(b, eq, events, size, eq.NewGate().Pass) })
	b.Run("prefilter-only/without-assumerole-rule", func(b *testing.B) {
		b.SetBytes(int64(size / len(events)))
		runtime.GC()
		b.ResetTimer()
		cpu := processCPU()
		for i := 0; i < b.N; i++ {
			eq.MayMatch(events[i%len(events)])
		}
		reportCPU(b, cpu)
	})
	b.Run("parse+match-all/without-assumerole-rule", func(b *testing.B) {
		benchScan(b, eq, events, size, func([]byte) bool { return true })
	})
	b.Run("parse+match-all", func(b *testing.B) {
		var doc event.Doc
		b.SetBytes(int64(size / len(events)))
		b.ReportAllocs()
		runtime.GC()
		b.ResetTimer()
		cpu := processCPU()
		for i := 0; i < b.N; i++ {
			if err := doc.Parse(events[i%len(events)]); err != nil {
				b.Fatal(err)
			}
			e.Match(doc.Root(), nil, func(Match) {})
		}
		reportCPU(b, cpu)
	})
	b.Run("parse-only", func(b *testing.B) {
		var doc event.Doc
		b.SetBytes(int64(size / len(events)))
		runtime.GC()
		b.ResetTimer()
		cpu := processCPU()
		for i := 0; i < b.N; i++ {
			if err := doc.Parse(events[i%len(events)]); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu)
	})
	b.Run("prefilter-only", func(b *testing.B) {
		b.SetBytes(int64(size / len(events)))
		runtime.GC()
		b.ResetTimer()
		cpu := processCPU()
		for i := 0; i < b.N; i++ {
			e.MayMatch(events[i%len(events)])
		}
		reportCPU(b, cpu)
	})
}

// benchScan is the scan path: the prefilter on every event, then Parse
// and Match for the events it lets through. One op is one event.
func benchScan(b *testing.B, e *Engine, events [][]byte, size int, pass func([]byte) bool) {
	var doc event.Doc
	passed, matched := 0, 0
	b.SetBytes(int64(size / len(events)))
	b.ReportAllocs()
	runtime.GC()
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		raw := events[i%len(events)]
		if !pass(raw) {
			continue
		}
		passed++
		if err := doc.Parse(raw); err != nil {
			b.Fatal(err)
		}
		e.Match(doc.Root(), nil, func(Match) { matched++ })
	}
	reportCPU(b, cpu)
	b.ReportMetric(100*float64(b.N-passed)/float64(b.N), "%rejected")
}

// reportCPU reports the process CPU time per event since start, and the
// events per second of CPU time, which stay meaningful when other
// processes compete for the cores.
func reportCPU(b *testing.B, start time.Duration) {
	used := processCPU() - start
	if used <= 0 {
		return
	}
	b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/event")
	b.ReportMetric(float64(b.N)/used.Seconds(), "events/cpu-s")
}

// TestBenchMixSanity checks the benchmark's events are valid JSON of about
// the intended size and that sign-ins reach the sign-in rules.
func TestBenchMixSanity(t *testing.T) {
	events := benchMix(500)
	var doc event.Doc
	total := 0
	for _, ev := range events {
		if err := doc.Parse(ev); err != nil {
			t.Fatalf("%v: %s", err, ev)
		}
		total += len(ev)
	}
	if avg := total / len(events); avg < 1400 || avg > 1900 {
		t.Errorf("average event size %d bytes", avg)
	}
}

// TestSigmaHQOnMix checks, on the benchmark mix, that the rule index and
// the prefilter agree with evaluating every rule.
func TestSigmaHQOnMix(t *testing.T) {
	e := benchEngine(t)
	var doc event.Doc
	fired := map[string]int{}
	for _, ev := range benchMix(2000) {
		if err := doc.Parse(ev); err != nil {
			t.Fatal(err)
		}
		var got []*Rule
		e.Match(doc.Root(), nil, func(m Match) {
			got = append(got, m.Rule)
			fired[m.Rule.Title]++
			if len(m.Explanation) == 0 {
				t.Errorf("%s matched without evidence", m.Rule.Title)
			}
		})
		want := bruteForce(e, doc.Root(), nil)
		if len(got) != len(want) {
			t.Fatalf("index: %d rules, brute force %d, on %s", len(got), len(want), ev)
		}
		if len(got) > 0 && !e.MayMatch(ev) {
			t.Fatalf("prefilter rejected %s", ev)
		}
	}
	t.Logf("rules fired on the mix: %v", fired)
	if fired["AWS STS AssumeRole Misuse"] == 0 {
		t.Error("the assumed-role rule never fired on the mix")
	}
}
