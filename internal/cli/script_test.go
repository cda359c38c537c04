package cli

// The command's behaviour, as transcripts: every testdata/script/*.txtar
// is a testscript (github.com/rogpeppe/go-internal/testscript) run in a
// folder of its own, $WORK, in parallel with the others.
//
//	go test ./internal/cli -run TestScripts                  all of them
//	go test ./internal/cli -run TestScripts/usage            one: usage.txtar
//	go test ./internal/cli -run TestScripts -update          rewrite, inside the txtar, each
//	                                                         file a failing cmp compares with
//	go test ./internal/cli -run TestScripts/usage -testwork  keep $WORK to look at
//
// -update rewrites only cmp's goldens (OUTPUT files, stdout), never a
// stdout or stderr pattern; read the diff before committing it.
//
// Every script starts with
//
//	examples/        a copy of the repository's examples/
//	OPENAI_BASE_URL  its own internal/fakeprovider, answering "echo: " + the prompt
//	                 after 1ms, so that with -j N answers can come back out of order
//	OPENAI_API_KEY   sk-test-SECRET
//	XDG_CACHE_HOME   $WORK/.cache, so that journals stay in $WORK
//
// and has these commands besides testscript's own (exec, stdout, stderr,
// cmp, exists, env, stdin, …):
//
//	enrich ARGS…       runs the command: this test binary, re-executed as
//	                   enrich. It must exit 0; with !, it must not, and the
//	                   script must then say which status with a status line.
//	                   Whatever the status, SECRET on stdout or stderr, or
//	                   a panic, goroutine dump or data race report on
//	                   stderr, fails the script.
//	status N           the last enrich exited N: 0 every row answered,
//	                   1 fatal, 2 usage, 3 finished with failed rows.
//	requests N         the fake provider has received N requests so far.
//	fault PROMPT F     from now on the provider answers the prompt PROMPT
//	                   ('*': every prompt) with fault F, one of the names in
//	                   scriptFaults (400, 401, 500, no-choices, length, …).
//	glob PATTERN…      some file matches each pattern; ! glob: none matches
//	                   any (for temporary files with a random suffix).
//	bytes FILE TEXT    writes FILE from TEXT with Go string escapes (\xe9,
//	                   \x00): for inputs a txtar cannot hold.
//
// and the condition [root], for what root is allowed to do anyway.
//
// A refused run reads like this; \A anchors at the start of stderr, as
// the error must be the first thing enrich says:
//
//	! enrich examples/products.csv -o out.csv -p '{{.nme}}'
//	status 1
//	stderr '\Aenrich: error: template field "nme" is not a column'
//	requests 0
//	! exists out.csv
//	! glob '.out.csv.tmp-*'
//
// The re-execution is the repository's own idiom (see signal_test.go)
// rather than testscript.Main: a command registered with Main becomes a
// builtin, which takes precedence over Params.Cmds, so enrich could not
// also check its output and record its status.

import (
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

var update = flag.Bool("update", false, "rewrite the files that cmp compares against in testdata/script/*.txtar")

// asEnrich, set in a child's environment, makes TestMain run the command
// instead of the tests.
const asEnrich = "ENRICH_TEST_AS_ENRICH"

// scriptFaults names the faults a script can inject.
var scriptFaults = map[string]fakeprovider.Fault{
	"ok":             fakeprovider.OK,
	"400":            fakeprovider.Status400,
	"401":            fakeprovider.Status401,
	"429":            fakeprovider.Status429,
	"500":            fakeprovider.Status500,
	"503":            fakeprovider.Status503,
	"no-choices":     fakeprovider.NoChoices,
	"null-content":   fakeprovider.NullContent,
	"refusal":        fakeprovider.Refusal,
	"content-filter": fakeprovider.ContentFilter,
	"length":         fakeprovider.Length,
}

// A scriptState is one script's provider and last enrich run. Commands
// run one after another; only faults is shared with the server.
type scriptState struct {
	provider *fakeprovider.Provider
	exe      string // this test binary

	mu     sync.Mutex
	faults map[string]fakeprovider.Fault // by prompt; "*" for any

	ran       bool
	status    int
	unchecked bool // a failed run whose status no status line has checked yet
}

func (s *scriptState) fault(_ int64, prompt string) fakeprovider.Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.faults[prompt]; ok {
		return f
	}
	return s.faults["*"]
}

type stateKey struct{}

func state(ts *testscript.TestScript) *scriptState {
	return ts.Value(stateKey{}).(*scriptState)
}

func TestScripts(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Abs("examples") // TestMain runs from the repository's root
	if err != nil {
		t.Fatal(err)
	}
	// testscript removes its own root folder only after every script in
	// the folder has run, so a -run that picks some would leave it in the
	// system's temporary folder; t.TempDir goes in any case. -testwork
	// keeps testscript's folder, to be looked at.
	var root string
	if f := flag.Lookup("testwork"); f == nil || f.Value.String() != "true" {
		root = t.TempDir()
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join(testdataDir, "script"),
		WorkdirRoot:   root,
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			s := &scriptState{exe: exe, faults: map[string]fakeprovider.Fault{}}
			s.provider = fakeprovider.New(fakeprovider.Options{Latency: time.Millisecond, Fault: s.fault})
			srv := httptest.NewServer(s.provider)
			env.Defer(srv.Close)
			env.Defer(func() {
				if s.unchecked {
					env.T().Fatal("a failed enrich run has no status line after it")
				}
			})
			env.Values[stateKey{}] = s
			env.Setenv(asEnrich, "1")
			env.Setenv("OPENAI_BASE_URL", srv.URL+"/v1")
			env.Setenv("OPENAI_API_KEY", "sk-test-SECRET")
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			// Under -race a child that exits 0 sleeps a second first, for
			// reports from goroutines still running; the run is over by
			// then. A GORACE of the user's own comes after, and wins.
			env.Setenv("GORACE", strings.TrimSpace("atexit_sleep_ms=0 "+os.Getenv("GORACE")))
			return os.CopyFS(filepath.Join(env.WorkDir, "examples"), os.DirFS(examples))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"enrich":   cmdEnrich,
			"status":   cmdStatus,
			"requests": cmdRequests,
			"fault":    cmdFault,
			"glob":     cmdGlob,
			"bytes":    cmdBytes,
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

func cmdEnrich(ts *testscript.TestScript, neg bool, args []string) {
	s := state(ts)
	if s.unchecked {
		s.unchecked = false // said once, here
		ts.Fatalf("the failed enrich run before this one has no status line after it")
	}
	err := ts.Exec(s.exe, args...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		s.status = 0
	case errors.As(err, &exit) && exit.Exited():
		s.status = exit.ExitCode()
	default:
		ts.Fatalf("enrich did not run to an exit: %v", err)
	}
	s.ran = true
	stdout, stderr := ts.ReadFile("stdout"), ts.ReadFile("stderr")
	if strings.Contains(stdout+stderr, "SECRET") {
		ts.Fatalf("the API key appears in the output")
	}
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "DATA RACE") {
		ts.Fatalf("stderr shows a panic, a goroutine dump or a data race")
	}
	switch {
	case neg && s.status == 0:
		ts.Fatalf("enrich exited 0, want a failure")
	case !neg && s.status != 0:
		ts.Fatalf("enrich exited %d, want 0", s.status)
	}
	s.unchecked = neg
}

func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: status N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	s := state(ts)
	if !s.ran {
		ts.Fatalf("status: enrich has not run yet")
	}
	s.unchecked = false
	if s.status != want {
		ts.Fatalf("enrich exited %d, want %d", s.status, want)
	}
}

func cmdRequests(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: requests N")
	}
	want, err := strconv.ParseInt(args[0], 10, 64)
	ts.Check(err)
	if got := state(ts).provider.Requests(); got != want {
		ts.Fatalf("the provider received %d requests, want %d", got, want)
	}
}

func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fault PROMPT FAULT")
	}
	f, ok := scriptFaults[args[1]]
	if !ok {
		ts.Fatalf("fault: unknown fault %q", args[1])
	}
	s := state(ts)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[args[0]] = f
}

func cmdGlob(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: glob PATTERN...")
	}
	for _, pattern := range args {
		matches, err := filepath.Glob(ts.MkAbs(pattern))
		ts.Check(err)
		switch {
		case neg && len(matches) > 0:
			ts.Fatalf("%s unexpectedly exists", strings.Join(matches, ", "))
		case !neg && len(matches) == 0:
			ts.Fatalf("no file matches %s", pattern)
		}
	}
}

func cmdBytes(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: bytes FILE TEXT")
	}
	data, err := strconv.Unquote(`"` + args[1] + `"`)
	if err != nil {
		ts.Fatalf("bytes: %q is not the inside of a Go string literal: %v", args[1], err)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(data), 0o666))
}
