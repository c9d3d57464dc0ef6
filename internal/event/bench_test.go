package event

import (
	"encoding/json"
	"testing"
)

// benchEvent is a typical management event of about 1.6 KB.
const benchEvent = `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEEXAMPLE123:i-0abc123def4567890","arn":"arn:aws:sts::123456789012:assumed-role/app-server-role/i-0abc123def4567890","accountId":"123456789012","accessKeyId":"ASIAEXAMPLEEXAMPLE12","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEEXAMPLE123","arn":"arn:aws:iam::123456789012:role/app-server-role","accountId":"123456789012","userName":"app-server-role"},"webIdFederationData":{},"attributes":{"creationDate":"2023-07-19T20:11:02Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}},"eventTime":"2023-07-19T21:44:40Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.77","userAgent":"[aws-sdk-go-v2/1.21.0 os/linux lang/go#1.21.0 md/GOOS#linux md/GOARCH#amd64 api/s3#1.38.5]","requestParameters":{"bucketName":"example-data-bucket","Host":"example-data-bucket.s3.eu-west-1.amazonaws.com","key":"reports/2023/07/19/daily-summary-000123.parquet","x-id":"GetObject"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy","bytesTransferredOut":48213},"requestID":"EXAMPLE7YKJ2G1QX","eventID":"e1bf1000-86a4-4a78-81d7-EXAMPLE83102","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::example-data-bucket/reports/2023/07/19/daily-summary-000123.parquet"},{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::example-data-bucket"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"example-data-bucket.s3.eu-west-1.amazonaws.com"}}`

func BenchmarkParse(b *testing.B) {
	data := []byte(benchEvent)
	var d Doc
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSkip(b *testing.B) {
	data := []byte(benchEvent)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Skip(data, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStdlibValid(b *testing.B) {
	data := []byte(benchEvent)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if !json.Valid(data) {
			b.Fatal("invalid")
		}
	}
}

// BenchmarkReadCommon measures the per-event lookups every reader shares:
// the root's and userIdentity's (the latter a pass over its members).
func BenchmarkReadCommon(b *testing.B) {
	var d Doc
	if err := d.Parse([]byte(benchEvent)); err != nil {
		b.Fatal(err)
	}
	root := d.Root()
	var c Common
	for b.Loop() {
		c = ReadCommon(root)
	}
	if !c.ARN.Exists() {
		b.Fatal("no arn")
	}
}
