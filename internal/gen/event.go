package gen

import (
	"fmt"
	"time"
)

// ev describes one event; emit renders it in CloudTrail's field order.
type ev struct {
	t              time.Time
	acct           *account // recipient account
	region         string
	source, name   string
	who            identity
	ip, ua         string
	errCode        string
	errMsg         string
	req, resp      func(w *jw) // nil writes null
	addl           func(w *jw) // nil omits additionalEventData
	resources      func(w *jw)
	svcDetails     func(w *jw)
	readOnly       bool
	eventType      string // default AwsApiCall
	data           bool   // data event (eventCategory Data, managementEvent false)
	host           string // tlsDetails.clientProvidedHostHeader; "" omits tlsDetails
	tls13          bool
	fromConsole    bool
	sharedEventID  bool
	vpce           string
	requestIDStyle int // 0 uuid, 1 S3-style
}

// identity is the userIdentity of an event.
type identity struct {
	p         *principal
	invokedBy string
	key       string // accessKeyId for sessions; "" for none; "-" to write ""
	noARN     bool   // sign-in failures and CheckMfa omit the arn
	mfaAuth   bool
	created   time.Time
	ic        *ssoUser // Identity Center user (signin/sso service events)
	icNew     bool     // the IdentityCenterUser shape rather than Unknown
	ec2Role   bool
	issuerArn string // override for AWSReservedSSO issuer path
	saml      *samlIdentity
}

func (g *generator) emit(e *ev) error {
	if g.n >= g.opt.Events {
		return errStop
	}
	w := &g.out
	w.b = w.b[:0]
	w.b = append(w.b, '{')
	w.ks("eventVersion", "1.09")
	g.writeIdentity(w, e)
	w.kt("eventTime", e.t)
	w.ks("eventSource", e.source)
	w.ks("eventName", e.name)
	w.ks("awsRegion", e.region)
	w.ks("sourceIPAddress", e.ip)
	w.ks("userAgent", e.ua)
	if e.errCode != "" {
		w.ks("errorCode", e.errCode)
	}
	if e.errMsg != "" {
		w.ks("errorMessage", e.errMsg)
	}
	writeOrNull(w, "requestParameters", e.req)
	if e.errCode != "" && e.source != "signin.amazonaws.com" {
		w.knull("responseElements")
	} else {
		writeOrNull(w, "responseElements", e.resp)
	}
	if e.addl != nil {
		w.ko("additionalEventData")
		e.addl(w)
		w.end()
	}
	g.writeTail(w, e)
	w.b = append(w.b, '}')
	g.n++
	if isSignIn(e.source, e.name) {
		g.signins++
	}
	return g.sink(meta{account: e.acct.id, region: e.region, t: e.t}, w.b)
}

func (g *generator) writeTail(w *jw, e *ev) {
	if e.requestIDStyle == 1 {
		w.ks("requestID", randFrom(g.r, upperAlnum, 16))
	} else if e.eventType != "AwsConsoleSignIn" {
		w.ks("requestID", uuid(g.r))
	}
	w.ks("eventID", uuid(g.r))
	w.kb("readOnly", e.readOnly)
	if e.resources != nil {
		w.ka("resources")
		e.resources(w)
		w.aend()
	}
	et := e.eventType
	if et == "" {
		et = "AwsApiCall"
	}
	w.ks("eventType", et)
	w.kb("managementEvent", !e.data)
	w.ks("recipientAccountId", e.acct.id)
	if e.sharedEventID {
		w.ks("sharedEventID", uuid(g.r))
	}
	if e.vpce != "" {
		w.ks("vpcEndpointId", e.vpce)
	}
	if e.svcDetails != nil {
		w.ko("serviceEventDetails")
		e.svcDetails(w)
		w.end()
	}
	if e.data {
		w.ks("eventCategory", "Data")
	} else {
		w.ks("eventCategory", "Management")
	}
	if e.host != "" {
		writeTLS(w, e)
	}
	if e.fromConsole {
		w.ks("sessionCredentialFromConsole", "true")
	}
}

func writeTLS(w *jw, e *ev) {
	w.ko("tlsDetails")
	if e.tls13 {
		w.ks("tlsVersion", "TLSv1.3")
		w.ks("cipherSuite", "TLS_AES_128_GCM_SHA256")
	} else {
		w.ks("tlsVersion", "TLSv1.2")
		w.ks("cipherSuite", "ECDHE-RSA-AES128-GCM-SHA256")
	}
	w.ks("clientProvidedHostHeader", e.host)
	w.end()
}

func writeOrNull(w *jw, name string, f func(w *jw)) {
	if f == nil {
		w.knull(name)
		return
	}
	w.ko(name)
	f(w)
	w.end()
}

func (g *generator) writeIdentity(w *jw, e *ev) {
	id := &e.who
	w.ko("userIdentity")
	switch {
	case id.ic != nil:
		writeICIdentity(w, id, g.w)
	case id.saml != nil:
		w.ks("type", "SAMLUser")
		w.ks("principalId", id.saml.hash+":"+id.saml.email)
		w.ks("userName", id.saml.email)
		w.ks("identityProvider", id.saml.hash)
	case id.p == nil:
		w.ks("type", "AWSService")
		w.ks("invokedBy", id.invokedBy)
	default:
		g.writePrincipal(w, id)
	}
	w.end()
}

func writeICIdentity(w *jw, id *identity, wd *world) {
	if id.icNew {
		w.ks("type", "IdentityCenterUser")
		w.ks("accountId", wd.mgmt.id)
		w.ko("onBehalfOf")
		w.ks("userId", id.ic.userID)
		w.ks("identityStoreArn", "arn:aws:identitystore::"+wd.mgmt.id+":identitystore/"+wd.storeID)
		w.end()
		w.ks("credentialId", id.ic.credID)
		return
	}
	w.ks("type", "Unknown")
	w.ks("principalId", wd.mgmt.id)
	w.ks("arn", "")
	w.ks("accountId", wd.mgmt.id)
	w.ks("accessKeyId", "")
	w.ks("userName", id.ic.email)
}

func (g *generator) writePrincipal(w *jw, id *identity) {
	p := id.p
	w.ks("type", p.kind)
	switch p.kind {
	case "Root":
		w.ks("principalId", p.acct.id)
	case "AssumedRole":
		w.ks("principalId", p.roleID+":"+p.session)
	case "FederatedUser":
		w.ks("principalId", p.acct.id+":"+p.session)
	default:
		w.ks("principalId", p.principalID)
	}
	if !id.noARN {
		w.ks("arn", p.arn())
	}
	w.ks("accountId", p.acct.id)
	switch id.key {
	case "":
	case "-":
		w.ks("accessKeyId", "")
	default:
		w.ks("accessKeyId", id.key)
	}
	if p.kind == "IAMUser" {
		w.ks("userName", p.name)
	}
	if p.kind == "IAMUser" && id.created.IsZero() {
		g.writeInvokedBy(w, id)
		return
	}
	if !id.created.IsZero() || p.kind == "AssumedRole" || p.kind == "FederatedUser" {
		g.writeSessionContext(w, id)
	}
	g.writeInvokedBy(w, id)
}

func (g *generator) writeInvokedBy(w *jw, id *identity) {
	if id.invokedBy != "" {
		w.ks("invokedBy", id.invokedBy)
	}
}

func (g *generator) writeSessionContext(w *jw, id *identity) {
	p := id.p
	w.ko("sessionContext")
	switch p.kind {
	case "AssumedRole":
		w.ko("sessionIssuer")
		w.ks("type", "Role")
		w.ks("principalId", p.roleID)
		arn := id.issuerArn
		if arn == "" {
			arn = "arn:aws:iam::" + p.acct.id + ":role/" + p.name
		}
		w.ks("arn", arn)
		w.ks("accountId", p.acct.id)
		w.ks("userName", p.name)
		w.end()
	case "FederatedUser":
		w.ko("sessionIssuer")
		w.ks("type", "IAMUser")
		w.ks("principalId", p.principalID)
		w.ks("arn", "arn:aws:iam::"+p.acct.id+":user/"+p.name)
		w.ks("accountId", p.acct.id)
		w.ks("userName", p.name)
		w.end()
	default:
		w.kempty("sessionIssuer")
	}
	w.kempty("webIdFederationData")
	w.ko("attributes")
	created := id.created
	if created.IsZero() {
		created = g.now.Add(-time.Duration(g.r.IntN(3600)) * time.Second)
	}
	w.kt("creationDate", created)
	w.ks("mfaAuthenticated", fmt.Sprint(id.mfaAuth))
	w.end()
	if id.ec2Role {
		w.ks("ec2RoleDelivery", "2.0")
	}
	w.end()
}
