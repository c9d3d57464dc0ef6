package gen

import "time"

// Episodes of the mix scenario only: activity a detection catalog should
// notice (root sign-ins, MFA failures, token brokers, the rare attack).
// ScenarioBenignMonth never produces them.

// rootLogin is a root console sign-in with MFA, sometimes after a failure.
func (g *generator) rootLogin() error {
	a := g.pickAccount()
	p := &principal{kind: "Root", acct: a}
	ip, ua := publicIP(g.r), browserUA(g.r)
	t := g.now
	var es []*ev
	if chance(g.r, 0.25) {
		es = append(es, g.rootConsoleLogin(t, p, false, ip, ua))
		t = t.Add(time.Duration(10+g.r.IntN(30)) * time.Second)
	}
	es = append(es, g.rootConsoleLogin(t, p, true, ip, ua))
	return g.emitAll(es...)
}

func (g *generator) rootConsoleLogin(t time.Time, p *principal, ok bool, ip, ua string) *ev {
	e := g.consoleLogin(t, p, "us-east-1", true, ok, ok, ip, ua)
	e.who = identity{p: p, key: "-"}
	return e
}

// brokerLogin is a custom identity broker: the broker server calls
// GetSigninToken (seed 000's federation example), the user's browser then
// signs in with the token from another address.
func (g *generator) brokerLogin() error {
	a := g.pickAccount()
	u := pick(g.r, a.users)
	var p *principal
	if chance(g.r, 0.5) {
		p = &principal{kind: "FederatedUser", acct: a, name: u.name, principalID: u.principalID, session: pick(g.r, firstNames)}
	} else {
		app := pick(g.r, a.apps)
		p = &principal{kind: "AssumedRole", acct: a, name: app.name, roleID: app.roleID, session: pick(g.r, firstNames) + "." + pick(g.r, lastNames)}
	}
	t := g.now
	who := identity{p: p, key: g.sessionKey(a), created: t}
	tok := g.signinEvent(t, a, "us-east-1", "GetSigninToken", who, pick(g.r, g.w.brokerIPs), "Java/1.8.0_382", false)
	key := g.sessionKey(a)
	tok.resp = func(w *jw) {
		w.ko("credentials")
		w.ks("accessKeyId", key)
		w.end()
		w.ks("GetSigninToken", "Success")
	}
	tok.addl = func(w *jw) { w.ks("MobileVersion", "No"); w.ks("MFAUsed", "No") }
	who.key = key
	login := g.signinEvent(t.Add(3*time.Second), a, "us-east-1", "ConsoleLogin", who, publicIP(g.r), browserUA(g.r), false)
	login.resp = func(w *jw) { w.ks("ConsoleLogin", "Success") }
	login.addl = func(w *jw) { w.ks("MobileVersion", "No"); w.ks("MFAUsed", "No") }
	return g.emitAll(tok, login)
}

// mfaFailure is a correct password with a wrong MFA code: an IAM user's
// ConsoleLogin Failure with MFAUsed Yes, or an Identity Center TOTP/WebAuthn
// CredentialVerification failure.
func (g *generator) mfaFailure() error {
	if chance(g.r, 0.5) {
		return g.iamLogin(g.pickConsoleUser(), true)
	}
	return g.ssoAuth(pick(g.r, g.w.ssoUsers), false, true)
}

// attack is one of a few rare attack patterns.
func (g *generator) attack() error {
	a := g.pickAccount()
	ip, ua := publicIP(g.r), "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	t := g.now
	var es []*ev
	switch g.r.IntN(4) {
	case 0: // root brute force
		p := &principal{kind: "Root", acct: a}
		for i := 0; i < 6; i++ {
			es = append(es, g.rootConsoleLogin(t, p, false, ip, ua))
			t = t.Add(time.Duration(5+g.r.IntN(20)) * time.Second)
		}
	case 1: // password spraying from one address
		for i := 0; i < 6; i++ {
			p := &principal{kind: "IAMUser", acct: a, name: pick(g.r, firstNames), principalID: uniqueID(g.r, "AIDA", a.frag)}
			es = append(es, g.consoleLogin(t, p, "us-east-1", true, false, false, ip, ua))
			t = t.Add(time.Duration(2+g.r.IntN(10)) * time.Second)
		}
	case 2: // console sign-in with stolen EC2 instance credentials
		p := pick(g.r, a.instances)
		who := identity{p: p, key: g.sessionKey(a), ec2Role: true, created: t.Add(-time.Hour)}
		tok := g.signinEvent(t, a, "us-east-1", "GetSigninToken", who, ip, "python-requests/2.31.0", true)
		tok.resp = func(w *jw) { w.ks("GetSigninToken", "Success") }
		login := g.signinEvent(t.Add(20*time.Second), a, "us-east-1", "ConsoleLogin", who, ip, ua, true)
		login.resp = func(w *jw) { w.ks("ConsoleLogin", "Success") }
		login.addl = func(w *jw) { w.ks("MobileVersion", "No"); w.ks("MFAUsed", "No") }
		es = append(es, tok, login)
	default: // root password recovery, then the MFA device removed
		p := &principal{kind: "Root", acct: a}
		rec := g.signinEvent(t, a, "us-east-1", "PasswordRecoveryRequested", identity{p: p, key: "-"}, ip, ua, true)
		rec.resp = func(w *jw) { w.ks("PasswordRecoveryRequested", "Success") }
		de := &ev{t: t.Add(4 * time.Minute), acct: a, region: "us-east-1", source: "iam.amazonaws.com", name: "DeactivateMFADevice",
			who: identity{p: p, key: g.sessionKey(a), created: t.Add(3 * time.Minute)}, ip: ip, ua: ua, host: "iam.amazonaws.com", tls13: true, fromConsole: true}
		de.req = strParams("userName", "AWS ROOT USER", "serialNumber", "arn:aws:iam::"+a.id+":mfa/root-account-mfa-device")
		es = append(es, rec, de)
	}
	return g.emitAll(es...)
}
