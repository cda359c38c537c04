//go:build race

package readers

func init() { raceSlowdown = 10 }
