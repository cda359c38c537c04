//go:build !unix

package journal

import "os"

// lock is a no-op where flock is not available: two runs writing one
// journal there is on the user (give each its own --cache).
func lock(*os.File) error { return nil }
