#!/usr/bin/env python3
# Regenerate with: python3 testdata/make-sample.py (deterministic; the files are committed).
# Writes testdata/sample: a small, synthetic CloudTrail S3 delivery tree for the README demo.
import gzip, json, os, random, uuid
random.seed(7)
ACCT = "111122223333"
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample")
events = {}  # (region, bucket-minute) -> list
def eid():
    return str(uuid.UUID(int=random.getrandbits(128), version=4))
def base(t, src, name, region, ident, ip, ua, **kw):
    e = {"eventVersion": "1.08", "userIdentity": ident, "eventTime": t, "eventSource": src, "eventName": name,
         "awsRegion": region, "sourceIPAddress": ip, "userAgent": ua}
    e.update(kw)
    e.setdefault("requestParameters", None)
    e.setdefault("responseElements", None)
    e["eventID"] = eid()
    e.setdefault("readOnly", False)
    e.setdefault("eventType", "AwsApiCall")
    e["managementEvent"] = True
    e["recipientAccountId"] = ACCT
    e["eventCategory"] = "Management"
    key = (region, t[:15] + "0")
    events.setdefault(key, []).append(e)
    return e
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
CLI = "aws-cli/2.15.40 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/s3.ls"
def iam(user):
    return {"type": "IAMUser", "principalId": "AIDA" + user.upper().ljust(17, "X")[:17], "arn": f"arn:aws:iam::{ACCT}:user/{user}", "accountId": ACCT, "userName": user}
def login(t, user, ok, ip, ua=CHROME, mfa="No", region="us-east-1", ident=None):
    ident = ident or iam(user)
    kw = {"responseElements": {"ConsoleLogin": "Success" if ok else "Failure"},
          "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": mfa},
          "eventType": "AwsConsoleSignIn", "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "signin.aws.amazon.com"}}
    if not ok:
        kw["errorMessage"] = "Failed authentication"
    return base(t, "signin.amazonaws.com", "ConsoleLogin", region, ident, ip, ua, **kw)
def ts(h, m, s=0):
    return f"2024-05-01T{h:02d}:{m:02d}:{s:02d}Z"
ROOT = {"type": "Root", "principalId": ACCT, "arn": f"arn:aws:iam::{ACCT}:root", "accountId": ACCT, "accessKeyId": ""}
# ordinary morning: alice signs in with MFA and works
login(ts(8, 2), "alice", True, "192.0.2.10", mfa="Yes")
for i in range(40):
    name = random.choice(["ListBuckets", "DescribeInstances", "GetCallerIdentity", "ListUsers", "DescribeLogGroups"])
    src = {"ListBuckets": "s3.amazonaws.com", "DescribeInstances": "ec2.amazonaws.com", "GetCallerIdentity": "sts.amazonaws.com", "ListUsers": "iam.amazonaws.com", "DescribeLogGroups": "logs.amazonaws.com"}[name]
    base(ts(8, 5 + i, 13), src, name, "us-east-1", iam("alice"), "192.0.2.10", CLI, readOnly=True)
# EC2 instance role activity
role = {"type": "AssumedRole", "principalId": "AROAEXAMPLEROLE00001:i-0a1b2c3d4e5f60718", "arn": f"arn:aws:sts::{ACCT}:assumed-role/web-server/i-0a1b2c3d4e5f60718", "accountId": ACCT, "accessKeyId": "ASIAEXAMPLEEC2KEY001",
        "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEROLE00001", "arn": f"arn:aws:iam::{ACCT}:role/web-server", "accountId": ACCT, "userName": "web-server"}, "attributes": {"creationDate": "2024-05-01T06:00:00Z", "mfaAuthenticated": "false"}, "ec2RoleDelivery": "2.0"}}
for i in range(30):
    base(ts(9, i, 40), "s3.amazonaws.com", "GetObject", "eu-north-1", role, "198.51.100.23", "[aws-sdk-go-v2/1.26.1]", readOnly=True, requestParameters={"bucketName": "site-assets", "key": f"img/{i}.png"})
# password spray from one IP against many users, then a success after repeated failures for bob
users = ["bob", "carol", "dave", "erin", "frank", "HIDDEN_DUE_TO_SECURITY_REASONS"]
for i, u in enumerate(users):
    login(ts(10, 1 + i), u, False, "203.0.113.50", ua=FIREFOX)
for i in range(5):
    login(ts(10, 10 + i, 30), "bob", False, "203.0.113.50", ua=FIREFOX)
login(ts(10, 17), "bob", True, "203.0.113.50", ua=FIREFOX)
# MFA failure after a correct password (IAM user)
login(ts(11, 30), "carol", False, "198.51.100.77", mfa="Yes")
# root brute force, then a root success and a password recovery
for i in range(6):
    login(ts(12, 0, 10 * i), None, False, "198.51.100.7", ident=ROOT)
login(ts(12, 3), None, True, "198.51.100.7", ident=ROOT)
base(ts(12, 4), "signin.amazonaws.com", "PasswordRecoveryRequested", "us-east-1", {"type": "Root", "principalId": ACCT, "arn": f"arn:aws:iam::{ACCT}:root", "accountId": ACCT}, "198.51.100.7", CHROME,
     eventType="AwsConsoleSignIn", responseElements={"PasswordRecoveryRequested": "Success"})
# console session minted from EC2 instance credentials
base(ts(13, 0), "signin.amazonaws.com", "GetSigninToken", "us-east-1", role, "203.0.113.99", "python-requests/2.31.0",
     eventType="AwsConsoleSignIn", responseElements={"credentials": {"accessKeyId": "ASIAEXAMPLEEC2KEY001"}, "GetSigninToken": "Success"}, additionalEventData={"MobileVersion": "No", "MFAUsed": "No"})
login(ts(13, 2), None, True, "203.0.113.99", ident=role)
# Identity Center: a wrong TOTP code after a correct password
ic = {"type": "Unknown", "principalId": ACCT, "arn": "", "accountId": ACCT, "accessKeyId": "", "userName": "dana"}
# (AWS's order: challenge, verification, next challenge, verification; UserAuthentication only at the end of a
# successful flow)
for i, (name, ctype, res) in enumerate([("CredentialChallenge", "PASSWORD", "Success"), ("CredentialVerification", "PASSWORD", "Success"),
                                        ("CredentialChallenge", "TOTP", "Success"), ("CredentialVerification", "TOTP", "Failure")]):
    kw = {"eventType": "AwsServiceEvent", "additionalEventData": {"AuthWorkflowID": "9f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "CredentialType": ctype},
          "serviceEventDetails": {name: res}}
    base(ts(14, 10, 7 * i), "signin.amazonaws.com", name, "us-east-1", ic, "192.0.2.44", CHROME, **kw)
def write(region, minute, evs, suffix=""):
    d = f"{root}/AWSLogs/{ACCT}/CloudTrail/{region}/2024/05/01"
    os.makedirs(d, exist_ok=True)
    stamp = minute.replace("-", "").replace(":", "")[:13] + "Z"
    rand = "".join(random.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(16))
    p = f"{d}/{ACCT}_CloudTrail_{region}_{stamp}_{rand}{suffix}.json.gz"
    body = json.dumps({"Records": evs}, separators=(",", ":")).encode()
    with open(p, "wb") as f:
        f.write(gzip.compress(body, mtime=0))
for (region, minute), evs in sorted(events.items()):
    random.shuffle(evs)  # CloudTrail does not order events within a file
    write(region, minute, evs)
# CloudTrail delivers some events twice
(region, minute), evs = sorted(events.items())[3]
write(region, minute, evs)
