package event

// Common holds the fields that nearly every reader of an event looks at
// (the summary, alert grouping, alert briefs), found in one pass over the
// root and one over userIdentity, so that each reader does not look them
// up again. A field the event lacks is Missing.
type Common struct {
	EventID, EventName, Region, Account, SourceIP, UserAgent, Identity Value
	// Members of userIdentity.
	IdentityType, ARN, UserName, PrincipalID, IdentityAccount Value
}

var (
	commonRootKeys = NewKeys("eventID", "eventName", "awsRegion", "recipientAccountId",
		"sourceIPAddress", "userAgent", "userIdentity")
	commonIdentityKeys = NewKeys("type", "arn", "userName", "principalId", "accountId")
)

// ReadCommon looks up root's Common fields.
func ReadCommon(root Value) Common {
	var top [7]Value
	var id [5]Value
	root.Fields(commonRootKeys, top[:])
	top[6].Fields(commonIdentityKeys, id[:])
	return Common{
		EventID: top[0], EventName: top[1], Region: top[2], Account: top[3],
		SourceIP: top[4], UserAgent: top[5], Identity: top[6],
		IdentityType: id[0], ARN: id[1], UserName: id[2], PrincipalID: id[3], IdentityAccount: id[4],
	}
}
