package cli

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// --help fits 80 columns and shows every flag once, in a group.
func TestHelpGroupsEveryFlag(t *testing.T) {
	var c config
	fs := newFlagSet(&c)
	grouped := map[string]int{}
	for _, g := range flagGroups {
		for _, name := range g.names {
			grouped[name]++
		}
	}
	fs.VisitAll(func(f *pflag.Flag) {
		if grouped[f.Name] != 1 {
			t.Errorf("--%s is in %d groups of --help, want 1 (add it to flagGroups)", f.Name, grouped[f.Name])
		}
		delete(grouped, f.Name)
	})
	for name := range grouped {
		t.Errorf("flagGroups names --%s, which is no flag", name)
	}
	for i, line := range strings.Split(usage(fs), "\n") {
		if len([]rune(line)) > helpWidth {
			t.Errorf("--help line %d is %d columns: %q", i+1, len([]rune(line)), line)
		}
	}
}

// The README's flag table and --help list the same flags.
func TestREADMEListsTheFlags(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "\n## Flags")
	if start < 0 {
		t.Fatal("README.md has no Flags section")
	}
	section = section[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var inREADME []string
	for _, m := range regexp.MustCompile("(?m)^\\| ([^|]+)\\|").FindAllStringSubmatch(section, -1) {
		for _, f := range regexp.MustCompile("--([a-z][a-z-]*)").FindAllStringSubmatch(m[1], -1) {
			inREADME = append(inREADME, f[1])
		}
	}
	var c config
	var inHelp []string
	newFlagSet(&c).VisitAll(func(f *pflag.Flag) { inHelp = append(inHelp, f.Name) })
	for _, name := range inHelp {
		if !slices.Contains(inREADME, name) && name != "help" && name != "version" {
			t.Errorf("--%s is missing from the README's flag table", name)
		}
	}
	for _, name := range inREADME {
		if !slices.Contains(inHelp, name) {
			t.Errorf("the README's flag table lists --%s, which is no flag", name)
		}
	}
}
