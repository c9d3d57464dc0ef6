package event

import "testing"

// TestReadCommonMatchesGet holds every Common field to what Get and Path
// find, on a plain event, one whose root keys need unescaping (the root's
// known-key index is then not used), one with a repeated key, and values
// that are not objects where objects are expected.
func TestReadCommonMatchesGet(t *testing.T) {
	srcs := []string{
		`{"eventID":"e1","eventName":"ConsoleLogin","awsRegion":"us-east-1","recipientAccountId":"111122223333",` +
			`"sourceIPAddress":"192.0.2.1","userAgent":"ua","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root",` +
			`"userName":"u","principalId":"111122223333","accountId":"111122223333"}}`,
		`{"event\u0049D":"e2","eventName":"A","eventName":"B","userIdentity":{"typ\u0065":"IAMUser","arn":"x","arn":"y"}}`,
		`{"eventID":7,"userIdentity":"not an object","awsRegion":null}`,
		`[{"eventID":"e3"}]`,
	}
	for _, src := range srcs {
		root := parse(t, src)
		c := ReadCommon(root)
		id := root.Get("userIdentity")
		for _, f := range []struct {
			name      string
			got, want Value
		}{
			{"eventID", c.EventID, root.Get("eventID")},
			{"eventName", c.EventName, root.Get("eventName")},
			{"awsRegion", c.Region, root.Get("awsRegion")},
			{"recipientAccountId", c.Account, root.Get("recipientAccountId")},
			{"sourceIPAddress", c.SourceIP, root.Get("sourceIPAddress")},
			{"userAgent", c.UserAgent, root.Get("userAgent")},
			{"userIdentity", c.Identity, id},
			{"userIdentity.type", c.IdentityType, id.Get("type")},
			{"userIdentity.arn", c.ARN, id.Get("arn")},
			{"userIdentity.userName", c.UserName, id.Get("userName")},
			{"userIdentity.principalId", c.PrincipalID, id.Get("principalId")},
			{"userIdentity.accountId", c.IdentityAccount, id.Get("accountId")},
		} {
			if f.got.Kind() != f.want.Kind() || f.got.Offset() != f.want.Offset() {
				t.Errorf("%s: %s: ReadCommon found %s at %d, Get %s at %d", src, f.name,
					f.got.Kind(), f.got.Offset(), f.want.Kind(), f.want.Offset())
			}
		}
	}
}
