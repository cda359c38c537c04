package readers

import (
	"flag"
	"os"
	"testing"
)

// TestMain caps how long go test -fuzz minimises each new input, unless
// -fuzzminimizetime is given. Its default, up to 60 s per input, suits
// targets with small, fast inputs; an xlsx input is a few KB of zip that
// takes about a millisecond to read, so a 10 s run of FuzzXLSX, as in CI,
// spent all its time minimising its first find and fuzzed about ten
// inputs. Capped at 100 tries per input, it fuzzes thousands.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.fuzzminimizetime" })
	if !set {
		if err := flag.Set("test.fuzzminimizetime", "100x"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
