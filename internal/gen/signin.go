package gen

import (
	"time"
)

// Sign-in episodes: one person (or attacker) signing in, as the sequence of
// events CloudTrail records for it. Shapes follow AWS's documented examples
// (seed documents 000 and 003).

const (
	epIAMLogin = iota
	epSSOFull
	epSSOPortal
	epSSOCLI
	epSwitchRole
	epSAML
	epCredChange
	epHiddenUser
	epRenewRole
	epRoot
	epBroker
	epMFAFailure
	epAttack
)

var (
	episodeWeightsMix    = newWeighted([]int{300, 160, 200, 90, 70, 60, 25, 12, 20, 12, 12, 8, 4})
	episodeWeightsBenign = newWeighted([]int{300, 160, 200, 90, 70, 60, 25, 12, 20, 0, 0, 0, 0})
)

const jerseyUA = "Jersey/${project.version}"

func (g *generator) signInEpisode() error {
	wts := episodeWeightsMix
	if g.benign {
		wts = episodeWeightsBenign
	}
	switch wts.pick(g.r) {
	case epIAMLogin:
		return g.iamLogin(g.pickConsoleUser(), false)
	case epSSOFull:
		return g.ssoFull()
	case epSSOPortal:
		u := pick(g.r, g.w.ssoUsers)
		return g.ssoPortal(u, g.now)
	case epSSOCLI:
		return g.ssoCLI()
	case epSwitchRole:
		return g.switchRole("SwitchRole")
	case epSAML:
		return g.samlLogin()
	case epCredChange:
		return g.credentialChange()
	case epHiddenUser:
		return g.hiddenUser()
	case epRenewRole:
		return g.switchRole("RenewRole")
	case epRoot:
		return g.rootLogin()
	case epBroker:
		return g.brokerLogin()
	case epMFAFailure:
		return g.mfaFailure()
	default:
		return g.attack()
	}
}

func (g *generator) pickConsoleUser() *principal {
	for {
		a := g.pickAccount()
		if len(a.consoleIAM) > 0 {
			return pick(g.r, a.consoleIAM)
		}
	}
}

func signinHost(region string, global bool) string {
	if global {
		return "signin.aws.amazon.com"
	}
	return region + ".signin.aws.amazon.com"
}

// signinEvent starts a signin.amazonaws.com console event.
func (g *generator) signinEvent(t time.Time, a *account, region, name string, who identity, ip, ua string, global bool) *ev {
	return &ev{t: t, acct: a, region: region, source: "signin.amazonaws.com", name: name, who: who, ip: ip, ua: ua,
		eventType: "AwsConsoleSignIn", host: signinHost(region, global), tls13: true}
}

// iamRegion is where an IAM user's ConsoleLogin is recorded (seed 000).
func (g *generator) iamRegion(a *account) (string, bool) {
	switch x := g.r.IntN(10); {
	case x < 5:
		return "us-east-1", true
	case x < 8:
		return pick(g.r, []string{"us-east-2", "eu-north-1", "ap-southeast-2"}), false
	default:
		return a.regions[0], false
	}
}

func (g *generator) consoleLogin(t time.Time, p *principal, region string, global, ok, mfa bool, ip, ua string) *ev {
	who := identity{p: p}
	if !ok {
		who.noARN, who.key = true, "-"
	}
	e := g.signinEvent(t, p.acct, region, "ConsoleLogin", who, ip, ua, global)
	result := "Success"
	if !ok {
		result = "Failure"
		e.errMsg = "Failed authentication"
	}
	lt := loginTo(g.r, region)
	e.resp = func(w *jw) { w.ks("ConsoleLogin", result) }
	e.addl = func(w *jw) {
		w.ks("LoginTo", lt)
		w.ks("MobileVersion", "No")
		if mfa && ok {
			if p.kind == "Root" {
				w.ks("MFAIdentifier", "arn:aws:iam::"+p.acct.id+":mfa/root-account-mfa-device")
			} else {
				w.ks("MFAIdentifier", "arn:aws:iam::"+p.acct.id+":mfa/"+p.name)
			}
		}
		w.ks("MFAUsed", yesNo(mfa))
	}
	return e
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func (g *generator) checkMfa(t time.Time, p *principal, region string, global bool, ip, ua string) *ev {
	e := g.signinEvent(t, p.acct, region, "CheckMfa", identity{p: p, noARN: true, key: "-"}, ip, ua, global)
	mt := p.mfaType
	if mt == "" {
		mt = "Virtual MFA"
	}
	e.resp = func(w *jw) { w.ks("CheckMfa", "Success") }
	e.addl = func(w *jw) { w.ks("MfaType", mt) }
	return e
}

// emitAll emits events in order, stopping at the first error.
func (g *generator) emitAll(es ...*ev) error {
	for _, e := range es {
		if err := g.emit(e); err != nil {
			return err
		}
	}
	return nil
}

// iamLogin is an IAM user's console sign-in, sometimes after a typo.
func (g *generator) iamLogin(p *principal, mfaFail bool) error {
	region, global := g.iamRegion(p.acct)
	t := g.now
	var es []*ev
	if mfaFail || chance(g.r, 0.08) {
		tries := 1
		if !mfaFail && chance(g.r, 0.1) {
			tries = 2
		}
		for i := 0; i < tries; i++ {
			es = append(es, g.consoleLogin(t, p, region, global, false, mfaFail, p.ip, p.browser))
			t = t.Add(time.Duration(5+g.r.IntN(25)) * time.Second)
		}
	}
	if p.mfa {
		es = append(es, g.checkMfa(t, p, region, global, p.ip, p.browser))
		t = t.Add(time.Duration(5+g.r.IntN(20)) * time.Second)
	}
	es = append(es, g.consoleLogin(t, p, region, global, true, p.mfa, p.ip, p.browser))
	return g.emitAll(es...)
}

// icEvent is an Identity Center service event in the management account.
func (g *generator) icEvent(t time.Time, u *ssoUser, source, name string, newShape bool) *ev {
	a := g.w.mgmt
	return &ev{t: t, acct: a, region: g.w.icRegion, source: source, name: name, who: identity{ic: u, icNew: newShape},
		ip: u.ip, ua: u.browser, eventType: "AwsServiceEvent"}
}

func (g *generator) credStep(t time.Time, u *ssoUser, name, credType, flow, result string, newShape bool) *ev {
	e := g.icEvent(t, u, "signin.amazonaws.com", name, newShape)
	key := name
	if name == "CredentialVerification" && chance(g.r, 0.25) {
		key = "CredentialChallenge" // the shape seed 003 shows
	}
	e.addl = func(w *jw) { w.ks("AuthWorkflowID", flow); w.ks("CredentialType", credType) }
	e.svcDetails = func(w *jw) { w.ks(key, result) }
	if result == "Failure" {
		e.errMsg = "Failed authentication"
	}
	return e
}

// ssoFull is a complete Identity Center sign-in followed by a console
// session in one account: password (a typo now and then), MFA,
// UserAuthentication, Authenticate, then Federate → GetSigninToken → ConsoleLogin.
func (g *generator) ssoFull() error {
	u := pick(g.r, g.w.ssoUsers)
	return g.ssoAuth(u, chance(g.r, u.typoRate), false)
}

func (g *generator) ssoAuth(u *ssoUser, typo, mfaFail bool) error {
	flow := uuid(g.r)
	shape := chance(g.r, 0.5)
	t := g.now
	step := func() time.Time { t = t.Add(time.Duration(2+g.r.IntN(12)) * time.Second); return t }
	es := []*ev{g.credStep(t, u, "CredentialChallenge", "PASSWORD", flow, "Success", shape)}
	if typo {
		es = append(es, g.credStep(step(), u, "CredentialVerification", "PASSWORD", flow, "Failure", shape),
			g.credStep(step(), u, "CredentialChallenge", "PASSWORD", flow, "Success", shape))
	}
	mfa := pick(g.r, []string{"TOTP", "TOTP", "WEBAUTHN"})
	es = append(es, g.credStep(step(), u, "CredentialVerification", "PASSWORD", flow, "Success", shape),
		g.credStep(step(), u, "CredentialChallenge", mfa, flow, "Success", shape))
	if mfaFail {
		es = append(es, g.credStep(step(), u, "CredentialVerification", mfa, flow, "Failure", shape))
		return g.emitAll(es...)
	}
	es = append(es, g.credStep(step(), u, "CredentialVerification", mfa, flow, "Success", shape))
	ua := g.icEvent(step(), u, "signin.amazonaws.com", "UserAuthentication", shape)
	portal := "https://" + g.w.storeID + ".awsapps.com/start/?state=" + randFrom(g.r, base64Set, 300) + "&auth_code=" + randFrom(g.r, mixedAlnum+"-_", 180)
	ua.addl = func(w *jw) {
		w.ks("AuthWorkflowID", flow)
		w.ks("LoginTo", portal)
		w.ks("CredentialType", mfa)
	}
	ua.svcDetails = func(w *jw) { w.ks("UserAuthentication", "Success") }
	auth := g.icEvent(step(), u, "sso.amazonaws.com", "Authenticate", shape)
	es = append(es, ua, auth)
	if err := g.emitAll(es...); err != nil {
		return err
	}
	return g.ssoPortal(u, step())
}

// ssoPortal is a console session opened from the access portal:
// Federate, then GetSigninToken by the portal (Jersey user agent), then
// ConsoleLogin with the AWSReservedSSO_ role in the chosen account.
func (g *generator) ssoPortal(u *ssoUser, t time.Time) error {
	a := pick(g.r, u.accounts)
	p := g.ssoPrincipal(a, u)
	set := p.name[len("AWSReservedSSO_") : len(p.name)-17]
	fed := g.icEvent(t, u, "sso.amazonaws.com", "Federate", chance(g.r, 0.5))
	fed.acct = a
	fed.svcDetails = func(w *jw) { w.ks("account_id", a.id); w.ks("role_name", set) }
	t = t.Add(time.Duration(1+g.r.IntN(3)) * time.Second)
	key := g.sessionKey(a)
	who := identity{p: p, key: key, created: t, issuerArn: ssoIssuerArn(a, p.name, g.w.icRegion)}
	tok := g.signinEvent(t, a, "us-east-1", "GetSigninToken", who, u.ip, jerseyUA, true)
	newKey := g.sessionKey(a)
	tok.resp = func(w *jw) {
		w.ko("credentials")
		w.ks("accessKeyId", newKey)
		w.end()
		w.ks("GetSigninToken", "Success")
	}
	tok.addl = func(w *jw) { w.ks("MobileVersion", "No"); w.ks("MFAUsed", "No") }
	t = t.Add(time.Duration(1+g.r.IntN(4)) * time.Second)
	region := a.regions[0]
	who.key = newKey
	login := g.signinEvent(t, a, region, "ConsoleLogin", who, u.ip, u.browser, false)
	login.resp = func(w *jw) { w.ks("ConsoleLogin", "Success") }
	login.addl = func(w *jw) { w.ks("MobileVersion", "No"); w.ks("MFAUsed", "No") }
	return g.emitAll(fed, tok, login)
}

// ssoCLI is `aws sso login` followed by role credentials for profiles.
func (g *generator) ssoCLI() error {
	u := pick(g.r, g.w.ssoUsers)
	t := g.now
	tok := g.icEvent(t, u, "sso.amazonaws.com", "CreateToken", false)
	tok.eventType, tok.ua, tok.host, tok.tls13 = "AwsApiCall", u.cli, "oidc."+g.w.icRegion+".amazonaws.com", true
	tok.source = "sso.amazonaws.com"
	client := randFrom(g.r, mixedAlnum+"-_", 22)
	tok.req = func(w *jw) {
		w.ks("clientId", client)
		w.ks("clientSecret", "HIDDEN_DUE_TO_SECURITY_REASONS")
		w.ks("deviceCode", randFrom(g.r, mixedAlnum+"-_", 43))
		w.ks("grantType", "urn:ietf:params:oauth:grant-type:device_code")
	}
	tok.resp = func(w *jw) {
		w.ks("accessToken", "HIDDEN_DUE_TO_SECURITY_REASONS")
		w.kn("expiresIn", 28800)
		w.ks("idToken", "HIDDEN_DUE_TO_SECURITY_REASONS")
		w.ks("refreshToken", "HIDDEN_DUE_TO_SECURITY_REASONS")
		w.ks("tokenType", "Bearer")
	}
	es := []*ev{tok}
	for i := 1 + g.r.IntN(2); i > 0; i-- {
		t = t.Add(time.Duration(1+g.r.IntN(30)) * time.Second)
		a := pick(g.r, u.accounts)
		set := pick(g.r, a.ssoRoles).set
		e := g.icEvent(t, u, "sso.amazonaws.com", "GetRoleCredentials", false)
		e.eventType, e.ua, e.readOnly, e.host, e.tls13 = "AwsApiCall", u.cli, true, "portal.sso."+g.w.icRegion+".amazonaws.com", true
		e.req = func(w *jw) { w.ks("roleName", set); w.ks("accountId", a.id) }
		es = append(es, e)
	}
	return g.emitAll(es...)
}

// switchRole is an IAM console user switching into (or renewing) a role,
// often in another account of the organisation.
func (g *generator) switchRole(name string) error {
	u := g.pickConsoleUser()
	target := g.pickAccount()
	role := pick(g.r, target.admins)
	p := &principal{kind: "AssumedRole", acct: target, name: role.name, roleID: role.roleID, session: u.name}
	who := identity{p: p, key: g.sessionKey(target), created: g.now, mfaAuth: u.mfa}
	e := g.signinEvent(g.now, target, "us-east-1", name, who, u.ip, u.browser, true)
	redirect := loginTo(g.r, target.regions[0])
	from := u.arn()
	e.resp = func(w *jw) { w.ks(name, "Success") }
	e.addl = func(w *jw) {
		w.ks("SwitchFrom", from)
		w.ks("RedirectTo", redirect)
	}
	return g.emit(e)
}

// samlLogin is a console sign-in through an external SAML identity provider.
func (g *generator) samlLogin() error {
	u := pick(g.r, g.w.ssoUsers)
	a := pick(g.r, u.accounts)
	idp := pick(g.r, []string{"Okta", "AzureAD", "ADFS"})
	provider := "arn:aws:iam::" + a.id + ":saml-provider/" + idp
	roleArn := "arn:aws:iam::" + a.id + ":role/" + a.samlRole
	t := g.now
	as := &ev{t: t, acct: a, region: "us-east-1", source: "sts.amazonaws.com", name: "AssumeRoleWithSAML",
		ip: u.ip, ua: u.browser, readOnly: true, host: "sts.amazonaws.com"}
	c := &callCtx{g: g, a: a, region: "us-east-1", c: &caller{}}
	c.assumeRole(as, roleArn, u.email)
	inner := as.req
	assertion := "_" + hexStr(g.r, 32)
	as.req = func(w *jw) {
		w.ks("sAMLAssertionID", assertion)
		w.ks("principalArn", provider)
		inner(w)
	}
	as.who = identity{saml: &samlIdentity{email: u.email, hash: randFrom(g.r, base64Set, 28) + "="}}
	as.resources = nil
	innerResp := as.resp
	issuer := "http://www.okta.com/exk" + randFrom(g.r, mixedAlnum, 17)
	as.resp = func(w *jw) {
		innerResp(w)
		w.ks("subjectType", "unspecified")
		w.ks("issuer", issuer)
		w.ks("audience", "https://signin.aws.amazon.com/saml")
		w.ks("nameQualifier", randFrom(g.r, base64Set, 27)+"=")
	}
	p := &principal{kind: "AssumedRole", acct: a, name: a.samlRole, roleID: a.samlRoleID, session: u.email}
	t = t.Add(time.Duration(1+g.r.IntN(3)) * time.Second)
	login := g.signinEvent(t, a, "us-east-1", "ConsoleLogin", identity{p: p, key: g.sessionKey(a), created: t}, u.ip, u.browser, true)
	lt := loginTo(g.r, a.regions[0])
	login.resp = func(w *jw) { w.ks("ConsoleLogin", "Success") }
	login.addl = func(w *jw) {
		w.ks("LoginTo", lt)
		w.ks("MobileVersion", "No")
		w.ks("MFAUsed", "No")
		w.ks("SamlProviderArn", provider)
	}
	if err := g.emit(as); err != nil {
		return err
	}
	return g.emit(login)
}

// samlIdentity is the SAMLUser userIdentity of AssumeRoleWithSAML.
type samlIdentity struct{ email, hash string }

// credentialChange is an IAM user changing their own password or adding MFA.
func (g *generator) credentialChange() error {
	u := g.pickConsoleUser()
	who := identity{p: u, key: g.sessionKey(u.acct), created: g.now.Add(-5 * time.Minute), mfaAuth: u.mfa}
	mk := func(name string) *ev {
		return &ev{t: g.now, acct: u.acct, region: "us-east-1", source: "iam.amazonaws.com", name: name, who: who,
			ip: u.ip, ua: consoleUA(g.r, u.browser), host: "iam.amazonaws.com", tls13: true, fromConsole: true}
	}
	if chance(g.r, 0.6) {
		return g.emit(mk("ChangePassword"))
	}
	serial := "arn:aws:iam::" + u.acct.id + ":mfa/" + u.name
	c := mk("CreateVirtualMFADevice")
	c.req = strParams("virtualMFADeviceName", u.name)
	c.resp = func(w *jw) {
		w.ko("virtualMFADevice")
		w.ks("serialNumber", serial)
		w.end()
	}
	en := mk("EnableMFADevice")
	en.t = en.t.Add(40 * time.Second)
	en.req = strParams("userName", u.name, "serialNumber", serial)
	return g.emitAll(c, en)
}

// hiddenUser is a single failed sign-in for a user name that does not exist.
func (g *generator) hiddenUser() error {
	a := g.pickAccount()
	p := &principal{kind: "IAMUser", acct: a, name: "HIDDEN_DUE_TO_SECURITY_REASONS", principalID: a.id}
	ip, ua := publicIP(g.r), browserUA(g.r)
	e := g.consoleLogin(g.now, p, "us-east-1", true, false, false, ip, ua)
	e.errMsg = "No username found in supplied account"
	return g.emit(e)
}
