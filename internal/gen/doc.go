// Package gen generates realistic, seeded CloudTrail events for benchmarks,
// tests and fire drills.
//
// The output imitates what a CloudTrail trail really delivers for an
// organisation: many services and event names, every common userIdentity
// shape (IAMUser, AssumedRole with sessionContext and sessionIssuer,
// AWSService, Root, FederatedUser, IAM Identity Center users and
// AWSReservedSSO_* roles, EC2 instance roles), request and response bodies
// of realistic size, tlsDetails, resources, SDK/CLI/console/browser user
// agents, a few percent of errors, and about 3% sign-in events whose shapes
// follow AWS's documented examples (ConsoleLogin, CheckMfa, GetSigninToken,
// SwitchRole, the Identity Center CredentialChallenge → CredentialVerification
// → UserAuthentication → Authenticate → Federate → ConsoleLogin flow).
//
// Output is deterministic: the same Options give the same bytes. Generate
// streams events one at a time; WriteS3Layout writes them as CloudTrail S3
// delivery objects under AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/.
package gen
