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

var commonRootKeys = NewKeys("eventID", "eventName", "awsRegion", "recipientAccountId",
	"sourceIPAddress", "userAgent", "userIdentity")

// ReadCommon looks up root's Common fields.
func ReadCommon(root Value) Common {
	var top [7]Value
	root.Fields(commonRootKeys, top[:])
	c := Common{
		EventID: top[0], EventName: top[1], Region: top[2], Account: top[3],
		SourceIP: top[4], UserAgent: top[5], Identity: top[6],
	}
	c.readIdentity()
	return c
}

// readIdentity fills the members of userIdentity in one pass over its
// members, a switch on each key (Fields would compare each key with each
// name). As Get, the last of a repeated key counts, and keys written with
// escapes are compared decoded.
func (c *Common) readIdentity() {
	v := c.Identity
	if v.Kind() != Object {
		return
	}
	d, raw := v.d, v.d.raw
	j := v.i + 1
	for n := v.n().count; n > 0; n-- {
		nd := &d.nodes[j]
		key := raw[nd.keyStart:nd.keyEnd]
		if nd.keyEscaped {
			key = []byte(unescape(key))
		}
		switch string(key) {
		case "type":
			c.IdentityType = Value{d, j}
		case "arn":
			c.ARN = Value{d, j}
		case "userName":
			c.UserName = Value{d, j}
		case "principalId":
			c.PrincipalID = Value{d, j}
		case "accountId":
			c.IdentityAccount = Value{d, j}
		}
		j = nd.next
	}
}
