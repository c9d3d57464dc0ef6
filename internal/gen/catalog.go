package gen

import (
	"fmt"
	"strings"
)

// The catalog of ordinary API calls, grouped by who typically makes them.
// Weights are relative within a pool and follow what busy trails show: S3,
// KMS, STS, EC2 and SSM dominate.

var (
	tGetObject = &apiTemplate{source: "s3.amazonaws.com", name: "GetObject", weight: 120, ro: true, data: true, errs: []string{"NoSuchKey"},
		build: func(c *callCtx, e *ev) {
			c.s3Data(e, pick(c.r(), c.a.buckets), c.objectKey(), nil, 200+c.r().IntN(900000))
		}}
	tPutObject = &apiTemplate{source: "s3.amazonaws.com", name: "PutObject", weight: 60, data: true,
		build: func(c *callCtx, e *ev) {
			c.s3Data(e, pick(c.r(), c.a.buckets), c.objectKey(), func(w *jw) {
				w.ks("x-amz-server-side-encryption", "aws:kms")
				w.ks("x-amz-server-side-encryption-aws-kms-key-id", c.kmsKeyArn())
			}, 0)
			etag := hexStr(c.r(), 32)
			e.resp = func(w *jw) {
				w.ks("x-amz-server-side-encryption", "aws:kms")
				w.ks("x-amz-server-side-encryption-aws-kms-key-id", c.kmsKeyArn())
				w.ks("x-amz-version-id", randFrom(c.r(), mixedAlnum+"._", 32))
				w.ks("ETag", etag)
			}
		}}
	tHeadObject = &apiTemplate{source: "s3.amazonaws.com", name: "HeadObject", weight: 40, ro: true, data: true, errs: []string{"NoSuchKey"},
		build: func(c *callCtx, e *ev) { c.s3Data(e, pick(c.r(), c.a.buckets), c.objectKey(), nil, 0) }}
	tListObjects = &apiTemplate{source: "s3.amazonaws.com", name: "ListObjects", weight: 30, ro: true, data: true,
		build: func(c *callCtx, e *ev) {
			c.s3Data(e, pick(c.r(), c.a.buckets), "", strParams("list-type", "2", "prefix", pick(c.r(), []string{"uploads/", "exports/2026/", "raw/", ""}), "encoding-type", "url", "max-keys", "1000"), 1000+c.r().IntN(40000))
		}}
	tDecrypt = &apiTemplate{source: "kms.amazonaws.com", name: "Decrypt", weight: 70, ro: true,
		build: func(c *callCtx, e *ev) {
			c.kmsCall(e, "aws:s3:arn", "arn:aws:s3:::"+pick(c.r(), c.a.buckets)+"/"+c.objectKey())
		}}
	tGenerateDataKey = &apiTemplate{source: "kms.amazonaws.com", name: "GenerateDataKey", weight: 40, ro: true,
		build: func(c *callCtx, e *ev) {
			c.kmsCall(e, "aws:dynamodb:tableName", pick(c.r(), c.a.tables))
		}}
	tGetCallerIdentity = &apiTemplate{source: "sts.amazonaws.com", name: "GetCallerIdentity", weight: 25, ro: true, global: true, host: "sts.amazonaws.com",
		build: func(c *callCtx, e *ev) {}}
	tAssumeRole = &apiTemplate{source: "sts.amazonaws.com", name: "AssumeRole", weight: 15, ro: true,
		build: func(c *callCtx, e *ev) {
			c.assumeRole(e, c.roleArn(), pick(c.r(), []string{"botocore-session-", "aws-go-sdk-"})+fmt.Sprint(1700000000000+c.r().Int64N(99999999999)))
		}}
	tUpdateInstanceInformation = &apiTemplate{source: "ssm.amazonaws.com", name: "UpdateInstanceInformation", weight: 60,
		build: func(c *callCtx, e *ev) {
			id := c.instanceID()
			e.req = func(w *jw) {
				w.ks("instanceId", id)
				w.ks("agentVersion", fmt.Sprintf("3.3.%d.0", 100+c.r().IntN(900)))
				w.ks("agentName", "amazon-ssm-agent")
				w.ks("platformType", "Linux")
				w.ks("platformName", "Amazon Linux")
				w.ks("platformVersion", "2023")
				w.ks("iPAddress", "10.0."+fmt.Sprint(int(id[3])%256)+"."+fmt.Sprint(int(id[4])))
				w.ks("computerName", "ip-10-0-"+fmt.Sprint(int(id[3])%256)+"-"+fmt.Sprint(int(id[4]))+"."+c.region+".compute.internal")
				w.ks("agentStatus", "Active")
				w.ks("availabilityZone", c.region+"b")
				w.ks("availabilityZoneId", "use1-az4")
			}
		}}
	tListInstanceAssociations = &apiTemplate{source: "ssm.amazonaws.com", name: "ListInstanceAssociations", weight: 30, ro: true,
		build: func(c *callCtx, e *ev) {
			id := c.instanceID()
			e.req = func(w *jw) { w.ks("instanceId", id); w.kn("maxResults", 20) }
		}}
	tGetParameters = &apiTemplate{source: "ssm.amazonaws.com", name: "GetParameters", weight: 25, ro: true, errs: []string{"ParameterNotFound"},
		build: func(c *callCtx, e *ev) {
			names := []string{"/" + c.a.alias + "/config/" + pick(c.r(), appRoleNames), "/" + c.a.alias + "/feature-flags"}
			e.req = func(w *jw) {
				w.ka("names")
				for _, n := range names {
					w.s(n)
				}
				w.aend()
				w.kb("withDecryption", true)
			}
			e.resources = func(w *jw) {
				for _, n := range names {
					w.o()
					w.ks("accountId", c.a.id)
					w.ks("ARN", "arn:aws:ssm:"+c.region+":"+c.a.id+":parameter"+n)
					w.end()
				}
			}
		}}
	tDescribeTags = &apiTemplate{source: "ec2.amazonaws.com", name: "DescribeTags", weight: 20, ro: true,
		build: func(c *callCtx, e *ev) {
			id := c.instanceID()
			e.req = func(w *jw) {
				w.ko("filterSet")
				w.ka("items")
				w.o()
				w.ks("name", "resource-id")
				w.ko("valueSet")
				w.ka("items")
				w.o()
				w.ks("value", id)
				w.end()
				w.aend()
				w.end()
				w.end()
				w.aend()
				w.end()
			}
		}}
	tDescribeInstances = &apiTemplate{source: "ec2.amazonaws.com", name: "DescribeInstances", weight: 40, ro: true,
		build: func(c *callCtx, e *ev) {
			n := 1 + c.r().IntN(3)
			ids := make([]string, n)
			for i := range ids {
				ids[i] = c.instanceID()
			}
			e.req = func(w *jw) {
				w.ko("instancesSet")
				w.ka("items")
				for _, id := range ids {
					w.o()
					w.ks("instanceId", id)
					w.end()
				}
				w.aend()
				w.end()
				w.kempty("filterSet")
				w.kb("includeAllInstances", false)
			}
		}}
	tCreateLogStream = &apiTemplate{source: "logs.amazonaws.com", name: "CreateLogStream", weight: 25, errs: []string{"ResourceAlreadyExistsException"},
		build: func(c *callCtx, e *ev) {
			e.req = strParams("logGroupName", "/aws/"+pick(c.r(), []string{"lambda/", "ecs/", "app/"})+pick(c.r(), c.a.functions), "logStreamName", "2026/10/01/[$LATEST]"+hexStr(c.r(), 32))
		}}
	tGetItem = &apiTemplate{source: "dynamodb.amazonaws.com", name: "GetItem", weight: 30, ro: true, data: true,
		build: func(c *callCtx, e *ev) {
			tbl := pick(c.r(), c.a.tables)
			e.req = func(w *jw) {
				w.ks("tableName", tbl)
				w.ko("key")
				w.ks("pk", "HIDDEN_DUE_TO_SECURITY_REASONS")
				w.end()
				w.kb("consistentRead", false)
				w.ks("returnConsumedCapacity", "NONE")
			}
			c.resource(e, "AWS::DynamoDB::Table", "arn:aws:dynamodb:"+c.region+":"+c.a.id+":table/"+tbl)
		}}
	tQuery = &apiTemplate{source: "dynamodb.amazonaws.com", name: "Query", weight: 20, ro: true, data: true,
		build: func(c *callCtx, e *ev) {
			tbl := pick(c.r(), c.a.tables)
			e.req = func(w *jw) {
				w.ks("tableName", tbl)
				w.ks("indexName", "gsi1")
				w.ks("keyConditionExpression", "#pk = :pk AND begins_with(#sk, :sk)")
				w.ko("expressionAttributeNames")
				w.ks("#pk", "gsi1pk")
				w.ks("#sk", "gsi1sk")
				w.end()
				w.kn("limit", 100)
			}
			c.resource(e, "AWS::DynamoDB::Table", "arn:aws:dynamodb:"+c.region+":"+c.a.id+":table/"+tbl)
		}}
	tSendMessage = &apiTemplate{source: "sqs.amazonaws.com", name: "SendMessage", weight: 15, data: true,
		build: func(c *callCtx, e *ev) {
			q := "https://sqs." + c.region + ".amazonaws.com/" + c.a.id + "/" + pick(c.r(), c.a.queues)
			e.req = strParams("queueUrl", q)
			id := uuid(c.r())
			md5 := hexStr(c.r(), 32)
			e.resp = strParams("mD5OfMessageBody", md5, "messageId", id)
		}}
	tGetSecretValue = &apiTemplate{source: "secretsmanager.amazonaws.com", name: "GetSecretValue", weight: 15, ro: true, errs: []string{"ResourceNotFoundException"},
		build: func(c *callCtx, e *ev) {
			arn := "arn:aws:secretsmanager:" + c.region + ":" + c.a.id + ":secret:" + pick(c.r(), c.a.secrets) + "-" + randFrom(c.r(), mixedAlnum, 6)
			e.req = strParams("secretId", arn)
			c.resource(e, "AWS::SecretsManager::Secret", arn)
		}}
	tGetAuthorizationToken = &apiTemplate{source: "ecr.amazonaws.com", name: "GetAuthorizationToken", weight: 10, ro: true, host: "api.ecr.us-east-1.amazonaws.com",
		build: func(c *callCtx, e *ev) {
			e.host = "api.ecr." + c.region + ".amazonaws.com"
			e.req = func(w *jw) { w.ka("registryIds"); w.s(c.a.id); w.aend() }
		}}
	tInvoke = &apiTemplate{source: "lambda.amazonaws.com", name: "Invoke", weight: 15, data: true,
		build: func(c *callCtx, e *ev) {
			fn := "arn:aws:lambda:" + c.region + ":" + c.a.id + ":function:" + pick(c.r(), c.a.functions)
			e.req = strParams("functionName", fn, "invocationType", pick(c.r(), []string{"RequestResponse", "Event"}))
			c.resource(e, "AWS::Lambda::Function", fn)
		}}
	tGetMetricData = &apiTemplate{source: "monitoring.amazonaws.com", name: "GetMetricData", weight: 10, ro: true,
		build: func(c *callCtx, e *ev) {
			e.req = func(w *jw) {
				w.ka("metricDataQueries")
				for i := 0; i < 2; i++ {
					w.o()
					w.ks("id", fmt.Sprintf("m%d", i))
					w.ko("metricStat")
					w.ko("metric")
					w.ks("namespace", pick(c.r(), []string{"AWS/EC2", "AWS/Lambda", "AWS/SQS", "AWS/DynamoDB"}))
					w.ks("metricName", pick(c.r(), []string{"CPUUtilization", "Invocations", "Errors", "ConsumedReadCapacityUnits"}))
					w.end()
					w.kn("period", 300)
					w.ks("stat", "Average")
					w.end()
					w.end()
				}
				w.aend()
				w.ks("startTime", c.g.now.Add(-3*3600e9).UTC().Format("Jan 2, 2006, 3:04:05 PM"))
				w.ks("endTime", c.g.now.UTC().Format("Jan 2, 2006, 3:04:05 PM"))
			}
		}}
)

var (
	tDescribeSecurityGroups = &apiTemplate{source: "ec2.amazonaws.com", name: "DescribeSecurityGroups", weight: 15, ro: true,
		build: func(c *callCtx, e *ev) {
			e.req = func(w *jw) {
				w.kempty("securityGroupSet")
				w.kempty("securityGroupIdSet")
				w.ko("filterSet")
				w.ka("items")
				w.o()
				w.ks("name", "vpc-id")
				w.ko("valueSet")
				w.ka("items")
				w.o()
				w.ks("value", c.a.vpc)
				w.end()
				w.aend()
				w.end()
				w.end()
				w.aend()
				w.end()
			}
		}}
	tRunInstances = &apiTemplate{source: "ec2.amazonaws.com", name: "RunInstances", weight: 4,
		build: func(c *callCtx, e *ev) {
			r := c.r()
			e.req = func(w *jw) {
				w.ko("instancesSet")
				w.ka("items")
				w.o()
				w.ks("imageId", "ami-0"+hexStr(r, 16))
				w.kn("minCount", 1)
				w.kn("maxCount", 1)
				w.end()
				w.aend()
				w.end()
				w.ks("instanceType", pick(r, []string{"t3.micro", "t3.medium", "m6i.large"}))
				w.ko("blockDeviceMapping")
				w.end()
				w.ks("subnetId", pick(r, c.a.subnets))
				w.ko("iamInstanceProfile")
				w.ks("name", pick(r, c.a.instances).name)
				w.end()
				w.ks("clientToken", uuid(r))
			}
			e.resp = func(w *jw) {
				w.ks("requestId", uuid(r))
				w.ks("reservationId", "r-0"+hexStr(r, 16))
				w.ks("ownerId", c.a.id)
				w.kempty("groupSet")
				w.ko("instancesSet")
				w.ka("items")
				c.ec2Instance(w)
				w.aend()
				w.end()
			}
		}}
	tCreateTags = &apiTemplate{source: "ec2.amazonaws.com", name: "CreateTags", weight: 6,
		build: func(c *callCtx, e *ev) {
			id := c.instanceID()
			e.req = func(w *jw) {
				w.ko("resourcesSet")
				w.ka("items")
				w.o()
				w.ks("resourceId", id)
				w.end()
				w.aend()
				w.end()
				w.ko("tagSet")
				w.ka("items")
				for _, kv := range [][2]string{{"team", pick(c.r(), appRoleNames)}, {"env", c.a.alias}, {"owner", pick(c.r(), firstNames)}} {
					w.o()
					w.ks("key", kv[0])
					w.ks("value", kv[1])
					w.end()
				}
				w.aend()
				w.end()
			}
			e.resp = func(w *jw) { w.ks("requestId", uuid(c.r())); w.kb("_return", true) }
		}}
	tListBuckets = &apiTemplate{source: "s3.amazonaws.com", name: "ListBuckets", weight: 8, ro: true,
		build: func(c *callCtx, e *ev) {
			host := "s3." + c.region + ".amazonaws.com"
			e.host, e.requestIDStyle = host, 1
			e.req = strParams("Host", host)
		}}
	tGetBucketPolicy = &apiTemplate{source: "s3.amazonaws.com", name: "GetBucketPolicy", weight: 6, ro: true, errs: []string{"NoSuchBucketPolicy"},
		build: func(c *callCtx, e *ev) {
			c.s3Data(e, pick(c.r(), c.a.buckets), "", strParams("policy", ""), 0)
			e.addl = nil
		}}
	tGetBucketEncryption = &apiTemplate{source: "s3.amazonaws.com", name: "GetBucketEncryption", weight: 5, ro: true, errs: []string{"ServerSideEncryptionConfigurationNotFoundError"},
		build: func(c *callCtx, e *ev) {
			c.s3Data(e, pick(c.r(), c.a.buckets), "", strParams("encryption", ""), 0)
		}}
	tGetRole = &apiTemplate{source: "iam.amazonaws.com", name: "GetRole", weight: 8, ro: true, global: true, host: "iam.amazonaws.com", errs: []string{"NoSuchEntityException"},
		build: func(c *callCtx, e *ev) { e.req = strParams("roleName", pick(c.r(), c.a.apps).name) }}
	tListRoles = &apiTemplate{source: "iam.amazonaws.com", name: "ListRoles", weight: 4, ro: true, global: true, host: "iam.amazonaws.com",
		build: func(c *callCtx, e *ev) {}}
	tListAttachedRolePolicies = &apiTemplate{source: "iam.amazonaws.com", name: "ListAttachedRolePolicies", weight: 5, ro: true, global: true, host: "iam.amazonaws.com",
		build: func(c *callCtx, e *ev) { e.req = strParams("roleName", pick(c.r(), c.a.apps).name) }}
	tGetAccountSummary = &apiTemplate{source: "iam.amazonaws.com", name: "GetAccountSummary", weight: 2, ro: true, global: true, host: "iam.amazonaws.com",
		build: func(c *callCtx, e *ev) {}}
	tLookupEvents = &apiTemplate{source: "cloudtrail.amazonaws.com", name: "LookupEvents", weight: 6, ro: true,
		build: func(c *callCtx, e *ev) {
			e.req = func(w *jw) {
				w.kn("maxResults", 50)
				w.ka("lookupAttributes")
				w.o()
				w.ks("attributeKey", "ReadOnly")
				w.ks("attributeValue", "false")
				w.end()
				w.aend()
			}
		}}
	tDescribeTrails = &apiTemplate{source: "cloudtrail.amazonaws.com", name: "DescribeTrails", weight: 3, ro: true,
		build: func(c *callCtx, e *ev) { e.req = func(w *jw) { w.kb("includeShadowTrails", false) } }}
	tListFunctions = &apiTemplate{source: "lambda.amazonaws.com", name: "ListFunctions20150331", weight: 6, ro: true,
		build: func(c *callCtx, e *ev) {}}
	tGetFunction = &apiTemplate{source: "lambda.amazonaws.com", name: "GetFunction20150331v2", weight: 4, ro: true, errs: []string{"ResourceNotFoundException"},
		build: func(c *callCtx, e *ev) { e.req = strParams("functionName", pick(c.r(), c.a.functions)) }}
	tUpdateFunctionCode = &apiTemplate{source: "lambda.amazonaws.com", name: "UpdateFunctionCode20150331v2", weight: 2,
		build: func(c *callCtx, e *ev) {
			fn := pick(c.r(), c.a.functions)
			arn := "arn:aws:lambda:" + c.region + ":" + c.a.id + ":function:" + fn
			e.req = func(w *jw) {
				w.ks("functionName", fn)
				w.ks("s3Bucket", pick(c.r(), c.a.buckets))
				w.ks("s3Key", "builds/"+fn+"/"+hexStr(c.r(), 40)+".zip")
				w.kb("publish", true)
			}
			e.resp = func(w *jw) {
				w.ks("functionName", fn)
				w.ks("functionArn", arn)
				w.ks("runtime", pick(c.r(), []string{"python3.12", "nodejs20.x", "provided.al2023"}))
				w.ks("role", c.roleArn())
				w.ks("handler", "main.handler")
				w.kn("codeSize", int64(100000+c.r().IntN(5000000)))
				w.kn("timeout", 30)
				w.kn("memorySize", 512)
				w.ks("codeSha256", randFrom(c.r(), base64Set, 43)+"=")
				w.ks("version", fmt.Sprint(1+c.r().IntN(200)))
				w.ks("state", "Active")
				w.ks("lastUpdateStatus", "InProgress")
				w.ka("architectures")
				w.s("x86_64")
				w.aend()
			}
		}}
	tDescribeLogGroups = &apiTemplate{source: "logs.amazonaws.com", name: "DescribeLogGroups", weight: 6, ro: true,
		build: func(c *callCtx, e *ev) { e.req = strParams("logGroupNamePrefix", "/aws/lambda/") }}
	tFilterLogEvents = &apiTemplate{source: "logs.amazonaws.com", name: "FilterLogEvents", weight: 5, ro: true,
		build: func(c *callCtx, e *ev) {
			e.req = func(w *jw) {
				w.ks("logGroupName", "/aws/lambda/"+pick(c.r(), c.a.functions))
				w.kn("startTime", c.g.now.Add(-3600e9).UnixMilli())
				w.ks("filterPattern", pick(c.r(), []string{"ERROR", "?Exception ?Timeout", "{ $.level = \"error\" }"}))
				w.kb("interleaved", true)
			}
		}}
	tDescribeStacks = &apiTemplate{source: "cloudformation.amazonaws.com", name: "DescribeStacks", weight: 5, ro: true,
		build: func(c *callCtx, e *ev) {
			e.req = strParams("stackName", "arn:aws:cloudformation:"+c.region+":"+c.a.id+":stack/"+pick(c.r(), appRoleNames)+"/"+uuid(c.r()))
		}}
	tDescribeTable = &apiTemplate{source: "dynamodb.amazonaws.com", name: "DescribeTable", weight: 5, ro: true,
		build: func(c *callCtx, e *ev) {
			tbl := pick(c.r(), c.a.tables)
			e.req = strParams("tableName", tbl)
			c.resource(e, "AWS::DynamoDB::Table", "arn:aws:dynamodb:"+c.region+":"+c.a.id+":table/"+tbl)
		}}
	tDescribeDBInstances = &apiTemplate{source: "rds.amazonaws.com", name: "DescribeDBInstances", weight: 4, ro: true,
		build: func(c *callCtx, e *ev) {}}
	tDescribeAlarms = &apiTemplate{source: "monitoring.amazonaws.com", name: "DescribeAlarms", weight: 4, ro: true,
		build: func(c *callCtx, e *ev) { e.req = func(w *jw) { w.kn("maxRecords", 100) } }}
	tDescribeLoadBalancers = &apiTemplate{source: "elasticloadbalancing.amazonaws.com", name: "DescribeLoadBalancers", weight: 3, ro: true,
		build: func(c *callCtx, e *ev) { e.req = func(w *jw) { w.kn("pageSize", 400) } }}
	tGetCostAndUsage = &apiTemplate{source: "ce.amazonaws.com", name: "GetCostAndUsage", weight: 1, ro: true, global: true, host: "ce.us-east-1.amazonaws.com",
		build: func(c *callCtx, e *ev) {
			e.req = func(w *jw) {
				w.ko("timePeriod")
				w.ks("start", "2026-09-01")
				w.ks("end", "2026-10-01")
				w.end()
				w.ks("granularity", "DAILY")
				w.ka("metrics")
				w.s("UnblendedCost")
				w.aend()
			}
		}}
	tPutParameter = &apiTemplate{source: "ssm.amazonaws.com", name: "PutParameter", weight: 2,
		build: func(c *callCtx, e *ev) {
			e.req = func(w *jw) {
				w.ks("name", "/"+c.a.alias+"/config/"+pick(c.r(), appRoleNames))
				w.ks("type", "SecureString")
				w.ks("value", "HIDDEN_DUE_TO_SECURITY_REASONS")
				w.kb("overwrite", true)
			}
			e.resp = func(w *jw) { w.kn("version", int64(1+c.r().IntN(40))); w.ks("tier", "Standard") }
		}}
)

// service-principal calls: AWS services acting on the account's behalf.
var (
	tServiceAssumeRole = &apiTemplate{source: "sts.amazonaws.com", name: "AssumeRole", weight: 30, ro: true,
		build: func(c *callCtx, e *ev) {
			svc := c.c.who.invokedBy
			role := "arn:aws:iam::" + c.a.id + ":role/aws-service-role/" + svc + "/AWSServiceRoleFor" + title(strings.SplitN(svc, ".", 2)[0])
			if svc == "ec2.amazonaws.com" {
				role = "arn:aws:iam::" + c.a.id + ":role/" + pick(c.r(), c.a.instances).name
			}
			c.assumeRole(e, role, pick(c.r(), []string{pick(c.r(), c.a.instances).instanceID, "AWSConfig-Describe", "AWSBackup-" + c.a.alias, "MandoService-" + fmt.Sprint(c.r().Int64N(1e18))}))
		}}
	tServiceGetBucketAcl = &apiTemplate{source: "s3.amazonaws.com", name: "GetBucketAcl", weight: 20, ro: true,
		build: func(c *callCtx, e *ev) {
			c.s3Data(e, pick(c.r(), c.a.buckets), "", strParams("acl", ""), 600)
			e.host = ""
		}}
	tServiceKMS = &apiTemplate{source: "kms.amazonaws.com", name: "GenerateDataKey", weight: 25, ro: true,
		build: func(c *callCtx, e *ev) {
			c.kmsCall(e, "aws:cloudtrail:arn", "arn:aws:cloudtrail:us-east-1:"+c.a.id+":trail/org-trail")
		}}
	tServiceDecrypt = &apiTemplate{source: "kms.amazonaws.com", name: "Decrypt", weight: 20, ro: true,
		build: func(c *callCtx, e *ev) {
			c.kmsCall(e, "aws:lambda:FunctionArn", "arn:aws:lambda:"+c.region+":"+c.a.id+":function:"+pick(c.r(), c.a.functions))
		}}
)

var (
	workloadPool = newPool(tGetObject, tPutObject, tHeadObject, tListObjects, tDecrypt, tGenerateDataKey,
		tGetCallerIdentity, tAssumeRole, tUpdateInstanceInformation, tListInstanceAssociations, tGetParameters,
		tDescribeTags, tDescribeInstances, tCreateLogStream, tGetItem, tQuery, tSendMessage, tGetSecretValue,
		tGetAuthorizationToken, tInvoke, tGetMetricData)
	humanPool = newPool(tDescribeInstances, tDescribeSecurityGroups, tRunInstances, tCreateTags, tListBuckets,
		tGetBucketPolicy, tGetBucketEncryption, tListObjects, tGetObject, tPutObject, tGetRole, tListRoles,
		tListAttachedRolePolicies, tGetAccountSummary, tLookupEvents, tDescribeTrails, tListFunctions, tGetFunction,
		tUpdateFunctionCode, tDescribeLogGroups, tFilterLogEvents, tDescribeStacks, tDescribeTable,
		tDescribeDBInstances, tDescribeAlarms, tDescribeLoadBalancers, tGetCostAndUsage, tPutParameter,
		tGetCallerIdentity, tGetMetricData, tGetParameters)
	servicePool = newPool(tServiceAssumeRole, tServiceGetBucketAcl, tServiceKMS, tServiceDecrypt)
)
