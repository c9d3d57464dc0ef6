package sigma

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sigmaHQ = "../../../shared/rules/sigmahq"

// loadDir parses every .yml file under dir into rules; it fails the test on
// any error.
func loadDir(t testing.TB, dir string, opt ParseOptions) []*Rule {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SigmaHQ rules not present (%s): %v", dir, err)
	}
	var rules []*Rule
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		docs, errs := LoadDocuments(path, data)
		for _, e := range errs {
			t.Errorf("%v", e)
		}
		for _, doc := range docs {
			r, err := ParseRule(doc, opt)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			rules = append(rules, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

func TestSigmaHQRulesLoad(t *testing.T) {
	rules := loadDir(t, filepath.Join(sigmaHQ, "rules"), ParseOptions{})
	if len(rules) < 50 {
		t.Fatalf("loaded only %d rules", len(rules))
	}
	e, err := Compile(rules, nil, CompileOptions{Product: "aws", Service: "cloudtrail"})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Rules()) != len(rules) {
		t.Errorf("%d of %d CloudTrail rules applied", len(e.Rules()), len(rules))
	}
}

var testPlaceholders = map[string][]string{
	"Legitimate_Countries": {"US", "DE"},
	"Legitimate_IP_Ranges": {"198.51.100.*"},
}

func TestSigmaHQPlaceholderRulesLoad(t *testing.T) {
	dir := filepath.Join(sigmaHQ, "rules-placeholder")
	rules := loadDir(t, dir, ParseOptions{Placeholders: testPlaceholders})
	if len(rules) == 0 {
		t.Fatal("no placeholder rules loaded")
	}
	// Without placeholder values the rules must be rejected, naming the
	// placeholder.
	files, _ := filepath.Glob(filepath.Join(dir, "cloud/aws/cloudtrail/*.yml"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		docs, _ := LoadDocuments(f, data)
		for _, d := range docs {
			if _, err := ParseRule(d, ParseOptions{}); err == nil || !strings.Contains(err.Error(), "placeholder %") {
				t.Errorf("%s without placeholders: error %v, want a placeholder error", f, err)
			}
		}
	}
}

func TestSigmaHQUnsupportedRejected(t *testing.T) {
	dir := filepath.Join(sigmaHQ, "unsupported")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SigmaHQ unsupported rules not present: %v", err)
	}
	n := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
			return err
		}
		n++
		data, _ := os.ReadFile(path)
		docs, errs := LoadDocuments(path, data)
		if len(errs) > 0 || len(docs) != 1 {
			t.Errorf("%s: %v", path, errs)
			return nil
		}
		_, perr := ParseRule(docs[0], ParseOptions{})
		if perr == nil {
			t.Errorf("%s: accepted, want rejection", path)
			return nil
		}
		msg := perr.Error()
		if !strings.Contains(msg, "legacy aggregation") || !strings.Contains(msg, "correlation rule") {
			t.Errorf("%s: reason %q does not explain the legacy aggregation", path, msg)
		}
		if !strings.HasPrefix(msg, path+":") {
			t.Errorf("%s: error %q does not start with the file position", path, msg)
		}
		t.Logf("%s", msg)
		return nil
	})
	if n == 0 {
		t.Skip("no unsupported rules found")
	}
}

// sigmaHQCase is an event written for a SigmaHQ rule and whether that rule
// must match it.
type sigmaHQCase struct {
	file  string
	event string
	want  bool
}

const putUserPolicyTemplate = `{"eventSource":"iam.amazonaws.com","eventName":"PutUserPolicy","userAgent":"S3 Browser 11.5.7 https://s3browser.com","requestParameters":{"userName":"backup","policyName":"s3browser-policy","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":[\"arn:aws:s3:::BUCKET/*\"]}]}"},"responseElements":null}`

var sigmaHQCases = []sigmaHQCase{
	// Sign-ins.
	{"aws_cloudtrail_console_login_success_without_mfa.yml", `{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"},"responseElements":{"ConsoleLogin":"Success"}}`, true},
	{"aws_cloudtrail_console_login_success_without_mfa.yml", `{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"Yes"},"responseElements":{"ConsoleLogin":"Success"}}`, false},
	{"aws_cloudtrail_console_login_failed_authentication.yml", `{"eventName":"ConsoleLogin","errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"}}`, true},
	{"aws_cloudtrail_console_login_failed_authentication.yml", `{"eventName":"ConsoleLogin","errorMessage":"Failed authentication."}`, false},
	{"aws_root_account_usage.yml", `{"userIdentity":{"type":"Root"},"eventType":"AwsApiCall","eventName":"CreateUser"}`, true},
	{"aws_root_account_usage.yml", `{"userIdentity":{"type":"Root"},"eventType":"AwsServiceEvent","eventName":"CreateUser"}`, false},
	// A policy document is JSON inside a JSON string: matched with its escapes decoded.
	{"aws_iam_s3browser_templated_s3_bucket_policy_creation.yml", strings.Replace(putUserPolicyTemplate, "BUCKET", "<YOUR-BUCKET-NAME>", 1), true},
	{"aws_iam_s3browser_templated_s3_bucket_policy_creation.yml", strings.Replace(putUserPolicyTemplate, "BUCKET", "my-real-bucket", 1), false},
	// Object-valued field matched as JSON text.
	{"aws_disable_bucket_versioning.yml", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","requestParameters":{"bucketName":"b","VersioningConfiguration":{"Status":"Suspended"}}}`, true},
	{"aws_disable_bucket_versioning.yml", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","requestParameters":{"bucketName":"b","VersioningConfiguration":{"Status":"Enabled"}}}`, false},
	// Quoted 'true' in the rule, JSON boolean in the event.
	{"aws_rds_public_db_restore.yml", `{"eventSource":"rds.amazonaws.com","eventName":"RestoreDBInstanceFromDBSnapshot","responseElements":{"publiclyAccessible":true}}`, true},
	{"aws_rds_public_db_restore.yml", `{"eventSource":"rds.amazonaws.com","eventName":"RestoreDBInstanceFromDBSnapshot","responseElements":{"publiclyAccessible":false}}`, false},
	// contains '*': the field must exist with some value.
	{"aws_rds_change_master_password.yml", `{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBInstance","responseElements":{"pendingModifiedValues":{"masterUserPassword":"****"}}}`, true},
	{"aws_rds_change_master_password.yml", `{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBInstance","responseElements":{"pendingModifiedValues":{}}}`, false},
	// Regex with a list-of-maps filter.
	{"aws_cloudtrail_imds_malicious_usage.yml", `{"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","sourceIPAddress":"203.0.113.5","userIdentity":{"arn":"arn:aws:sts::123456789012:assumed-role/aws:ec2-instance/i-0abc"}}`, true},
	{"aws_cloudtrail_imds_malicious_usage.yml", `{"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","sourceIPAddress":"AWS Internal","userIdentity":{"arn":"arn:aws:sts::123456789012:assumed-role/aws:ec2-instance/i-0abc"}}`, false},
	// fieldref.
	{"aws_update_login_profile.yml", `{"eventSource":"iam.amazonaws.com","eventName":"UpdateLoginProfile","userIdentity":{"arn":"arn:aws:iam::1:user/admin"},"requestParameters":{"userName":"victim"}}`, true},
	{"aws_update_login_profile.yml", `{"eventSource":"iam.amazonaws.com","eventName":"UpdateLoginProfile","userIdentity":{"arn":"victim"},"requestParameters":{"userName":"victim"}}`, false},
}

func TestSigmaHQSelectedRules(t *testing.T) {
	dir := filepath.Join(sigmaHQ, "rules/cloud/aws/cloudtrail")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SigmaHQ rules not present: %v", err)
	}
	all := loadDir(t, dir, ParseOptions{})
	e, err := Compile(all, nil, CompileOptions{Product: "aws", Service: "cloudtrail"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sigmaHQCases {
		got := false
		for _, m := range matches(t, e, c.event) {
			if filepath.Base(m.Rule.File) == c.file {
				got = true
			}
		}
		if got != c.want {
			t.Errorf("%s on %s: match %v, want %v", c.file, c.event, got, c.want)
		}
	}
}
