package journal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// DefaultDir is the folder journals live under unless the user picks one:
// "enrich" in the user's cache folder (os.UserCacheDir, which honours
// XDG_CACHE_HOME), or in the temporary folder where there is none.
func DefaultDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "enrich")
}

// PathFor is the journal of a run that writes output from input, in the
// journals folder under dir ("" for DefaultDir). "-" stands for standard
// output or input.
//
// There is one journal per output file, so rerunning a command finds its
// answers whatever became of the input; a run writing to standard output
// has one per input file, and all runs from standard input to standard
// output share one. The name is the file's base name (made safe for a file
// name) and the first 12 hex digits of the SHA-256 of its absolute path,
// e.g. journals/out.csv-95aa8691d39d.jsonl for /data/out.csv. This naming
// must never change: it is how journals written by earlier versions of
// enrich are found.
func PathFor(dir, output, input string) (string, error) {
	if output == "" {
		return "", errors.New("journal: no output to name the journal after")
	}
	if dir == "" {
		dir = DefaultDir()
	}
	id, name := "stdout:stdin", "stdout"
	if output != "-" {
		abs, err := filepath.Abs(output)
		if err != nil {
			return "", err
		}
		id, name = abs, filepath.Base(output)
	} else if input != "-" {
		abs, err := filepath.Abs(input)
		if err != nil {
			return "", err
		}
		id, name = "stdout:"+abs, "stdout-"+filepath.Base(input)
	}
	sum := sha256.Sum256([]byte(id))
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' {
			return '_'
		}
		return r
	}, name)
	return filepath.Join(dir, "journals", name+"-"+hex.EncodeToString(sum[:6])+".jsonl"), nil
}
