package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// s3Client is an S3 client for one region.
type s3Client struct {
	c      *s3.Client
	cfg    aws.Config
	region string
	opts   func(*s3.Options)
}

// inRegion returns a client like c for another region.
func (c *s3Client) inRegion(region string) *s3Client {
	cfg := c.cfg.Copy()
	cfg.Region = region
	return &s3Client{c: s3.NewFromConfig(cfg, c.opts), cfg: cfg, region: region, opts: c.opts}
}

// bucketRegion returns the region S3 names in a wrong-region error
// (301 PermanentRedirect with X-Amz-Bucket-Region), or "".
func bucketRegion(err error) string {
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil {
		return ""
	}
	return re.Response.Header.Get("X-Amz-Bucket-Region")
}

// client builds the S3 client once per Walk: the default credential chain,
// the region from Options or the chain (us-east-1 when none), and
// path-style addressing when an endpoint override is set.
func (w *walker) client(ctx context.Context) (*s3Client, error) {
	if w.s3c != nil {
		return w.s3c, nil
	}
	var opts []func(*config.LoadOptions) error
	if w.opt.S3Region != "" {
		opts = append(opts, config.WithRegion(w.opt.S3Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	s3opts := func(o *s3.Options) {
		// S3-compatible servers often send no checksum: do not log it per object.
		o.DisableLogOutputChecksumValidationSkipped = true
		if w.opt.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(w.opt.S3Endpoint)
			o.UsePathStyle = true
		}
	}
	w.s3c = &s3Client{c: s3.NewFromConfig(cfg, s3opts), cfg: cfg, region: cfg.Region, opts: s3opts}
	return w.s3c, nil
}

// s3 walks s3://bucket/prefix. Without a time range or accounts it lists
// the prefix flat; with them it descends folder by folder (delimiter "/")
// and lists only the folders the key layout allows.
func (w *walker) s3(ctx context.Context, url string) error {
	rest := strings.TrimPrefix(url, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		w.skip(url, "no bucket in S3 URL")
		return nil
	}
	c, err := w.client(ctx)
	if err != nil {
		return err
	}
	b := &bucketWalk{w: w, c: c, bucket: bucket}
	if !w.filter.active() {
		return b.list(ctx, prefix, "", false)
	}
	facts := parseKey(prefix, true)
	if ok, why := w.filter.keep(facts); !ok {
		w.prune(url, why)
		return nil
	}
	if facts.dateDepth == 3 && strings.HasSuffix(prefix, "/") && facts.dateEnd == len(strings.Split(strings.Trim(prefix, "/"), "/")) {
		return b.list(ctx, prefix, w.filter.startAfter(prefix, facts), true)
	}
	return b.descend(ctx, prefix)
}

type bucketWalk struct {
	w      *walker
	c      *s3Client
	bucket string
}

func (b *bucketWalk) url(key string) string { return "s3://" + b.bucket + "/" + key }

// descend lists one folder level and recurses into the folders the filter
// keeps; a day folder (or, with only accounts selected, an account's
// folder) is listed flat.
func (b *bucketWalk) descend(ctx context.Context, prefix string) error {
	return b.pages(ctx, prefix, "/", "", func(key string, size int64, isPrefix bool) (bool, error) {
		if !isPrefix {
			return true, b.object(key, size)
		}
		facts := parseKey(key, true)
		if ok, why := b.w.filter.keep(facts); !ok {
			b.w.prune(b.url(key), why)
			return true, nil
		}
		switch {
		case facts.dateDepth == 3:
			return true, b.list(ctx, key, b.w.filter.startAfter(key, facts), true)
		case !b.w.filter.timed() && facts.account != "":
			return true, b.list(ctx, key, "", false)
		}
		return true, b.descend(ctx, key)
	})
}

// list lists everything under prefix. In a day folder whose files are
// named by delivery time (day is true), listing stops at the first file
// delivered too late for the time range.
func (b *bucketWalk) list(ctx context.Context, prefix, startAfter string, day bool) error {
	return b.pages(ctx, prefix, "", startAfter, func(key string, size int64, _ bool) (bool, error) {
		if day {
			f := parseKey(key, false)
			if f.isCloudFile && b.w.filter.pastUntil(f.delivered) && strings.HasPrefix(key[len(prefix):], f.account+"_CloudTrail_") {
				return false, nil
			}
		}
		return true, b.object(key, size)
	})
}

// object makes an input of one object, unless its key prunes it.
func (b *bucketWalk) object(key string, size int64) error {
	if strings.HasSuffix(key, "/") {
		return nil // a folder marker
	}
	name := b.url(key)
	if ok, why := b.w.filter.keepKey(key, false); !ok {
		b.w.prune(name, why)
		return nil
	}
	c, bucket := b.c, b.bucket
	return b.w.fn(Input{Name: name, Size: size, Open: func(ctx context.Context) (io.ReadCloser, error) {
		out, err := c.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", name, err)
		}
		return out.Body, nil
	}})
}

// pages runs ListObjectsV2 over all pages, calling fn for objects and
// common prefixes merged in key order, until fn returns false or an error.
func (b *bucketWalk) pages(ctx context.Context, prefix, delim, startAfter string, fn func(key string, size int64, isPrefix bool) (bool, error)) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket), Prefix: aws.String(prefix)}
	if delim != "" {
		in.Delimiter = aws.String(delim)
	}
	if startAfter != "" {
		in.StartAfter = aws.String(startAfter)
	}
	p := s3.NewListObjectsV2Paginator(b.c.c, in)
	for first := true; p.HasMorePages(); first = false {
		out, err := p.NextPage(ctx)
		if r := bucketRegion(err); err != nil && first && r != "" && r != b.c.region {
			// The bucket lives in another region: follow S3's answer once
			// (the loop's post statement clears first).
			b.c = b.c.inRegion(r)
			p = s3.NewListObjectsV2Paginator(b.c.c, in)
			continue
		}
		if err != nil {
			return fmt.Errorf("list %s: %w", b.url(prefix), err)
		}
		objs, cps := out.Contents, out.CommonPrefixes
		for len(objs) > 0 || len(cps) > 0 {
			var key string
			var size int64
			isPrefix := len(objs) == 0 || (len(cps) > 0 && aws.ToString(cps[0].Prefix) < aws.ToString(objs[0].Key))
			if isPrefix {
				key, cps = aws.ToString(cps[0].Prefix), cps[1:]
			} else {
				key, size, objs = aws.ToString(objs[0].Key), aws.ToInt64(objs[0].Size), objs[1:]
			}
			more, err := fn(key, size, isPrefix)
			if err != nil || !more {
				return err
			}
		}
	}
	return nil
}
