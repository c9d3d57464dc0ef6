//go:build tools

package internal

import (
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/klauspost/compress/gzip"
	_ "go.yaml.in/yaml/v3"
)
