package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"

	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/ratelimit"
)

// limitStorePasswordEnv holds the store's password when it is not in the
// URL (which shows in process lists).
const limitStorePasswordEnv = "ENRICH_LIMIT_STORE_PASSWORD"

// openLimitStore connects --limit-store and puts it in opts; the returned
// function closes it. Without --limit-store it does nothing.
func (c *config) openLimitStore(ctx context.Context, opts *pipeline.Options) (func(), error) {
	if c.limitStore == "" {
		return func() {}, nil
	}
	key := c.limitKey
	if key == "" {
		sum := sha256.Sum256([]byte(opts.Resume.Scope + "\x00" + opts.Prompt.Model))
		key = hex.EncodeToString(sum[:8])
	}
	s, err := ratelimit.Open(ctx, c.limitStore, ratelimit.Options{
		Key:      key,
		RPM:      c.rpm,
		TPM:      c.tpm,
		Password: os.Getenv(limitStorePasswordEnv),
		Share:    max(c.shard.Count, 1),
		Warn:     c.con.warn,
	})
	if err != nil {
		return func() {}, err
	}
	if c.rpm > 0 {
		opts.Limits.Shared = s
	}
	if c.tpm > 0 {
		opts.Limits.SharedTokens = s
	}
	return func() { s.Close() }, nil
}
