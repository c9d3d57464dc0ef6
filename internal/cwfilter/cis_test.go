package cwfilter

import (
	"fmt"
	"testing"
)

// ct builds a CloudTrail management event shaped like the AWS examples:
// eventSource, eventName, the userIdentity type and any extra members.
func ct(source, name, identityType, extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":%q,"principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},`+
		`"eventTime":"2023-08-24T21:07:08Z","eventSource":%q,"eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7",`+
		`"userAgent":"aws-cli/2.13.0","requestParameters":null,"responseElements":null,"eventID":"0f6a7d9e-1111-2222-3333-444455556666",`+
		`"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"%s}`,
		identityType, source, name, extra)
}

type cisCase struct {
	control string
	pattern string
	match   string // an event the pattern selects
	miss    string // a near miss it must not select
}

// The CloudTrail metric-filter patterns of the CIS AWS Foundations
// Benchmark as Security Hub's CloudWatch.1-14 controls state them.
var cisCases = []cisCase{
	{"CloudWatch.1 root usage",
		`{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}`,
		ct("signin.amazonaws.com", "ConsoleLogin", "Root", ""),
		`{"userIdentity":{"type":"Root","invokedBy":"s3.amazonaws.com"},"eventType":"AwsApiCall","eventName":"GetObject"}`},
	{"CloudWatch.2 unauthorized API calls",
		`{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}`,
		ct("ec2.amazonaws.com", "RunInstances", "IAMUser", `"errorCode":"Client.UnauthorizedOperation"`),
		ct("ec2.amazonaws.com", "RunInstances", "IAMUser", `"errorCode":"Client.UnauthorizedOperationX"`)},
	{"CloudWatch.3 console sign-in without MFA",
		`{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`,
		`{"eventName":"ConsoleLogin","userIdentity":{"type":"IAMUser"},"additionalEventData":{"MFAUsed":"No"},"responseElements":{"ConsoleLogin":"Success"}}`,
		ct("signin.amazonaws.com", "ConsoleLogin", "IAMUser", `"additionalEventData":{"MFAUsed":"Yes"}`)},
	{"CloudWatch.4 IAM policy changes",
		`{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}`,
		ct("iam.amazonaws.com", "AttachRolePolicy", "IAMUser", ""),
		ct("iam.amazonaws.com", "ListRolePolicies", "IAMUser", "")},
	{"CloudWatch.5 CloudTrail configuration changes",
		`{($.eventName=CreateTrail)||($.eventName=UpdateTrail)||($.eventName=DeleteTrail)||($.eventName=StartLogging)||($.eventName=StopLogging)}`,
		ct("cloudtrail.amazonaws.com", "StopLogging", "IAMUser", ""),
		ct("cloudtrail.amazonaws.com", "DescribeTrails", "IAMUser", "")},
	{"CloudWatch.6 console authentication failures",
		`{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}`,
		ct("signin.amazonaws.com", "ConsoleLogin", "IAMUser", `"errorMessage":"Failed authentication"`),
		ct("signin.amazonaws.com", "ConsoleLogin", "IAMUser", `"errorMessage":"Failed authentication (MFA)"`)},
	{"CloudWatch.7 disabling or scheduled deletion of CMKs",
		`{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}`,
		ct("kms.amazonaws.com", "ScheduleKeyDeletion", "AssumedRole", ""),
		ct("kms.amazonaws.com", "EnableKey", "AssumedRole", "")},
	{"CloudWatch.8 S3 bucket policy changes",
		`{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}`,
		ct("s3.amazonaws.com", "PutBucketPolicy", "IAMUser", ""),
		ct("s3control.amazonaws.com", "PutBucketPolicy", "IAMUser", "")},
	{"CloudWatch.9 AWS Config configuration changes",
		`{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder))}`,
		ct("config.amazonaws.com", "StopConfigurationRecorder", "IAMUser", ""),
		ct("config.amazonaws.com", "StartConfigurationRecorder", "IAMUser", "")},
	{"CloudWatch.10 security group changes",
		`{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}`,
		ct("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "IAMUser", ""),
		ct("ec2.amazonaws.com", "DescribeSecurityGroups", "IAMUser", "")},
	{"CloudWatch.11 NACL changes",
		`{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}`,
		ct("ec2.amazonaws.com", "ReplaceNetworkAclEntry", "IAMUser", ""),
		ct("ec2.amazonaws.com", "DescribeNetworkAcls", "IAMUser", "")},
	{"CloudWatch.12 network gateway changes",
		`{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}`,
		ct("ec2.amazonaws.com", "AttachInternetGateway", "IAMUser", ""),
		ct("ec2.amazonaws.com", "AttachVpnGateway", "IAMUser", "")},
	{"CloudWatch.13 route table changes",
		`{($.eventSource=ec2.amazonaws.com) && (($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable))}`,
		ct("ec2.amazonaws.com", "CreateRoute", "IAMUser", ""),
		ct("ec2.amazonaws.com", "CreateRouteTables", "IAMUser", "")},
	{"CloudWatch.14 VPC changes",
		`{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}`,
		ct("ec2.amazonaws.com", "CreateVpc", "IAMUser", ""),
		ct("ec2.amazonaws.com", "createvpc", "IAMUser", "")},
	{"CIS 1.4 4.1 unauthorized API calls (excluding log delivery and HeadBucket)",
		`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }`,
		ct("s3.amazonaws.com", "GetObject", "IAMUser", `"errorCode":"AccessDenied"`),
		ct("s3.amazonaws.com", "HeadBucket", "IAMUser", `"errorCode":"AccessDenied"`)},
	{"CIS 4.15 AWS Organizations changes",
		`{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }`,
		ct("organizations.amazonaws.com", "LeaveOrganization", "IAMUser", ""),
		ct("iam.amazonaws.com", "CreatePolicy", "IAMUser", "")},
}

func TestCISPatterns(t *testing.T) {
	for _, c := range cisCases {
		t.Run(c.control, func(t *testing.T) {
			if !matchRaw(t, c.pattern, c.match) {
				t.Errorf("did not match %s", c.match)
			}
			if matchRaw(t, c.pattern, c.miss) {
				t.Errorf("matched the near miss %s", c.miss)
			}
			checkLiterals(t, c.pattern, c.match)
			checkRoundTrip(t, c.pattern)
		})
	}
}

// Root usage by a service on behalf of root is not root usage; a service
// event is not either.
func TestCISRootUsageVariants(t *testing.T) {
	p := cisCases[0].pattern
	runCases(t, `{"userIdentity":{"type":"Root"},"eventType":"AwsServiceEvent"}`, []matchCase{{p, false}})
	runCases(t, `{"userIdentity":{"type":"Root"},"eventType":"AwsConsoleSignIn"}`, []matchCase{{p, true}})
	runCases(t, `{"userIdentity":{"type":"IAMUser"},"eventType":"AwsConsoleSignIn"}`, []matchCase{{p, false}})
}

// The two patterns of seed 003, on events shaped like the seed's.
const (
	seedIAMPattern = `{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed = "Yes") && ($.responseElements.ConsoleLogin = "Failure") }`
	seedICPattern  = `{ ($.eventName = CredentialVerification) && (($.additionalEventData.CredentialType = "TOTP") || ($.additionalEventData.CredentialType = "WEBAUTHN")) && ($.serviceEventDetails.CredentialChallenge = "Failure")}`
)

func seedConsoleLogin(result, mfa string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"HIDDEN","accountId":"HIDDEN","accessKeyId":"","userName":"HIDDEN"},`+
		`"eventTime":"2023-08-24T21:07:08Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1",`+
		`"sourceIPAddress":"HIDDEN","userAgent":"HIDDEN","errorMessage":"Failed authentication","requestParameters":null,`+
		`"responseElements":{"ConsoleLogin":%q},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/","MobileVersion":"No","MFAUsed":%q},`+
		`"eventID":"HIDDEN","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"HIDDEN","eventCategory":"Management",`+
		`"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"signin.aws.amazon.com"}}`, result, mfa)
}

func seedCredentialVerification(name, credType, outcome string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"Unknown","principalId":"111122223333","arn":"","accountId":"111122223333","accessKeyId":"","userName":"alice"},`+
		`"eventTime":"2023-08-24T21:07:08Z","eventSource":"signin.amazonaws.com","eventName":%q,"awsRegion":"us-east-1",`+
		`"sourceIPAddress":"198.51.100.7","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":null,`+
		`"additionalEventData":{"AuthWorkflowID":"9de74b32-8362-4a01-a524-de21df59fd83","CredentialType":%q},`+
		`"serviceEventDetails":{"CredentialChallenge":%q},"eventID":"e4d1-2c","readOnly":false,"eventType":"AwsServiceEvent",`+
		`"managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`, name, credType, outcome)
}

func TestSeed003Patterns(t *testing.T) {
	runCases(t, seedConsoleLogin("Failure", "Yes"), []matchCase{{seedIAMPattern, true}, {seedICPattern, false}})
	runCases(t, seedConsoleLogin("Failure", "No"), []matchCase{{seedIAMPattern, false}})
	runCases(t, seedConsoleLogin("Success", "Yes"), []matchCase{{seedIAMPattern, false}})

	for _, c := range []struct {
		name, cred, outcome string
		want                bool
	}{
		{"CredentialVerification", "TOTP", "Failure", true},
		{"CredentialVerification", "WEBAUTHN", "Failure", true},
		{"CredentialVerification", "PASSWORD", "Failure", false},
		{"CredentialVerification", "RESYNC_TOTP", "Failure", false},
		{"CredentialVerification", "TOTP", "Success", false},
		{"CredentialChallenge", "TOTP", "Failure", false},
	} {
		ev := seedCredentialVerification(c.name, c.cred, c.outcome)
		runCases(t, ev, []matchCase{{seedICPattern, c.want}, {seedIAMPattern, false}})
	}
	checkRoundTrip(t, seedIAMPattern)
	checkRoundTrip(t, seedICPattern)
	checkLiterals(t, seedIAMPattern, seedConsoleLogin("Failure", "Yes"))
	checkLiterals(t, seedICPattern, seedCredentialVerification("CredentialVerification", "WEBAUTHN", "Failure"))
}
