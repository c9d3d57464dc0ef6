package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// apiTemplate is one kind of API call.
type apiTemplate struct {
	source, name string
	weight       int
	ro, data     bool
	global       bool // recorded in us-east-1 (IAM, global STS, CloudFront...)
	host         string
	errs         []string
	build        func(c *callCtx, e *ev)
}

type callCtx struct {
	g      *generator
	a      *account
	region string
	c      *caller
}

func (t *apiTemplate) hostFor(region string) string {
	if t.host != "" {
		return t.host
	}
	return strings.TrimSuffix(t.source, ".amazonaws.com") + "." + region + ".amazonaws.com"
}

type pool struct {
	ts []*apiTemplate
	w  weighted
}

func newPool(ts ...*apiTemplate) pool {
	ws := make([]int, len(ts))
	for i, t := range ts {
		ws[i] = t.weight
	}
	return pool{ts: ts, w: newWeighted(ws)}
}

func pickTemplate(r *rand.Rand, p pool) *apiTemplate { return p.ts[p.w.pick(r)] }

func (c *callCtx) r() *rand.Rand { return c.g.r }

func (c *callCtx) objectKey() string {
	r := c.r()
	return fmt.Sprintf("%s/%04d/%02d/%02d/%s.%s", pick(r, []string{"uploads", "exports", "raw", "processed", "tmp", "images", "reports"}),
		2026, 1+r.IntN(12), 1+r.IntN(28), hexStr(r, 12), pick(r, []string{"json", "parquet", "csv", "png", "gz", "pdf"}))
}

func (c *callCtx) kmsKeyArn() string {
	return "arn:aws:kms:" + c.region + ":" + c.a.id + ":key/" + pick(c.r(), c.a.kmsKeys)
}

// s3Data fills an S3 call on bucket (and key when not empty).
func (c *callCtx) s3Data(e *ev, bucket, key string, extra func(w *jw), out int) {
	r := c.r()
	host := bucket + ".s3." + c.region + ".amazonaws.com"
	e.host, e.requestIDStyle = host, 1
	e.req = func(w *jw) {
		w.ks("bucketName", bucket)
		w.ks("Host", host)
		if key != "" {
			w.ks("key", key)
		}
		if extra != nil {
			extra(w)
		}
	}
	e.addl = func(w *jw) {
		w.ks("SignatureVersion", "SigV4")
		w.ks("CipherSuite", "TLS_AES_128_GCM_SHA256")
		w.kn("bytesTransferredIn", 0)
		w.ks("AuthenticationMethod", "AuthHeader")
		w.ks("x-amz-id-2", randFrom(r, base64Set, 76))
		w.kn("bytesTransferredOut", int64(out))
	}
	e.resources = func(w *jw) {
		if key != "" {
			w.o()
			w.ks("type", "AWS::S3::Object")
			w.ks("ARN", "arn:aws:s3:::"+bucket+"/"+key)
			w.end()
		}
		w.o()
		w.ks("accountId", c.a.id)
		w.ks("type", "AWS::S3::Bucket")
		w.ks("ARN", "arn:aws:s3:::"+bucket)
		w.end()
	}
	if c.c.kind == akInstance || c.c.kind == akLambda {
		if chance(r, 0.4) {
			e.vpce = c.a.vpce
		}
	}
}

func (c *callCtx) resource(e *ev, typ, arn string) {
	acct := c.a.id
	e.resources = func(w *jw) {
		w.o()
		w.ks("accountId", acct)
		w.ks("type", typ)
		w.ks("ARN", arn)
		w.end()
	}
}

func (c *callCtx) kmsCall(e *ev, ctxKey, ctxVal string) {
	keyArn := c.kmsKeyArn()
	e.req = func(w *jw) {
		if e.name != "Decrypt" {
			w.ks("keyId", keyArn)
			w.ks("keySpec", "AES_256")
		}
		w.ks("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
		w.ko("encryptionContext")
		w.ks(ctxKey, ctxVal)
		w.end()
	}
	c.resource(e, "AWS::KMS::Key", keyArn)
	e.host = ""
	if c.c.kind != akService {
		svc := pick(c.r(), []string{"s3.amazonaws.com", "secretsmanager.amazonaws.com", "dynamodb.amazonaws.com", "AWS Internal", "ssm.amazonaws.com"})
		e.who.invokedBy = svc
		e.ip, e.ua = svc, svc
	}
}

// longToken imitates an STS session token.
func longToken(r *rand.Rand) string {
	return "IQoJb3JpZ2luX2Vj" + randFrom(r, base64Set, 600+r.IntN(300))
}

func (c *callCtx) assumeRole(e *ev, roleArn, session string) {
	r := c.r()
	key := accessKey(r, "ASIA", c.a.frag)
	roleID := uniqueID(r, "AROA", c.a.frag)
	e.req = func(w *jw) {
		w.ks("roleArn", roleArn)
		w.ks("roleSessionName", session)
		w.kn("durationSeconds", 3600)
	}
	e.resp = func(w *jw) {
		w.ko("credentials")
		w.ks("accessKeyId", key)
		w.ks("sessionToken", longToken(r))
		w.ks("expiration", c.g.now.Add(3600e9).Format("Jan 2, 2006, 3:04:05 PM"))
		w.end()
		w.ko("assumedRoleUser")
		w.ks("assumedRoleId", roleID+":"+session)
		w.ks("arn", strings.Replace(strings.Replace(roleArn, ":iam:", ":sts:", 1), ":role/", ":assumed-role/", 1)+"/"+session)
		w.end()
	}
	c.resource(e, "AWS::IAM::Role", roleArn)
}

func (c *callCtx) ec2Instance(w *jw) {
	r := c.r()
	a := c.a
	w.o()
	w.ks("instanceId", "i-0"+hexStr(r, 16))
	w.ks("imageId", "ami-0"+hexStr(r, 16))
	w.ko("instanceState")
	w.kn("code", 0)
	w.ks("name", "pending")
	w.end()
	w.ks("privateDnsName", "ip-10-0-"+fmt.Sprint(r.IntN(256))+"-"+fmt.Sprint(r.IntN(256))+"."+c.region+".compute.internal")
	w.kn("amiLaunchIndex", 0)
	w.ks("instanceType", pick(r, []string{"t3.micro", "t3.medium", "m6i.large", "c6g.xlarge", "r6i.2xlarge"}))
	w.kn("launchTime", c.g.now.UnixMilli())
	w.ko("placement")
	w.ks("availabilityZone", c.region+"a")
	w.ks("tenancy", "default")
	w.end()
	w.ko("monitoring")
	w.ks("state", "disabled")
	w.end()
	w.ks("subnetId", pick(r, a.subnets))
	w.ks("vpcId", a.vpc)
	w.ks("privateIpAddress", privateIP(r))
	w.ko("groupSet")
	w.ka("items")
	w.o()
	w.ks("groupId", pick(r, a.sgs))
	w.ks("groupName", "default")
	w.end()
	w.aend()
	w.end()
	w.ks("architecture", "x86_64")
	w.ks("rootDeviceType", "ebs")
	w.ks("rootDeviceName", "/dev/xvda")
	w.ks("virtualizationType", "hvm")
	w.ks("hypervisor", "xen")
	w.ko("metadataOptions")
	w.ks("state", "pending")
	w.ks("httpTokens", "required")
	w.kn("httpPutResponseHopLimit", 2)
	w.ks("httpEndpoint", "enabled")
	w.end()
	w.end()
}

// instanceID returns the caller's own instance, or one of the account's.
func (c *callCtx) instanceID() string {
	if p := c.c.who.p; p != nil && p.instanceID != "" {
		return p.instanceID
	}
	return pick(c.r(), c.a.instances).instanceID
}

// roleName returns a workload role name of the account.
func (c *callCtx) roleArn() string {
	a := c.a
	return "arn:aws:iam::" + a.id + ":role/" + pick(c.r(), a.apps).name
}

func strParams(kv ...string) func(w *jw) {
	return func(w *jw) {
		for i := 0; i+1 < len(kv); i += 2 {
			w.ks(kv[i], kv[i+1])
		}
	}
}
